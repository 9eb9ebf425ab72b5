/**
 * The organization the hub tests run in, and the accounts proxy they count calls with: moto holds
 * the organization (accounts, OU paths, the SCP on Workloads), each account's own IAM, and the
 * member roles with the agreed trust; the proxy names the account of every call and refuses, as STS
 * does and moto does not, an AssumeRole that the member role's trust does not admit, and a session
 * the test expired.
 */
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, type Credentials } from '@aws-sdk/client-sts';
import { deleteRole } from './support/member-roles';
import { accountOf } from '../../../lambda/core/iam/arn';
import { HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../../lib/organization/names';
import { startMoto, type MotoServer } from '../support/moto';
import { startAccountsProxy, type AccountsProxy } from './support/accounts-proxy';
import { accountClients, sessionClients, type AccountClients } from './support/moto-accounts';
import { EXTERNAL_ID, hubRoleArn, memberRoleArn, type HubFunction } from './support/member-roles';
import { deployOrganization, type OrganizationDeployment } from './support/organization-deployment';
import { OUTSIDE_ACCOUNT_ID, SCP_NAME, WORKLOADS_SCP } from './support/seed-organization';

describe('the organization harness: moto with a hub, two members and an SCP; the accounts proxy', () => {
  let moto: MotoServer;
  let deployment: OrganizationDeployment;
  let proxy: AccountsProxy;
  const opened: AccountClients[] = [];

  beforeAll(async () => {
    moto = await startMoto({ accountPerRequest: true });
    deployment = await deployOrganization(moto.endpoint);
    const { organization } = deployment;
    const members = new Set([
      organization.managementAccountId,
      organization.hub.id,
      organization.memberA.id,
      organization.memberB.id,
    ]);
    proxy = await startAccountsProxy({
      upstream: moto.endpoint,
      organizationOf: (account) => (members.has(account) ? organization.organizationId : null),
    });
  });

  afterAll(async () => {
    for (const clients of opened) clients.destroy();
    deployment.destroy();
    await proxy.close();
    await moto.stop();
  });

  /** What Lambda hands the hub function: its execution role's session, in the hub account. */
  async function hubFunctionSession(
    fn: HubFunction,
    account = deployment.organization.hub.id,
  ): Promise<AccountClients> {
    const platform = accountClients(proxy.endpoint, account);
    opened.push(platform);
    const assumed = await platform.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/${HUB_ROLE_NAMES[fn]}`,
        RoleSessionName: fn,
      }),
    );
    const session = sessionClients(proxy.endpoint, assumed.Credentials as Credentials, account);
    opened.push(session);
    return session;
  }

  async function assume(
    caller: AccountClients,
    roleArn: string,
    extra: { ExternalId?: string; SourceIdentity?: string } = {},
  ): Promise<AccountClients> {
    const assumed = await caller.sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'hub', ...extra }),
    );
    const account = accountOf(roleArn) ?? '';
    const session = sessionClients(proxy.endpoint, assumed.Credentials as Credentials, account);
    opened.push(session);
    return session;
  }

  it('Organizations knows the accounts, their OU paths and the SCP on Workloads', async () => {
    const { organization } = deployment;
    const management = deployment.clients(organization.managementAccountId).organizations;
    const described = await management.call<{ Account: { Id: string; Name: string } }>('DescribeAccount', {
      AccountId: organization.memberA.id,
    });
    expect(described.Account.Name).toBe('Payments-Prod');
    const parents = await management.call<{ Parents: { Id: string; Type: string }[] }>('ListParents', {
      ChildId: organization.memberA.id,
    });
    expect(parents.Parents).toEqual([
      { Id: organization.memberA.ouPath[1]?.id, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    const onWorkloads = await management.call<{ Policies: { Id: string; Name: string }[] }>(
      'ListPoliciesForTarget',
      {
        TargetId: organization.memberA.ouPath[1]?.id,
        Filter: 'SERVICE_CONTROL_POLICY',
      },
    );
    expect(onWorkloads.Policies.map((policy) => policy.Name).sort()).toEqual([SCP_NAME, 'FullAWSAccess']);
    const onSandbox = await management.call<{ Policies: { Name: string }[] }>('ListPoliciesForTarget', {
      TargetId: organization.memberB.ouPath[1]?.id,
      Filter: 'SERVICE_CONTROL_POLICY',
    });
    expect(onSandbox.Policies.map((policy) => policy.Name)).toEqual(['FullAWSAccess']);
    const scp = await management.call<{ Policy: { Content: string } }>('DescribePolicy', {
      PolicyId: organization.scpId,
    });
    expect(JSON.parse(scp.Policy.Content)).toEqual(WORKLOADS_SCP);
    await expect(management.call('DescribeAccount', { AccountId: OUTSIDE_ACCOUNT_ID })).rejects.toMatchObject(
      { code: 'AccountNotFoundException' },
    );
  });

  it("each account holds its own IAM: member roles in the members, hub roles in the hub, the seed's users in each member", async () => {
    const { hub, memberA, memberB } = deployment.organization;
    const names = async (account: string): Promise<string[]> =>
      ((await deployment.clients(account).iam.send(new ListRolesCommand({}))).Roles ?? [])
        .map((role) => role.RoleName ?? '')
        .filter((name) => name.startsWith('PassRoleDoctor') || name === 'etl-nightly-runtime')
        .sort();
    expect(await names(hub.id)).toEqual(Object.values(HUB_ROLE_NAMES).sort());
    for (const member of [memberA, memberB]) {
      expect(await names(member.id)).toEqual(
        [
          MEMBER_ROLE_NAMES.apply,
          `${MEMBER_ROLE_NAMES.forward}-eu-west-1`,
          `${MEMBER_ROLE_NAMES.forward}-us-east-1`,
          MEMBER_ROLE_NAMES.read,
          'etl-nightly-runtime',
        ].sort(),
      );
    }
  });

  it("the hub's diagnose session assumes a member's read role with the external id and acts in that member only", async () => {
    const { hub, memberA } = deployment.organization;
    const diagnose = await hubFunctionSession('diagnose');
    const member = await assume(diagnose, memberRoleArn(memberA.id, 'read'), { ExternalId: EXTERNAL_ID });
    const identity = await member.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(memberA.id);
    proxy.clearCalls();
    const role = await member.iam.send(new GetRoleCommand({ RoleName: 'etl-nightly-runtime' }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::${memberA.id}:role/etl-nightly-runtime`);
    expect(proxy.callsIn(memberA.id, 'iam').map((call) => call.operation)).toEqual(['iam:GetRole']);
    expect(proxy.callsIn(hub.id, 'iam')).toEqual([]);
  });

  it('the apply session sets the approver as source identity on the apply role', async () => {
    const { memberB } = deployment.organization;
    const apply = await hubFunctionSession('apply');
    await assume(apply, memberRoleArn(memberB.id, 'apply'), {
      ExternalId: EXTERNAL_ID,
      SourceIdentity: 'ada@example.com',
    });
    const session = proxy.sessions.find((tracked) => tracked.roleArn === memberRoleArn(memberB.id, 'apply'));
    expect(session).toMatchObject({
      account: memberB.id,
      sourceIdentity: 'ada@example.com',
      externalId: EXTERNAL_ID,
    });
  });

  it('STS refuses what the trust does not admit: no external id, another hub role, a role that is missing, a caller outside the organization', async () => {
    const { memberA } = deployment.organization;
    const diagnose = await hubFunctionSession('diagnose');
    const approval = await hubFunctionSession('approval');
    const refused = {
      name: 'AccessDenied',
      message: expect.stringContaining('is not authorized to perform: sts:AssumeRole'),
    };

    await expect(assume(diagnose, memberRoleArn(memberA.id, 'read'))).rejects.toMatchObject(refused);
    await expect(
      assume(diagnose, memberRoleArn(memberA.id, 'read'), { ExternalId: 'not-the-external-id' }),
    ).rejects.toMatchObject(refused);
    // The approval function re-reads; it never writes: the apply role does not admit it.
    await expect(
      assume(approval, memberRoleArn(memberA.id, 'apply'), { ExternalId: EXTERNAL_ID }),
    ).rejects.toMatchObject(refused);
    // Without sts:SetSourceIdentity in the read role's trust, a source identity is refused.
    await expect(
      assume(diagnose, memberRoleArn(memberA.id, 'read'), {
        ExternalId: EXTERNAL_ID,
        SourceIdentity: 'someone',
      }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });

    // The member role is gone (the StackSet instance was deleted, or never deployed).
    const member = deployment.clients(memberA.id);
    await deleteRole(member.iam, MEMBER_ROLE_NAMES.read);
    await expect(
      assume(diagnose, memberRoleArn(memberA.id, 'read'), { ExternalId: EXTERNAL_ID }),
    ).rejects.toMatchObject(refused);

    // A role with the hub role's name in an account outside the organization.
    await deployment.clients(OUTSIDE_ACCOUNT_ID).iam.send(
      new CreateRoleCommand({
        RoleName: HUB_ROLE_NAMES.diagnose,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    const impostor = await hubFunctionSession('diagnose', OUTSIDE_ACCOUNT_ID);
    await expect(
      assume(impostor, memberRoleArn(deployment.organization.memberB.id, 'read'), {
        ExternalId: EXTERNAL_ID,
      }),
    ).rejects.toMatchObject(refused);
    // The same call from the hub's own diagnose role is admitted: what the refusals above lacked.
    await expect(
      assume(diagnose, memberRoleArn(deployment.organization.memberB.id, 'read'), {
        ExternalId: EXTERNAL_ID,
      }),
    ).resolves.toBeDefined();
    expect(hubRoleArn(deployment.organization.hub.id, 'diagnose')).toBe(
      `arn:aws:iam::${deployment.organization.hub.id}:role/${HUB_ROLE_NAMES.diagnose}`,
    );
  });

  it('an expired session is refused with ExpiredToken until a new one is assumed', async () => {
    const { memberB } = deployment.organization;
    const diagnose = await hubFunctionSession('diagnose');
    const member = await assume(diagnose, memberRoleArn(memberB.id, 'read'), { ExternalId: EXTERNAL_ID });
    await member.iam.send(new GetRoleCommand({ RoleName: 'etl-nightly-runtime' }));
    expect(
      proxy.expireSessions((session) => session.roleArn === memberRoleArn(memberB.id, 'read')),
    ).toBeGreaterThan(0);
    await expect(
      member.iam.send(new GetRoleCommand({ RoleName: 'etl-nightly-runtime' })),
    ).rejects.toMatchObject({
      name: 'ExpiredToken',
    });
    const renewed = await assume(diagnose, memberRoleArn(memberB.id, 'read'), { ExternalId: EXTERNAL_ID });
    await expect(
      renewed.iam.send(new GetRoleCommand({ RoleName: 'etl-nightly-runtime' })),
    ).resolves.toBeDefined();
  });
});
