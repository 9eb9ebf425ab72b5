/**
 * The organization loop's fault cases on moto, at the ports the hub's functions use (AccountAccess,
 * OrganizationReader) and on the way to the hub queue: an expired member session, a missing member
 * role, a denial from an account outside the organization, and an event whose account fields
 * disagree. The access and the reader are the product's MemberAccountAccess and OrganizationsReader
 * (support/hub-access.ts). Then each fault runs through the diagnose handler in organization mode,
 * built as the loop builds it (support/hub-functions.ts): an expired session is renewed and the
 * denial still diagnosed; every other fault is acknowledged, counted with its reason and never
 * diagnosed, and nothing is read with the hub's identity or any member's.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DeleteMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { deleteRole } from './support/member-roles';
import { MemberAccessError } from '../../../lambda/core/errors';
import type { ProposalTarget } from '../../../lambda/core/model';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE } from '../../../lib/denial-event-patterns';
import { MEMBER_ROLE_NAMES } from '../../../lib/organization/names';
import type {
  EventBridgeCrossAccountForwardingFake,
  EventEnvelope,
} from '../../support/organization/eventbridge-forwarding-fake';
import type { MotoServer } from '../support/moto';
import { invocationContext, sqsEventOf } from '../support/remediation-loop';
import { receiveAll } from '../support/sqs-queues';
import { FUNCTION_TIMEOUT } from '../../../lib/constructs/diagnose-function';
import { REFUSAL_METRIC } from '../../../lambda/handlers/diagnose/account-observability';
import { METRIC } from '../../../lambda/handlers/diagnose/handler';
import type { AccountAccess } from '../../../lambda/ports/account-access';
import { hubFunctions, type DiagnoseFunction, type HubFunctions } from './support/hub-functions';
import type { AccountsProxy } from './support/accounts-proxy';
import { memberRoleArn } from './support/member-roles';
import { startOrganizationOnMoto, type OrganizationOnMoto } from './support/organization-on-moto';
import { seedDenialIn, type OrganizationDeployment } from './support/organization-deployment';
import { OUTSIDE_ACCOUNT_ID } from './support/seed-organization';
import { managementOrganizationsReader } from './support/hub-access';
import type { MemberAccountAccess } from '../../../lambda/adapters/aws/organization/member-account-access';
import type { OrganizationsReader } from '../../../lambda/adapters/aws/organizations-reader';

describe('organization loop faults: expired session, missing member role, outside account, disagreeing fields', () => {
  let started: OrganizationOnMoto;
  let moto: MotoServer;
  let deployment: OrganizationDeployment;
  let proxy: AccountsProxy;
  let fake: EventBridgeCrossAccountForwardingFake;
  let access: MemberAccountAccess;
  let reader: OrganizationsReader;
  let functions: HubFunctions;
  const destroyers: (() => void)[] = [];

  beforeAll(async () => {
    started = await startOrganizationOnMoto();
    ({ moto, deployment, proxy, fake } = started);
    functions = await hubFunctions({
      motoEndpoint: moto.endpoint,
      proxyEndpoint: proxy.endpoint,
      deployment,
    });
    destroyers.push(functions.destroy);
    // The diagnose function's MemberAccountAccess and OrganizationsReader, as its entry builds them.
    access = (await functions.function('diagnose')).access;
    reader = managementOrganizationsReader(moto.endpoint, deployment.organization.managementAccountId);
  });

  afterAll(async () => {
    for (const destroy of destroyers) destroy();
    await started.stop();
  });

  function denialEntry(record: Record<string, unknown>) {
    return {
      Source: 'aws.glue',
      DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
      Detail: JSON.stringify(record),
    };
  }

  it("an expired member session is renewed: the next read of that member succeeds, in the member's account", async () => {
    const { memberA } = deployment.organization;
    const readRole = memberRoleArn(memberA.id, 'read');
    const roleArn = `arn:aws:iam::${memberA.id}:role/etl-nightly-runtime`;
    const target: ProposalTarget = {
      type: 'group',
      name: 'GlueAccess',
      arn: `arn:aws:iam::${memberA.id}:group/GlueAccess`,
      memberCount: 2,
    };
    const first = await access.read(memberA.id);
    expect((await first.escalationReader.readEscalationInputs(roleArn, target)).role?.arn).toBe(roleArn);
    expect(proxy.expireSessions((session) => session.roleArn === readRole)).toBeGreaterThan(0);

    proxy.clearCalls();
    const again = await access.read(memberA.id);
    const inputs = await again.escalationReader.readEscalationInputs(roleArn, target);
    expect(inputs.role?.arn).toBe(roleArn);
    const iamCalls = proxy.calls.filter((call) => call.operation.startsWith('iam:'));
    // The cached session was refused as expired, then renewed: the reads that answered were the
    // member's, through the new session.
    expect(iamCalls.filter((call) => call.refused === 'ExpiredToken').length).toBeGreaterThan(0);
    const answered = iamCalls.filter((call) => call.refused === null);
    expect(answered.length).toBeGreaterThan(0);
    expect(new Set(answered.map((call) => call.account))).toEqual(new Set([memberA.id]));
    expect(proxy.calls.filter((call) => call.operation === 'sts:AssumeRole').length).toBeGreaterThan(0);
  });

  it('a missing member role is a MemberAccessError (role-unavailable), and nothing is read in that member', async () => {
    const { memberB } = deployment.organization;
    const member = deployment.clients(memberB.id);
    await deleteRole(member.iam, MEMBER_ROLE_NAMES.read);
    proxy.clearCalls();

    const refusal = access.read(memberB.id);
    await expect(refusal).rejects.toBeInstanceOf(MemberAccessError);
    await expect(refusal).rejects.toMatchObject({ accountId: memberB.id, reason: 'role-unavailable' });
    expect(proxy.calls.filter((call) => call.operation === 'sts:AssumeRole')).toEqual([
      expect.objectContaining({ refused: 'AccessDenied' }),
    ]);
    expect(proxy.callsIn(memberB.id, 'iam')).toEqual([]);
    // The role is still the member's to restore; the hub's own IAM is untouched.
    await expect(
      member.iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE_NAMES.apply })),
    ).resolves.toBeDefined();
    expect(proxy.callsIn(deployment.organization.hub.id, 'iam')).toEqual([]);
  });

  it('an account outside the organization: its events never reach the hub queue, and Organizations does not know it', async () => {
    const before = fake.deliveries.length;
    // The outsider has no member rule: nothing of it is carried (the bus policy's refusal of an
    // outsider that deploys the rule itself is in event-forwarding.test.ts).
    await fake.putEvents(OUTSIDE_ACCOUNT_ID, 'us-east-1', [
      denialEntry(seedDenialIn(OUTSIDE_ACCOUNT_ID, 'outside')),
    ]);
    expect(fake.deliveries.length).toBe(before);
    expect(
      await receiveAll(deployment.clients(deployment.organization.hub.id).sqs, deployment.hubQueue.url),
    ).toEqual([]);
    await expect(reader.account(OUTSIDE_ACCOUNT_ID)).resolves.toBeNull();
    await expect(reader.account(deployment.organization.memberA.id)).resolves.toEqual(
      deployment.organization.memberA,
    );
  });

  it('an event whose account fields disagree reaches the hub queue as it was put: the hub sees both accounts', async () => {
    const { memberA, memberB } = deployment.organization;
    // Member A's rule forwards a record that names member B as its recipient and caller.
    const [sent] = await fake.putEvents(memberA.id, 'us-east-1', [
      denialEntry(seedDenialIn(memberB.id, 'disagreeing')),
    ]);
    const arrived = (
      await receiveAll(deployment.clients(deployment.organization.hub.id).sqs, deployment.hubQueue.url)
    ).map((message) => JSON.parse(message.Body ?? '{}') as EventEnvelope);
    expect(arrived).toEqual([sent]);
    expect(arrived[0]?.account).toBe(memberA.id);
    expect(arrived[0]?.detail['recipientAccountId']).toBe(memberB.id);
    expect((arrived[0]?.detail['userIdentity'] as { accountId?: string }).accountId).toBe(memberB.id);
  });

  // ---------------------------------------------------------------- through the diagnose handler

  /** The hub queue's messages of one CloudTrail event (earlier tests' messages are left invisible). */
  async function hubQueueMessagesOf(eventId: string): Promise<Message[]> {
    const messages = await receiveAll(
      deployment.clients(deployment.organization.hub.id).sqs,
      deployment.hubQueue.url,
    );
    return messages.filter(
      (message) => (JSON.parse(message.Body ?? '{}') as EventEnvelope).detail['eventID'] === eventId,
    );
  }

  /** What the team channel received since, taken off the queue. */
  async function teamChannelMessages(): Promise<Message[]> {
    const hubSqs = deployment.clients(deployment.organization.hub.id).sqs;
    const messages = await receiveAll(hubSqs, functions.teamChannel.url);
    for (const message of messages) {
      await hubSqs.send(
        new DeleteMessageCommand({
          QueueUrl: functions.teamChannel.url,
          ReceiptHandle: message.ReceiptHandle ?? '',
        }),
      );
    }
    return messages;
  }

  /** How many items the proposals table holds (incidents, leases, ledger entries). */
  async function storedItems(): Promise<number> {
    const own = await functions.clients('diagnose');
    const scanned = await own.dynamodb.send(
      new ScanCommand({ TableName: functions.resources.proposalsTable, Select: 'COUNT' }),
    );
    return scanned.Count ?? 0;
  }

  /** The diagnose function in organization mode, with its own role's session, as the loop builds it. */
  async function diagnoseFunction(wrapAccess?: (access: AccountAccess) => AccountAccess) {
    const built = await functions.function('diagnose');
    return functions.diagnose(
      built.own,
      built.access,
      functions.organizationReader(),
      wrapAccess !== undefined ? { wrapAccess } : {},
    );
  }

  async function runDiagnose(diagnose: DiagnoseFunction, messages: Message[]) {
    return diagnose.handler(
      sqsEventOf(messages, deployment.hubQueue.arn),
      invocationContext('diagnose', FUNCTION_TIMEOUT.toMilliseconds()),
    );
  }

  const iamOrSts = (call: { operation: string }): boolean =>
    call.operation.startsWith('iam:') || call.operation.startsWith('sts:');

  /** Deletes a member role unless an earlier case already did. */
  async function withoutRole(iam: IAMClient, roleName: string): Promise<void> {
    try {
      await iam.send(new GetRoleCommand({ RoleName: roleName }));
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchEntityException') return;
      throw error;
    }
    await deleteRole(iam, roleName);
  }

  it('through the diagnose handler: a member session that expires mid-diagnosis is renewed, and the denial is still diagnosed', async () => {
    const { hub, memberA } = deployment.organization;
    const readRole = memberRoleArn(memberA.id, 'read');
    const eventId = 'expires-mid-diagnosis';
    await fake.putEvents(memberA.id, 'us-east-1', [denialEntry(seedDenialIn(memberA.id, eventId))]);
    const messages = await hubQueueMessagesOf(eventId);
    expect(messages).toHaveLength(1);

    // The member's read session expires after the diagnosis read the account's scope, before the
    // escalation read: the same diagnosis meets the expiry.
    let expired = 0;
    const expiringMidRun = (inner: AccountAccess): AccountAccess => ({
      read: async (accountId) => {
        const read = await inner.read(accountId);
        return {
          ...read,
          escalationReader: {
            readEscalationInputs: (roleArn, target) => {
              if (expired === 0) expired = proxy.expireSessions((session) => session.roleArn === readRole);
              return read.escalationReader.readEscalationInputs(roleArn, target);
            },
          },
        };
      },
      write: (accountId, sourceIdentity) => inner.write(accountId, sourceIdentity),
    });
    const diagnose = await diagnoseFunction(expiringMidRun);
    proxy.clearCalls();

    const batch = await runDiagnose(diagnose, messages);
    expect(batch.batchItemFailures).toEqual([]);
    expect(expired).toBeGreaterThan(0);
    const iamCalls = proxy.calls.filter((call) => call.operation.startsWith('iam:'));
    const firstRefused = iamCalls.findIndex((call) => call.refused === 'ExpiredToken');
    // Reads answered before the expiry, the expired session refused, then reads answered again.
    expect(firstRefused).toBeGreaterThan(0);
    expect(iamCalls.slice(firstRefused).some((call) => call.refused === null)).toBe(true);
    expect(
      new Set(
        iamCalls.filter((call) => call.refused === null).map((call) => `${call.account} ${call.roleArn}`),
      ),
    ).toEqual(new Set([`${memberA.id} ${readRole}`]));
    expect(proxy.callsIn(hub.id, 'iam')).toEqual([]);
    // The renewed session is the only live one of the read role.
    expect(proxy.sessions.filter((session) => session.roleArn === readRole && !session.expired)).toHaveLength(
      1,
    );

    expect(diagnose.metrics.total(METRIC.proposalsCreated)).toBe(1);
    expect(diagnose.metrics.dimensioned.countFor('ProposalsCreated', 'account', memberA.id)).toBe(1);
    expect(diagnose.metrics.total(REFUSAL_METRIC.total)).toBe(0);
    expect(diagnose.metrics.total(METRIC.errors)).toBe(0);
    const published = await teamChannelMessages();
    expect(published).toHaveLength(1);
    expect(published[0]?.Body).toContain(memberA.name);
    expect(published[0]?.Body).toContain('Proposed: inline policy');
  });

  it('through the diagnose handler: a missing member role is acknowledged, counted, and nothing is stored or read', async () => {
    const { memberB } = deployment.organization;
    await withoutRole(deployment.clients(memberB.id).iam, MEMBER_ROLE_NAMES.read);
    const eventId = 'member-role-missing';
    await fake.putEvents(memberB.id, 'eu-west-1', [denialEntry(seedDenialIn(memberB.id, eventId))]);
    const messages = await hubQueueMessagesOf(eventId);
    expect(messages).toHaveLength(1);
    const diagnose = await diagnoseFunction();
    const itemsBefore = await storedItems();
    proxy.clearCalls();

    const batch = await runDiagnose(diagnose, messages);
    expect(batch.batchItemFailures).toEqual([]);
    expect(diagnose.metrics.total('MemberRoleUnavailable')).toBe(1);
    expect(diagnose.metrics.total('DenialsRefused')).toBe(1);
    expect(diagnose.metrics.dimensioned.countFor('DenialsRefused', 'account', memberB.id)).toBe(1);
    expect(diagnose.metrics.total(METRIC.proposalsCreated)).toBe(0);
    expect(diagnose.metrics.total(METRIC.reportsCreated)).toBe(0);
    expect(diagnose.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ reason: 'member-role-unavailable', accountId: memberB.id }),
      }),
    );
    // The one STS call was the refused AssumeRole; no IAM call in any account.
    expect(proxy.calls.filter(iamOrSts)).toEqual([
      expect.objectContaining({ operation: 'sts:AssumeRole', refused: 'AccessDenied' }),
    ]);
    expect(await storedItems()).toBe(itemsBefore);
    expect(await teamChannelMessages()).toEqual([]);
  });

  it('through the diagnose handler: a denial of an account outside the organization put straight on the hub queue is refused, never read', async () => {
    const eventId = 'forged-outside-organization';
    // A forged delivery: the envelope and the record name the outsider, and it is on the hub queue.
    const forged: EventEnvelope = {
      version: '0',
      id: 'forged-envelope',
      'detail-type': CLOUDTRAIL_API_CALL_DETAIL_TYPE,
      source: 'aws.glue',
      account: OUTSIDE_ACCOUNT_ID,
      time: '2026-06-17T02:04:40Z',
      region: 'us-east-1',
      resources: [],
      detail: seedDenialIn(OUTSIDE_ACCOUNT_ID, eventId),
    };
    await deployment
      .clients(deployment.organization.hub.id)
      .sqs.send(
        new SendMessageCommand({ QueueUrl: deployment.hubQueue.url, MessageBody: JSON.stringify(forged) }),
      );
    const messages = await hubQueueMessagesOf(eventId);
    expect(messages).toHaveLength(1);
    const diagnose = await diagnoseFunction();
    const itemsBefore = await storedItems();
    proxy.clearCalls();

    const batch = await runDiagnose(diagnose, messages);
    expect(batch.batchItemFailures).toEqual([]);
    expect(diagnose.metrics.total('RefusedAccountNotInOrganization')).toBe(1);
    expect(diagnose.metrics.total('DenialsRefused')).toBe(1);
    expect(diagnose.metrics.total(METRIC.proposalsCreated)).toBe(0);
    expect(diagnose.logger.lines).toContainEqual(
      expect.objectContaining({
        attributes: expect.objectContaining({
          reason: 'account-not-in-organization',
          accountId: OUTSIDE_ACCOUNT_ID,
        }),
      }),
    );
    // Nothing read with the hub's identity or any member's: no IAM or STS call at all.
    expect(proxy.calls.filter(iamOrSts)).toEqual([]);
    expect(await storedItems()).toBe(itemsBefore);
    expect(await teamChannelMessages()).toEqual([]);
  });

  it('through the diagnose handler: an event whose account fields disagree is refused, never diagnosed', async () => {
    const { memberA, memberB } = deployment.organization;
    const eventId = 'disagreeing-through-handler';
    // Member A's rule forwards a record whose recipient (and caller) is member B.
    await fake.putEvents(memberA.id, 'us-east-1', [denialEntry(seedDenialIn(memberB.id, eventId))]);
    const messages = await hubQueueMessagesOf(eventId);
    expect(messages).toHaveLength(1);
    const diagnose = await diagnoseFunction();
    const itemsBefore = await storedItems();
    proxy.clearCalls();

    const batch = await runDiagnose(diagnose, messages);
    expect(batch.batchItemFailures).toEqual([]);
    expect(diagnose.metrics.total('RefusedAccountFieldsDisagree')).toBe(1);
    expect(diagnose.metrics.total('DenialsRefused')).toBe(1);
    // Not counted per account: a claim the record contradicts names no account the hub can vouch for.
    expect(diagnose.metrics.dimensioned.countFor('DenialsRefused', 'account', memberA.id)).toBe(0);
    expect(diagnose.metrics.total(METRIC.proposalsCreated)).toBe(0);
    expect(diagnose.metrics.total(METRIC.reportsCreated)).toBe(0);
    expect(proxy.calls.filter(iamOrSts)).toEqual([]);
    expect(await storedItems()).toBe(itemsBefore);
    expect(await teamChannelMessages()).toEqual([]);
  });
});
