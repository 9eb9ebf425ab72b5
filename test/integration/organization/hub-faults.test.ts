/**
 * The organization loop's fault cases on moto, at the ports the hub's functions use (AccountAccess,
 * OrganizationReader) and on the way to the hub queue: an expired member session, a missing member
 * role, a denial from an account outside the organization, and an event whose account fields
 * disagree. The access and the reader are the product's MemberAccountAccess and OrganizationsReader
 * (support/hub-access.ts); what the gate's diagnose handler makes of each (acknowledged, counted,
 * never diagnosed) is asserted once it is on main.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type Credentials } from '@aws-sdk/client-sts';
import { deleteRole } from './support/member-roles';
import { MemberAccessError } from '../../../lambda/core/errors';
import type { ProposalTarget } from '../../../lambda/core/model';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE } from '../../../lib/denial-event-patterns';
import { HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../../lib/organization/names';
import {
  EventBridgeCrossAccountForwardingFake,
  type EventEnvelope,
} from '../../support/organization/eventbridge-forwarding-fake';
import { startMoto, type MotoServer } from '../support/moto';
import { receiveAll } from '../support/sqs-queues';
import { startAccountsProxy, type AccountsProxy } from './support/accounts-proxy';
import { EXTERNAL_ID, memberRoleArn } from './support/member-roles';
import { accountClients } from './support/moto-accounts';
import {
  deployOrganization,
  HUB_REGION,
  seedDenialIn,
  type OrganizationDeployment,
} from './support/organization-deployment';
import { OUTSIDE_ACCOUNT_ID } from './support/seed-organization';
import { hubMemberAccess, managementOrganizationsReader } from './support/hub-access';
import type { MemberAccountAccess } from '../../../lambda/adapters/aws/organization/member-account-access';
import type { OrganizationsReader } from '../../../lambda/adapters/aws/organizations-reader';

describe('organization loop faults: expired session, missing member role, outside account, disagreeing fields', () => {
  let moto: MotoServer;
  let deployment: OrganizationDeployment;
  let proxy: AccountsProxy;
  let fake: EventBridgeCrossAccountForwardingFake;
  let access: MemberAccountAccess;
  let reader: OrganizationsReader;
  const destroyers: (() => void)[] = [];

  beforeAll(async () => {
    moto = await startMoto({ accountPerRequest: true });
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
      {
        organizationOf,
      },
    );

    // The diagnose function's own session (Lambda's execution role), in the hub account.
    const platform = accountClients(proxy.endpoint, organization.hub.id);
    destroyers.push(platform.destroy);
    const own = await platform.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${organization.hub.id}:role/${HUB_ROLE_NAMES.diagnose}`,
        RoleSessionName: 'diagnose',
      }),
    );
    reader = managementOrganizationsReader(moto.endpoint, organization.managementAccountId);
    const built = hubMemberAccess({
      endpoint: proxy.endpoint,
      region: HUB_REGION,
      externalId: EXTERNAL_ID,
      ownCredentials: own.Credentials as Credentials,
      roleSessionName: HUB_ROLE_NAMES.diagnose,
      organization: reader,
    });
    destroyers.push(built.destroy);
    access = built.access;
  });

  afterAll(async () => {
    for (const destroy of destroyers) destroy();
    deployment.destroy();
    await proxy.close();
    await moto.stop();
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
});
