/**
 * The targeted live reader against moto's IAM (with AWS's real managed policies): the seed account.
 * Calls and round trips are counted by recordAwsCalls on the client, as the benchmark counts them.
 */
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  PutGroupPolicyCommand,
} from '@aws-sdk/client-iam';
import { recordAwsCalls, summarizeAwsCalls } from '../../lambda/adapters/aws/aws-call-recorder';
import { TargetedAccountReader } from '../../lambda/adapters/aws/targeted-account-reader';
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';
import type { PolicyDocument, UserDetails } from '../../lambda/core/model';
import { motoClientConfig, MOTO_ACCOUNT_ID } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { motoEndpoint } from './support/aws-clients';
import { SEED_ACCOUNT, seedGlueAccount } from './support/seed-account';

const MEI = `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/mei.tanaka`;
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/etl-nightly-runtime`;
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';
const GLUE_ACCESS = {
  type: 'group' as const,
  name: 'GlueAccess',
  arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:group/GlueAccess`,
  memberCount: 2,
};

/** A client of its own per reader, so recordAwsCalls counts that reader's calls only. */
function newIam(): IAMClient {
  return new IAMClient(motoClientConfig());
}

const groupsOf = (principal: unknown) => (principal as UserDetails).groups;

describe('TargetedAccountReader, live against moto_server', () => {
  let admin: IAMClient;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    admin = newIam();
    await seedGlueAccount(admin);
  });

  afterAll(() => admin.destroy());

  it('reads the seed scenario as the snapshot of it reads, in at most 20 calls and 4 round trips', async () => {
    const iam = newIam();
    const calls = recordAwsCalls(iam);
    const scope = await new TargetedAccountReader(iam).loadScope(MEI, ROLE);
    const summary = summarizeAwsCalls(calls);
    iam.destroy();

    expect(summary.calls).toBeLessThanOrEqual(20);
    expect(summary.sequentialRoundTrips).toBeLessThanOrEqual(4);
    expect(summary.byCommand['GetAccountAuthorizationDetailsCommand']).toBeUndefined();
    expect(summary).toMatchObject({ calls: 18, sequentialRoundTrips: 4 });

    // The snapshot's own document of AWSGlueConsoleFullAccess may differ from moto's copy: compare the rest.
    const offline = await new SnapshotAccountReader(SEED_ACCOUNT, 'account.json').loadScope(MEI, ROLE);
    const withoutManaged = (value: unknown) =>
      JSON.parse(JSON.stringify(value), (key, inner: unknown) => (key === 'document' && inner ? '…' : inner));
    expect(withoutManaged(scope)).toEqual(withoutManaged(offline));
    expect(groupsOf(scope.principal)[0]?.attachedPolicies[0]?.arn).toBe(GLUE_CONSOLE);
  });

  it("takes group member counts from the group's read", async () => {
    const iam = newIam();
    const scope = await new TargetedAccountReader(iam).loadScope(MEI, ROLE);
    iam.destroy();
    expect(groupsOf(scope.principal).map((group) => [group.name, group.memberCount])).toEqual([
      ['GlueAccess', 2],
      ['Developers', 3],
    ]);
  });

  it('sees a policy edited between two incidents, on the same warm reader', async () => {
    const iam = newIam();
    const reader = new TargetedAccountReader(iam);
    const before = await reader.loadScope(MEI, ROLE);
    const edited: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Edited', Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
    };
    await admin.send(
      new PutGroupPolicyCommand({
        GroupName: 'Developers',
        PolicyName: 'EditedBetweenIncidents',
        PolicyDocument: JSON.stringify(edited),
      }),
    );
    const after = await reader.loadScope(MEI, ROLE);
    iam.destroy();
    const developers = (scope: typeof before) =>
      groupsOf(scope.principal).find((g) => g.name === 'Developers');
    expect(developers(before)?.inlinePolicies.map((policy) => policy.name)).not.toContain(
      'EditedBetweenIncidents',
    );
    expect(
      developers(after)?.inlinePolicies.find((policy) => policy.name === 'EditedBetweenIncidents')?.document,
    ).toEqual(edited);
  });

  it("sees an AWS managed policy's new default version on a warm reader (no stale cache)", async () => {
    const iam = newIam();
    const calls = recordAwsCalls(iam);
    const reader = new TargetedAccountReader(iam);
    const before = await reader.loadScope(MEI, ROLE);
    const allowsPass: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'NewDefault', Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE }],
    };
    await admin.send(
      new CreatePolicyVersionCommand({
        PolicyArn: GLUE_CONSOLE,
        PolicyDocument: JSON.stringify(allowsPass),
        SetAsDefault: true,
      }),
    );
    const newDefault = (await admin.send(new GetPolicyCommand({ PolicyArn: GLUE_CONSOLE }))).Policy
      ?.DefaultVersionId;
    const after = await reader.loadScope(MEI, ROLE);
    // A third incident: the version is unchanged, so its document comes from the cache.
    await reader.loadScope(MEI, ROLE);
    iam.destroy();

    const glue = (scope: typeof before) => groupsOf(scope.principal)[0]?.attachedPolicies[0]?.document;
    expect(glue(before)).not.toEqual(allowsPass);
    expect(glue(after)).toEqual(allowsPass);
    const versionReads = calls
      .filter((call) => call.command === GetPolicyVersionCommand.name)
      .map((call) => call.command);
    expect(versionReads).toHaveLength(2);
    expect(calls.filter((call) => call.command === GetPolicyCommand.name)).toHaveLength(3);
    expect(newDefault).toBeDefined();
  });

  it('gives a principal that does not exist (deleted since the event) as null', async () => {
    const iam = newIam();
    const scope = await new TargetedAccountReader(iam).loadScope(
      `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/gone.user`,
      `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/gone-role`,
    );
    iam.destroy();
    expect(scope.principal).toBeNull();
    expect(scope.passedRole).toBeNull();
  });

  it("reads a role's permissions boundary (moto's PutUserPermissionsBoundary fails)", async () => {
    await admin.send(
      new CreateRoleCommand({
        RoleName: 'bounded-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'glue.amazonaws.com' } },
          ],
        }),
        PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );
    const iam = newIam();
    const scope = await new TargetedAccountReader(iam).loadScope(
      `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/bounded-role`,
      `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/bounded-role`,
    );
    iam.destroy();
    expect(scope.principal?.kind === 'role' && scope.principal.permissionsBoundary?.name).toBe(
      'ReadOnlyAccess',
    );
    expect(scope.passedRole?.permissionsBoundary?.document.Statement).not.toHaveLength(0);
  });

  it('counts the escalation reads separately: within one incident they reuse the scope reads', async () => {
    await admin.send(
      new CreateRoleCommand({
        RoleName: 'etl-admin-trusting',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: ROLE } }],
        }),
      }),
    );
    const iam = newIam();
    const calls = recordAwsCalls(iam);
    const reader = new TargetedAccountReader(iam);
    await reader.loadScope(MEI, ROLE);
    const scopeCalls = calls.length;
    const inputs = await reader.readEscalationInputs(ROLE, GLUE_ACCESS);
    const escalation = summarizeAwsCalls(calls.slice(scopeCalls));
    iam.destroy();

    expect(inputs.gainers.map((gainer) => gainer.name).sort()).toEqual(['li.wei', 'mei.tanaka']);
    expect(inputs.trustingRoles.map((role) => role.name)).toEqual(['etl-admin-trusting']);
    // li.wei (a member the scope did not read), the list of roles, and the trusting role: R is not re-read.
    expect(escalation.byCommand['GetUserCommand']).toBe(1);
    expect(escalation.byCommand['ListRolesCommand']).toBe(1);
    expect(escalation.byCommand['GetRoleCommand']).toBe(1);
    expect(escalation.byCommand['GetGroupCommand']).toBeUndefined();
  });

  it('resolves an instance profile to its role, and an approver role path', async () => {
    await admin.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'etl-profile', Path: '/etl/' }));
    await admin.send(
      new AddRoleToInstanceProfileCommand({
        InstanceProfileName: 'etl-profile',
        RoleName: 'etl-nightly-runtime',
      }),
    );
    await admin.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'empty-profile' }));
    const iam = newIam();
    const reader = new TargetedAccountReader(iam);
    expect(await reader.instanceProfileRole(MOTO_ACCOUNT_ID, 'etl-profile')).toBe(ROLE);
    expect(
      await reader.instanceProfileRole(
        MOTO_ACCOUNT_ID,
        `arn:aws:iam::${MOTO_ACCOUNT_ID}:instance-profile/etl/etl-profile`,
      ),
    ).toBe(ROLE);
    expect(await reader.instanceProfileRole(MOTO_ACCOUNT_ID, 'empty-profile')).toBeNull();
    expect(await reader.instanceProfileRole(MOTO_ACCOUNT_ID, 'no-such-profile')).toBe('not-found');
    expect(await reader.rolePath(MOTO_ACCOUNT_ID, 'etl-nightly-runtime')).toBe('/');
    expect(await reader.rolePath(MOTO_ACCOUNT_ID, 'no-such-role')).toBeNull();
    iam.destroy();
  });
});
