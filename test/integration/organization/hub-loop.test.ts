/**
 * The organization loop on moto, as far as main has organization mode: a denial in each member is put
 * on that member's default bus, carried to the hub's bus and queue (the forwarding fake: moto would
 * rewrite the envelope), and handed to a diagnose function whose IAM client acts in that member
 * through its read role, assumed by the hub's diagnose role with the external id (through the
 * accounts proxy, which enforces the member role's trust as STS would and names the account of every
 * call). The review link is approved by an approval function reading through the member's read role,
 * and the apply function writes through the member's apply role, with the approver as source
 * identity. Every other AWS call is the hub's own (its tables, topic and channel).
 *
 * What main does not have yet, and this file stands in for, each in one place: the hub's own choice
 * of member per denial (the `gate` engineer's admission and org-mode diagnose handler, and the
 * `sessions` engineer's MemberAccountAccess: here `memberFunctions` builds the functions for the
 * denial's member), the SCPs read from Organizations (`orgreader`), the account named in messages
 * (`orgreader`) and approvals keyed by account (`approvals`). When they land, `memberFunctions`
 * becomes the hub's one set of functions and this file asserts the rest.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetGroupPolicyCommand, IAMClient, ListGroupPoliciesCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { STSClient, AssumeRoleCommand, type Credentials } from '@aws-sdk/client-sts';
import type { Message } from '@aws-sdk/client-sqs';
import { DynamoDbIncidentStore } from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { IamPolicyWriter } from '../../../lambda/adapters/aws/iam-policy-writer';
import { SnsNotifier } from '../../../lambda/adapters/aws/sns-notifier';
import { EventBridgePublisher } from '../../../lambda/adapters/aws/eventbridge-publisher';
import { TargetedAccountReader } from '../../../lambda/adapters/aws/targeted-account-reader';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { createApplyHandler } from '../../../lambda/handlers/apply/handler';
import { APPLY_TIMEOUT } from '../../../lib/constructs/apply-function';
import { FUNCTION_TIMEOUT } from '../../../lib/constructs/diagnose-function';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE } from '../../../lib/denial-event-patterns';
import { HUB_ROLE_NAMES } from '../../../lib/organization/names';
import { formPost } from '../../handlers/approval/support';
import { RecordingLogger, RecordingMetrics } from '../../handlers/diagnose/support';
import {
  EventBridgeCrossAccountForwardingFake,
  type EventEnvelope,
} from '../../support/organization/eventbridge-forwarding-fake';
import { startMoto, type MotoServer } from '../support/moto';
import { createIdempotencyTable, createProposalsTable } from '../support/proposal-tables';
import {
  createApprovalFunction,
  createDiagnoseFunction,
  decisionPorts,
  invocationContext,
  LOOP_REVIEW_BASE_URL,
  QueuedApplyInvocations,
  reviewLinkIn,
  sameRealmErrors,
  snsEnvelopeOf,
  sqsEventOf,
  type LoopClients,
  type LoopResources,
} from '../support/remediation-loop';
import { createQueue, receiveAll, type TestQueue } from '../support/sqs-queues';
import { startAccountsProxy, type AccountsProxy } from './support/accounts-proxy';
import { EXTERNAL_ID, memberRoleArn, type HubFunction } from './support/member-roles';
import { accountClients, identityOf } from './support/moto-accounts';
import {
  deployOrganization,
  HUB_REGION,
  seedDenialIn,
  type OrganizationDeployment,
} from './support/organization-deployment';
import type { OrganizationAccount } from '../../../lambda/core/organization/model';

const GROUP = 'GlueAccess';
const POLICY_NAME = 'AllowPassEtlNightlyRuntimeToGlue';

describe('the organization loop: a denial in each member -> hub queue -> diagnosis, approval and apply in that member only', () => {
  let moto: MotoServer;
  let deployment: OrganizationDeployment;
  let proxy: AccountsProxy;
  let fake: EventBridgeCrossAccountForwardingFake;
  let resources: LoopResources;
  let teamChannel: TestQueue;
  const destroyers: (() => void)[] = [];

  beforeAll(async () => {
    moto = await startMoto({ pinAccount: false });
    deployment = await deployOrganization(moto.endpoint);
    const { organization } = deployment;
    const inOrganization = new Set([
      organization.managementAccountId,
      organization.hub.id,
      organization.memberA.id,
      organization.memberB.id,
    ]);
    const organizationOf = (account: string): string | null =>
      inOrganization.has(account) ? organization.organizationId : null;
    proxy = await startAccountsProxy({ upstream: moto.endpoint, organizationOf });
    fake = new EventBridgeCrossAccountForwardingFake(
      (account, region) => deployment.clients(account, region),
      { organizationOf },
    );

    // The hub stack's own resources, in the hub account.
    const hub = accountClients(moto.endpoint, organization.hub.id);
    destroyers.push(hub.destroy);
    const hubSetup = await hubFunctionClients('diagnose');
    await createProposalsTable(hubSetup.dynamodb, 'passrole-doctor-proposals');
    await createIdempotencyTable(hubSetup.dynamodb, 'passrole-doctor-idempotency');
    const topicArn =
      (await hubSetup.sns.send(new CreateTopicCommand({ Name: 'passrole-doctor-proposals' }))).TopicArn ?? '';
    teamChannel = await createQueue(hub.sqs, 'team-channel');
    await hubSetup.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: teamChannel.arn }),
    );
    resources = {
      proposalsTable: 'passrole-doctor-proposals',
      idempotencyTable: 'passrole-doctor-idempotency',
      topicArn,
      eventBusName: 'default',
    };
  });

  afterAll(async () => {
    for (const destroy of destroyers) destroy();
    deployment.destroy();
    await proxy.close();
    await moto.stop();
  });

  /** What Lambda hands a hub function: its execution role's session, in the hub account. */
  async function hubFunctionCredentials(fn: HubFunction): Promise<Credentials> {
    const hubId = deployment.organization.hub.id;
    const platform = accountClients(proxy.endpoint, hubId);
    destroyers.push(platform.destroy);
    const assumed = await platform.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${hubId}:role/${HUB_ROLE_NAMES[fn]}`,
        RoleSessionName: fn,
      }),
    );
    return assumed.Credentials as Credentials;
  }

  /** A hub function's own clients, through the proxy. */
  async function hubFunctionClients(fn: HubFunction): Promise<LoopClients> {
    return loopClients(await hubFunctionCredentials(fn), null);
  }

  function loopClients(credentials: Credentials, iamCredentials: Credentials | null): LoopClients {
    const base = { endpoint: proxy.endpoint, region: HUB_REGION, credentials: identityOf(credentials) };
    const clients = {
      iam: new IAMClient({
        ...base,
        ...(iamCredentials !== null ? { credentials: identityOf(iamCredentials) } : {}),
        maxAttempts: 1,
      }),
      sts: new STSClient(base),
      dynamodb: new DynamoDBClient(base),
      sns: new SNSClient(base),
      eventBridge: new EventBridgeClient(base),
    };
    sameRealmErrors(clients.iam.middlewareStack);
    sameRealmErrors(clients.sts.middlewareStack);
    sameRealmErrors(clients.dynamodb.middlewareStack);
    sameRealmErrors(clients.sns.middlewareStack);
    sameRealmErrors(clients.eventBridge.middlewareStack);
    const destroy = (): void => {
      for (const client of Object.values(clients)) client.destroy();
    };
    destroyers.push(destroy);
    return { ...clients, destroy };
  }

  /**
   * STAND-IN until the hub's functions choose the member themselves (gate + sessions): a function's
   * clients whose IAM acts in `member` through the member role, assumed by the hub function's role with
   * the external id (and the approver as source identity for the apply role).
   */
  async function memberFunctions(
    fn: HubFunction,
    member: OrganizationAccount,
    role: 'read' | 'apply',
    sourceIdentity?: string,
  ): Promise<LoopClients> {
    const ownCredentials = await hubFunctionCredentials(fn);
    const own = loopClients(ownCredentials, null);
    const assumed = await own.sts.send(
      new AssumeRoleCommand({
        RoleArn: memberRoleArn(member.id, role),
        RoleSessionName: `passrole-doctor-${fn}`,
        ExternalId: EXTERNAL_ID,
        ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
      }),
    );
    return loopClients(ownCredentials, assumed.Credentials as Credentials);
  }

  async function hubQueueMessages(): Promise<Message[]> {
    const hub = deployment.clients(deployment.organization.hub.id);
    return receiveAll(hub.sqs, deployment.hubQueue.url);
  }

  it('runs for a denial of member A (us-east-1) and of member B (eu-west-1), each only in its own account', async () => {
    const { hub, memberA, memberB } = deployment.organization;
    const putAt = new Date('2026-06-17T02:04:40Z');
    const sent: EventEnvelope[] = [];
    for (const [member, region] of [
      [memberA, 'us-east-1'],
      [memberB, 'eu-west-1'],
    ] as const) {
      sent.push(
        ...(await fake.putEvents(member.id, region, [
          {
            Source: 'aws.glue',
            DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
            Detail: JSON.stringify(seedDenialIn(member.id, `denial-in-${member.name}`)),
            Time: putAt,
          },
        ])),
      );
    }
    const delivered = await hubQueueMessages();
    const envelopes = delivered.map((message) => JSON.parse(message.Body ?? '{}') as EventEnvelope);
    expect(envelopes).toEqual(sent);

    const store = new DynamoDbIncidentStore(
      (await hubFunctionClients('diagnose')).dynamodb,
      resources.proposalsTable,
    );
    const proposals = new Map<string, IncidentRecord>();
    const summary: string[] = [];
    for (const member of [memberA, memberB]) {
      const message = delivered.find((_, index) => envelopes[index]?.account === member.id);
      if (message === undefined) throw new Error(`no message of ${member.name}`);

      // Diagnosis: every IAM call in the member, through its read role.
      proxy.clearCalls();
      const diagnose = createDiagnoseFunction(await memberFunctions('diagnose', member, 'read'), resources);
      const batch = await diagnose.handler(
        sqsEventOf([message], deployment.hubQueue.arn),
        invocationContext('diagnose', FUNCTION_TIMEOUT.toMilliseconds()),
      );
      expect(batch.batchItemFailures).toEqual([]);
      const iamCalls = proxy.calls.filter((call) => call.operation.startsWith('iam:'));
      expect(iamCalls.length).toBeGreaterThan(0);
      expect(new Set(iamCalls.map((call) => [call.account, call.roleArn].join(' ')))).toEqual(
        new Set([`${member.id} ${memberRoleArn(member.id, 'read')}`]),
      );
      const elsewhere = proxy.calls.filter((call) => call.account !== member.id && call.account !== hub.id);
      expect(elsewhere).toEqual([]);
      expect(proxy.callsIn(hub.id, 'iam')).toEqual([]);
      const diagnosisIamCalls = iamCalls.length;

      const [proposalMessage] = (await receiveAll(deployment.clients(hub.id).sqs, teamChannel.url)).map(
        snsEnvelopeOf,
      );
      expect(proposalMessage?.Message).toContain(`Proposed: inline policy ${POLICY_NAME} on group ${GROUP}`);
      const link = reviewLinkIn(proposalMessage?.Message ?? '');
      expect(link?.origin).toBe(LOOP_REVIEW_BASE_URL);
      const proposalId = link?.pathname.split('/').pop() ?? '';
      const record = (await store.get(proposalId)) as IncidentRecord;
      expect(record.denial.account).toBe(member.id);
      expect(record.proposal?.target.arn).toBe(`arn:aws:iam::${member.id}:group/${GROUP}`);
      proposals.set(member.id, record);

      // Approval: the re-check reads the member through its read role; the apply writes through the
      // member's apply role with the approver as source identity.
      proxy.clearCalls();
      const applyInvocations = new QueuedApplyInvocations();
      const approval = createApprovalFunction(
        await memberFunctions('approval', member, 'read'),
        resources,
        applyInvocations,
      );
      const token = link?.searchParams.get('token') ?? '';
      const approved = await approval.handler(formPost(`${link?.pathname ?? ''}/approve`, token));
      expect(approved.statusCode).toBe(200);
      expect(applyInvocations.requested).toEqual([proposalId]);

      const applyClients = await memberFunctions('apply', member, 'apply', 'link-holder');
      const apply = createApplyHandler({
        store: new DynamoDbIncidentStore(applyClients.dynamodb, resources.proposalsTable),
        ...decisionPorts(applyClients.iam, applyClients.dynamodb, resources.proposalsTable),
        writer: new IamPolicyWriter(applyClients.iam),
        simulator: new LocalPolicySimulator(),
        accountReader: new TargetedAccountReader(applyClients.iam),
        notifier: new SnsNotifier(applyClients.sns, resources.topicArn),
        events: new EventBridgePublisher(applyClients.eventBridge, resources.eventBusName),
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
        settings: {
          accountId: member.id,
          protectedRoleArns: [],
          allowedTargetTypes: ['group', 'user', 'role'],
          verifyTimeoutMs: 30_000,
          leaseMs: 90_000,
          reviewBaseUrl: LOOP_REVIEW_BASE_URL,
        },
      });
      const outcome = await apply({ proposalId }, invocationContext('apply', APPLY_TIMEOUT.toMilliseconds()));
      expect(outcome).toBe('applied-verified');
      const writes = proxy.calls.filter((call) => call.operation.startsWith('iam:Put'));
      expect(writes.map((call) => [call.operation, call.account, call.roleArn])).toEqual([
        ['iam:PutGroupPolicy', member.id, memberRoleArn(member.id, 'apply')],
      ]);
      expect(
        proxy.calls.filter((call) => call.operation.startsWith('iam:') && call.account !== member.id),
      ).toEqual([]);
      const applySession = proxy.sessions.find(
        (session) => session.roleArn === memberRoleArn(member.id, 'apply'),
      );
      expect(applySession?.sourceIdentity).toBe('link-holder');
      await receiveAll(deployment.clients(hub.id).sqs, teamChannel.url);
      summary.push(
        `${member.name}: diagnosis ${diagnosisIamCalls} IAM calls in ${member.id} (read role), ` +
          `approval+apply ${proxy.calls.filter((call) => call.operation.startsWith('iam:')).length} IAM calls in ` +
          `${member.id}, 0 in the hub or the other member`,
      );
    }
    console.log(`organization loop on moto: ${summary.join('; ')}`);

    // Each member holds its own fix, and only its own; the hub holds none.
    for (const member of [memberA, memberB]) {
      const written = await deployment
        .clients(member.id)
        .iam.send(new GetGroupPolicyCommand({ GroupName: GROUP, PolicyName: POLICY_NAME }));
      expect(JSON.parse(decodeURIComponent(written.PolicyDocument ?? ''))).toEqual(
        proposals.get(member.id)?.proposal?.document,
      );
      const names = await deployment
        .clients(member.id)
        .iam.send(new ListGroupPoliciesCommand({ GroupName: GROUP }));
      expect(names.PolicyNames).toEqual([POLICY_NAME]);
    }
    const documents = [memberA, memberB].map((member) =>
      JSON.stringify(proposals.get(member.id)?.proposal?.document),
    );
    expect(documents[0]).toContain(memberA.id);
    expect(documents[0]).not.toContain(memberB.id);
    expect(documents[1]).toContain(memberB.id);
    expect(documents[1]).not.toContain(memberA.id);
  });
});
