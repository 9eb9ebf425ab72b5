import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import {
  MEMBERS_READ_IN_FULL,
  SCOPE_READ_REUSE_MS,
  TargetedAccountReader,
} from '../../../lambda/adapters/aws/targeted-account-reader';
import type { AuthorizationDetails } from '../../../lambda/adapters/gaad/shapes';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import type { UserDetails } from '../../../lambda/core/model';
import { escalationAccount, READ_ONLY } from '../support/escalation-account';
import { fakeIamFromSnapshot } from '../../support/iam-snapshot-fake';

const SEED_PATH = join(__dirname, '../../../examples/seed/account.json');
const FIXTURES = join(__dirname, '../../fixtures/snapshots');
const ACCOUNT = '123456789012';
const MEI = `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`;
const ETL_ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';
const GLUE_ACCESS = {
  type: 'group' as const,
  name: 'GlueAccess',
  arn: `arn:aws:iam::${ACCOUNT}:group/GlueAccess`,
  memberCount: 2,
};

function readJson(path: string): AuthorizationDetails {
  return JSON.parse(readFileSync(path, 'utf8')) as AuthorizationDetails;
}

function newClient(): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

function seedReader(details: AuthorizationDetails = readJson(SEED_PATH)) {
  const iam = newClient();
  const mock = fakeIamFromSnapshot(iam, details);
  return { iam, mock, details, reader: new TargetedAccountReader(iam) };
}

function serviceError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return new IAMServiceException({
    name,
    $fault: fault,
    message: `${name} for the test`,
    $metadata: { httpStatusCode: status },
  });
}

const commands = (mock: ReturnType<typeof seedReader>['mock']) =>
  mock.calls().map((call) => (call.args[0] as object).constructor.name);

describe('TargetedAccountReader.loadScope', () => {
  const snapshots: [string, AuthorizationDetails][] = [
    ['examples/seed/account.json', readJson(SEED_PATH)],
    ...['assumed-role-boundary.json', 'url-encoded.json'].map((name): [string, AuthorizationDetails] => [
      name,
      readJson(join(FIXTURES, name)),
    ]),
  ];

  it.each(snapshots)(
    'reads the same scope as the snapshot reader, for every principal and role of %s',
    async (name, details) => {
      const principals = [...(details.UserDetailList ?? []), ...(details.RoleDetailList ?? [])];
      const roles = details.RoleDetailList ?? [];
      const offline = new SnapshotAccountReader(details, name);
      for (const principal of principals) {
        for (const role of roles) {
          const live = await seedReader(details).reader.loadScope(principal.Arn ?? '', role.Arn ?? '');
          const expected = await offline.loadScope(principal.Arn ?? '', role.Arn ?? '');
          // An AWS managed policy the snapshot lacks is one IAM does not have either (the fake is the snapshot).
          const notes = expected.notes.map((note) =>
            note.replace(
              'its document is not in the account data',
              'it no longer exists (GetPolicy: NoSuchEntity)',
            ),
          );
          expect(live).toEqual({ ...expected, notes });
        }
      }
      expect(principals.length * roles.length).toBeGreaterThan(0);
    },
  );

  it('reads the seed scenario in 18 targeted calls, without GetAccountAuthorizationDetails', async () => {
    const { reader, mock } = seedReader();
    await reader.loadScope(MEI, ETL_ROLE);
    expect(commands(mock).sort()).toEqual(
      [
        'GetUserCommand',
        'ListGroupsForUserCommand',
        'ListUserPoliciesCommand',
        'ListAttachedUserPoliciesCommand',
        'GetRoleCommand',
        'ListRolePoliciesCommand',
        'ListAttachedRolePoliciesCommand',
        'GetRolePolicyCommand',
        ...['GetGroupCommand', 'ListGroupPoliciesCommand', 'ListAttachedGroupPoliciesCommand'].flatMap(
          (command) => [command, command],
        ),
        'GetGroupPolicyCommand',
        'GetGroupPolicyCommand',
        'GetPolicyCommand',
        'GetPolicyVersionCommand',
      ].sort(),
    );
  });

  it("takes each group's member count from the group's read, not from the users it read", async () => {
    const { reader, mock } = seedReader();
    const scope = await reader.loadScope(MEI, ETL_ROLE);
    const groups = (scope.principal as UserDetails).groups;
    expect(groups.map((group) => [group.name, group.memberCount])).toEqual([
      ['GlueAccess', 2],
      ['Developers', 3],
    ]);
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 1);
  });

  it('gives a principal deleted since the event as null, and a deleted passed role as null', async () => {
    const details = readJson(SEED_PATH);
    details.UserDetailList = details.UserDetailList?.filter((user) => user.UserName !== 'mei.tanaka');
    const gone = await seedReader(details).reader.loadScope(MEI, ETL_ROLE);
    expect(gone.principal).toBeNull();
    expect(gone.passedRole?.name).toBe('etl-nightly-runtime');

    const noRole = readJson(SEED_PATH);
    noRole.RoleDetailList = [];
    const scope = await seedReader(noRole).reader.loadScope(MEI, ETL_ROLE);
    expect(scope.principal?.name).toBe('mei.tanaka');
    expect(scope.passedRole).toBeNull();
  });

  it("does not take another account's entity of the same name", async () => {
    const { reader } = seedReader();
    const scope = await reader.loadScope(
      'arn:aws:iam::210987654321:user/mei.tanaka',
      'arn:aws:iam::210987654321:role/etl-nightly-runtime',
    );
    expect(scope.principal).toBeNull();
    expect(scope.passedRole).toBeNull();
  });

  it('asks GetPolicy every incident and reads a version once per reader', async () => {
    const { reader, mock } = seedReader();
    await reader.loadScope(MEI, ETL_ROLE);
    await reader.loadScope(MEI, ETL_ROLE);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyCommand, 2);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyVersionCommand, 1);
    // Each incident reads its entities afresh: an applied fix must show.
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 2);
  });

  it("sees an AWS managed policy's new default version at once (the cache is by version)", async () => {
    const details = readJson(SEED_PATH);
    const { reader } = seedReader(details);
    const before = await reader.loadScope(MEI, ETL_ROLE);
    const policy = details.Policies?.find((candidate) => candidate.Arn === GLUE_CONSOLE);
    const newDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }],
    };
    policy?.PolicyVersionList?.forEach((version) => (version.IsDefaultVersion = false));
    policy?.PolicyVersionList?.push({ VersionId: 'v99', IsDefaultVersion: true, Document: newDocument });
    if (policy !== undefined) policy.DefaultVersionId = 'v99';
    const after = await reader.loadScope(MEI, ETL_ROLE);
    const glue = (scope: typeof before) =>
      (scope.principal as UserDetails).groups[0]?.attachedPolicies[0]?.document;
    expect(glue(before)).not.toEqual(newDocument);
    expect(glue(after)).toEqual(newDocument);
  });

  it('notes an AWS managed policy that no longer exists and goes on without it', async () => {
    const details = readJson(SEED_PATH);
    details.Policies = [];
    const scope = await seedReader(details).reader.loadScope(MEI, ETL_ROLE);
    expect((scope.principal as UserDetails).groups[0]?.attachedPolicies).toEqual([]);
    expect(scope.notes).toEqual([
      `Managed policy AWSGlueConsoleFullAccess (${GLUE_CONSOLE}), attached to group/GlueAccess, is left out: it no longer exists (GetPolicy: NoSuchEntity).`,
    ]);
  });

  it("with reuseEntityReads (the CLI), reads each entity once for the reader's life", async () => {
    const iam = newClient();
    const mock = fakeIamFromSnapshot(iam, readJson(SEED_PATH));
    const reader = new TargetedAccountReader(iam, { reuseEntityReads: true });
    await reader.loadScope(MEI, ETL_ROLE);
    await reader.loadScope(`arn:aws:iam::${ACCOUNT}:user/li.wei`, ETL_ROLE);
    expect(mock).toHaveReceivedCommandTimes(GetRoleCommand, 1);
    expect(mock).toHaveReceivedCommandTimes(GetGroupCommand, 2);
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 2);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
  });
});

describe('TargetedAccountReader error mapping', () => {
  it('maps AccessDenied to AwsCallError naming the permission the call needs', async () => {
    const { reader, mock } = seedReader();
    const denied = serviceError('AccessDenied', 403);
    mock.on(GetUserCommand).rejects(denied);
    const error = await reader.loadScope(MEI, ETL_ROLE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).not.toBeInstanceOf(TransientAwsError);
    expect((error as Error).message).toBe(
      'Access denied: the reader needs iam:GetUser (AccessDenied: AccessDenied for the test)',
    );
    expect((error as Error).cause).toBe(denied);
  });

  it.each([
    ['throttling', serviceError('Throttling', 400)],
    ['a 5xx', serviceError('ServiceFailure', 500, 'server')],
    ['a network failure', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('maps %s to TransientAwsError, keeping the cause', async (_label, failure) => {
    const { reader, mock } = seedReader();
    mock.on(GetGroupCommand).rejects(failure);
    const error = await reader.loadScope(MEI, ETL_ROLE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).cause).toBe(failure);
    expect((error as Error).message).toContain('iam:GetGroup failed, worth retrying later');
  });

  it('does not remember a failed read: the next incident asks again', async () => {
    const details = readJson(SEED_PATH);
    const iam = newClient();
    const mock = fakeIamFromSnapshot(iam, details);
    const reader = new TargetedAccountReader(iam, { reuseEntityReads: true });
    mock.on(GetPolicyCommand).rejects(serviceError('Throttling', 400));
    await expect(reader.loadScope(MEI, ETL_ROLE)).rejects.toBeInstanceOf(TransientAwsError);
    fakeIamFromSnapshot(iam, details);
    const scope = await reader.loadScope(MEI, ETL_ROLE);
    expect((scope.principal as UserDetails).groups[0]?.attachedPolicies).toHaveLength(1);
  });
});

describe('TargetedAccountReader.readEscalationInputs', () => {
  const account = () => escalationAccount() as unknown as AuthorizationDetails;

  it('reads what the snapshot of the same account reads', async () => {
    const details = account();
    const seedPolicies = readJson(SEED_PATH).Policies ?? [];
    details.Policies = seedPolicies;
    const { reader } = seedReader(details);
    const live = await reader.readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    const offline = await new SnapshotAccountReader(details, 'account.json').readEscalationInputs(
      ETL_ROLE,
      GLUE_ACCESS,
    );
    expect(live.role).toEqual(offline.role);
    expect([...live.gainers].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [...offline.gainers].sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(live.trustingRoles.map((role) => role.name).sort()).toEqual(
      offline.trustingRoles.map((role) => role.name).sort(),
    );
    expect(live.trustingRoles.map((role) => role.name).sort()).toEqual(['etl-admin', 'etl-chain']);
    expect(live.notes).toEqual([
      `Managed policy ReadOnlyAccess (${READ_ONLY}), attached to user/li.wei, is left out: it no longer exists (GetPolicy: NoSuchEntity).`,
    ]);
    expect(live.scps).toBeNull();
  });

  it('within one incident reuses the scope reads; any other caller reads afresh', async () => {
    let now = 1_000_000;
    const iam = newClient();
    const mock = fakeIamFromSnapshot(iam, account());
    const reader = new TargetedAccountReader(iam, { now: () => now });
    await reader.loadScope(MEI, ETL_ROLE);
    const inputs = await reader.readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    expect(inputs.gainers).toHaveLength(2);
    expect(mock).toHaveReceivedCommandTimes(GetRoleCommand, 3); // R once, then the two roles that trust it
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 2); // mei.tanaka reused, li.wei read
    expect(mock).toHaveReceivedCommandTimes(ListRolesCommand, 1);

    await reader.readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 4);

    await reader.loadScope(MEI, ETL_ROLE);
    now += SCOPE_READ_REUSE_MS;
    await reader.readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 7);
  });

  it('names a target that does not exist, and a role that does not exist is null', async () => {
    const { reader } = seedReader(account());
    const inputs = await reader.readEscalationInputs(ETL_ROLE, { ...GLUE_ACCESS, name: 'Nobody', arn: null });
    expect(inputs.gainers).toEqual([]);
    expect(inputs.notes).toEqual([
      'group Nobody is not in the account data: who gains the grant is unknown.',
    ]);
    const missing = await reader.readEscalationInputs(`arn:aws:iam::${ACCOUNT}:role/gone`, GLUE_ACCESS);
    expect(missing.role).toBeNull();
    expect(missing.trustingRoles).toEqual([]);
  });

  function withMembers(count: number): AuthorizationDetails {
    const details = account();
    const extra = Array.from({ length: count }, (_, index) => ({
      UserName: `member-${index}`,
      Arn: `arn:aws:iam::${ACCOUNT}:user/member-${index}`,
      GroupList: ['GlueAccess'],
      UserPolicyList: [{ PolicyName: 'own', PolicyDocument: { Statement: [] } }],
    }));
    details.UserDetailList = [...(details.UserDetailList ?? []), ...extra];
    return details;
  }

  it(`reads a target group of up to ${MEMBERS_READ_IN_FULL} members in full, 16 at a time`, async () => {
    let inFlight = 0;
    let most = 0;
    const iam = newClient();
    fakeIamFromSnapshot(iam, withMembers(MEMBERS_READ_IN_FULL - 2), {
      onCall: async (command) => {
        if (command !== 'GetUserCommand') return;
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
      },
    });
    const inputs = await new TargetedAccountReader(iam).readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    expect(inputs.gainers).toHaveLength(MEMBERS_READ_IN_FULL);
    expect(most).toBe(16);
    expect(inputs.notes.some((note) => note.includes('members, more than'))).toBe(false);
  });

  it('a larger target group: each member compared with the group policies only, said in a note', async () => {
    const iam = newClient();
    const mock = fakeIamFromSnapshot(iam, withMembers(40));
    const inputs = await new TargetedAccountReader(iam).readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    // Everyone who gains is named (the membership fingerprint), none read one by one.
    expect(inputs.gainers).toHaveLength(42);
    expect(mock).toHaveReceivedCommandTimes(GetUserCommand, 0);
    const member = inputs.gainers.find((gainer) => gainer.name === 'member-7');
    expect(member).toMatchObject({ kind: 'user', inlinePolicies: [], attachedPolicies: [] });
    expect(member?.kind === 'user' ? member.groups.map((group) => group.name) : []).toEqual(['GlueAccess']);
    expect(inputs.notes).toContain(
      `Group GlueAccess has 42 members, more than the ${MEMBERS_READ_IN_FULL} read one by one: each is compared as if it had only the group's policies, which can only overstate what the grant adds.`,
    );
  });

  it('carries the SCPs it was given', async () => {
    const iam = newClient();
    fakeIamFromSnapshot(iam, account());
    const scp = {
      name: 'Root',
      document: { Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] },
    };
    const inputs = await new TargetedAccountReader(iam, { scps: [[scp]] }).readEscalationInputs(
      ETL_ROLE,
      GLUE_ACCESS,
    );
    expect(inputs.scps).toEqual([[scp]]);
  });
});

describe('TargetedAccountReader.rolePath and instanceProfileRole', () => {
  it("resolves a role's path in its own account, afresh each time", async () => {
    const details = readJson(SEED_PATH);
    const role = details.RoleDetailList?.[0];
    if (role !== undefined)
      Object.assign(role, { Path: '/team/', Arn: `arn:aws:iam::${ACCOUNT}:role/team/${role.RoleName}` });
    const { reader, mock } = seedReader(details);
    expect(await reader.rolePath(ACCOUNT, 'etl-nightly-runtime')).toBe('/team/');
    expect(await reader.rolePath('210987654321', 'etl-nightly-runtime')).toBeNull();
    expect(await reader.rolePath(ACCOUNT, 'nobody')).toBeNull();
    expect(mock).toHaveReceivedCommandTimes(GetRoleCommand, 3);
  });

  it('resolves an instance profile by name or ARN to its role; none, missing or foreign as such', async () => {
    const iam = newClient();
    fakeIamFromSnapshot(iam, readJson(SEED_PATH), {
      instanceProfiles: { 'etl-profile': { roles: ['etl-nightly-runtime'] }, empty: { roles: [] } },
    });
    const reader = new TargetedAccountReader(iam);
    expect(await reader.instanceProfileRole(ACCOUNT, 'etl-profile')).toBe(ETL_ROLE);
    expect(
      await reader.instanceProfileRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:instance-profile/etl-profile`),
    ).toBe(ETL_ROLE);
    expect(await reader.instanceProfileRole(ACCOUNT, 'empty')).toBeNull();
    expect(await reader.instanceProfileRole(ACCOUNT, 'nothing')).toBe('not-found');
    expect(
      await reader.instanceProfileRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:instance-profile/team/etl-profile`),
    ).toBe('not-found');
    expect(
      await reader.instanceProfileRole(ACCOUNT, 'arn:aws:iam::210987654321:instance-profile/etl-profile'),
    ).toBe('not-found');
  });
});

describe('TargetedAccountReader as a ManagedPolicyReader (a permission set’s managed policies)', () => {
  it('reads a managed policy’s default version by ARN, once per version per container', async () => {
    const { reader, mock } = seedReader();
    const policy = await reader.managedPolicy(GLUE_CONSOLE);
    expect(policy).toMatchObject({ arn: GLUE_CONSOLE, name: 'AWSGlueConsoleFullAccess' });
    expect(JSON.stringify(policy?.document)).toContain('iam:PassRole');
    await reader.managedPolicy(GLUE_CONSOLE);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyCommand, 2);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyVersionCommand, 1);
  });

  it('answers null for a policy the account does not have (a reference by a name it lacks)', async () => {
    const { reader } = seedReader();
    await expect(reader.managedPolicy(`arn:aws:iam::${ACCOUNT}:policy/NotHere`)).resolves.toBeNull();
  });
});
