import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { InvalidInputError } from '../../../lambda/core/errors';
import type { PolicyDocument, ProposalTarget, UserDetails } from '../../../lambda/core/model';

const SEED_PATH = join(__dirname, '../../../examples/seed/account.json');
const SNAPSHOTS = join(__dirname, '../../fixtures/snapshots');

const MEI = 'arn:aws:iam::123456789012:user/mei.tanaka';
const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';

const passEtlRoleToGlue: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PassEtlNightlyRuntimeToGlue',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: ETL_ROLE,
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    },
  ],
};

const developers: ProposalTarget = {
  type: 'group',
  name: 'Developers',
  arn: 'arn:aws:iam::123456789012:group/Developers',
  memberCount: 3,
};

function seedJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(SEED_PATH, 'utf8')) as Record<string, unknown>;
}

function asUser(principal: unknown): UserDetails {
  const user = principal as UserDetails | null;
  if (user?.kind !== 'user') throw new Error('expected a user principal');
  return user;
}

async function rejection(promise: Promise<unknown>): Promise<InvalidInputError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

function syncRejection(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('SnapshotAccountReader.fromFile', () => {
  it('reads the seed: mei.tanaka in GlueAccess and Developers, the glue-trusted role', async () => {
    const reader = await SnapshotAccountReader.fromFile(SEED_PATH);
    const scope = await reader.loadScope(MEI, ETL_ROLE);
    const mei = asUser(scope.principal);
    expect(mei.groups.map((group) => `${group.name}:${group.memberCount}`)).toEqual([
      'GlueAccess:2',
      'Developers:3',
    ]);
    expect(mei.groups[0]?.attachedPolicies.map((policy) => policy.name)).toEqual([
      'AWSGlueConsoleFullAccess',
    ]);
    expect(mei.groups[1]?.inlinePolicies.map((policy) => policy.name)).toEqual([
      'RequireMFA',
      'DeveloperRead',
    ]);
    expect(scope.passedRole?.trustPolicy?.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(scope.notes).toEqual([]);
  });

  it('reads a snapshot whose documents are URL-encoded', async () => {
    const reader = await SnapshotAccountReader.fromFile(join(SNAPSHOTS, 'url-encoded.json'));
    const scope = await reader.loadScope(
      'arn:aws:iam::123456789012:user/people/ana',
      'arn:aws:iam::123456789012:role/batch-runner',
    );
    expect(asUser(scope.principal).groups[0]?.attachedPolicies[0]?.name).toBe('OpsRead');
    expect(scope.passedRole?.trustPolicy).not.toBeNull();
  });

  it('returns null for a principal the snapshot lacks', async () => {
    const reader = await SnapshotAccountReader.fromFile(join(SNAPSHOTS, 'assumed-role-boundary.json'));
    const scope = await reader.loadScope(
      'arn:aws:iam::210987654321:user/nobody',
      'arn:aws:iam::210987654321:role/service-role/AWSGlueServiceRole-etl',
    );
    expect(scope.principal).toBeNull();
    expect(scope.passedRole?.path).toBe('/service-role/');
  });

  it('names the path of a file it cannot read', async () => {
    const missing = join(SNAPSHOTS, 'no-such-snapshot.json');
    const error = await rejection(SnapshotAccountReader.fromFile(missing));
    expect(error.where).toBe(missing);
    expect(error.message).toContain(`${missing}: cannot read the snapshot (ENOENT`);
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
  });

  it('names the path of a file that is not JSON', async () => {
    const truncated = join(SNAPSHOTS, 'truncated.json');
    const error = await rejection(SnapshotAccountReader.fromFile(truncated));
    expect(error.where).toBe(truncated);
    expect(error.message).toContain(`${truncated}: not JSON`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects a malformed snapshot at load, naming the JSON path', async () => {
    const seed = seedJson() as { RoleDetailList: { AssumeRolePolicyDocument: unknown }[] };
    const role = seed.RoleDetailList[0];
    if (role === undefined) throw new Error('seed changed');
    role.AssumeRolePolicyDocument = '%7B%22Statement';
    const error = syncRejection(() => new SnapshotAccountReader(seed, 'account.json'));
    expect(error.where).toBe('account.json: RoleDetailList[0].AssumeRolePolicyDocument');
    expect(error.message).toMatch(
      /^account\.json: RoleDetailList\[0\]\.AssumeRolePolicyDocument: not a JSON policy/,
    );
  });

  it('rejects JSON that is not GetAccountAuthorizationDetails output', () => {
    const error = syncRejection(() => new SnapshotAccountReader({ Records: [] }, 'trail.json'));
    expect(error.where).toBe('trail.json');
    expect(error.message).toContain('not GetAccountAuthorizationDetails output');
  });
});

describe('SnapshotAccountReader as a PolicyWriter', () => {
  it('applies a group inline policy that a later loadScope sees', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    await reader.putInlinePolicy(developers, 'PassRole-etl-nightly-runtime-glue', passEtlRoleToGlue);

    const scope = await reader.loadScope(MEI, ETL_ROLE);
    const group = asUser(scope.principal).groups.find((candidate) => candidate.name === 'Developers');
    expect(group?.inlinePolicies.map((policy) => policy.name)).toEqual([
      'RequireMFA',
      'DeveloperRead',
      'PassRole-etl-nightly-runtime-glue',
    ]);
    expect(group?.inlinePolicies[2]?.document).toEqual(passEtlRoleToGlue);
    expect(await reader.getInlinePolicy(developers, 'PassRole-etl-nightly-runtime-glue')).toEqual(
      passEtlRoleToGlue,
    );
  });

  it('replaces a policy of the same name rather than adding a second', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    await reader.putInlinePolicy(developers, 'DeveloperRead', passEtlRoleToGlue);
    const scope = await reader.loadScope(MEI, ETL_ROLE);
    const group = asUser(scope.principal).groups[1];
    expect(group?.inlinePolicies.map((policy) => policy.name)).toEqual(['RequireMFA', 'DeveloperRead']);
    expect(group?.inlinePolicies[1]?.document).toEqual(passEtlRoleToGlue);
  });

  it('writes user and role inline policies, creating their lists', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    const mei: ProposalTarget = { type: 'user', name: 'mei.tanaka', arn: MEI, memberCount: 1 };
    const role: ProposalTarget = {
      type: 'role',
      name: 'etl-nightly-runtime',
      arn: ETL_ROLE,
      memberCount: null,
    };
    await reader.putInlinePolicy(mei, 'Mine', passEtlRoleToGlue);
    await reader.putInlinePolicy(role, 'Extra', passEtlRoleToGlue);

    const scope = await reader.loadScope(MEI, ETL_ROLE);
    expect(asUser(scope.principal).inlinePolicies).toEqual([{ name: 'Mine', document: passEtlRoleToGlue }]);
    expect(scope.passedRole?.inlinePolicies.map((policy) => policy.name)).toEqual(['EtlData', 'Extra']);
    expect(await reader.getInlinePolicy(mei, 'Mine')).toEqual(passEtlRoleToGlue);
  });

  it('reads an existing inline policy, and null for one that does not exist', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    const existing = await reader.getInlinePolicy(developers, 'DeveloperRead');
    expect(existing?.Statement).toEqual([expect.objectContaining({ Sid: 'ReadLogs' })]);
    expect(await reader.getInlinePolicy(developers, 'NoSuchPolicy')).toBeNull();
  });

  it('refuses a permission set and an entity the snapshot lacks', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    const permissionSet: ProposalTarget = {
      type: 'permission-set',
      name: 'DataEngineer',
      arn: null,
      memberCount: null,
    };
    const setError = await rejection(reader.putInlinePolicy(permissionSet, 'P', passEtlRoleToGlue));
    expect(setError.message).toContain('cannot be applied to an IAM snapshot');

    const ghost: ProposalTarget = { type: 'group', name: 'Ghosts', arn: null, memberCount: null };
    const ghostError = await rejection(reader.getInlinePolicy(ghost, 'P'));
    expect(ghostError.message).toBe('account.json: no group named Ghosts in the snapshot');
  });

  it('keeps its own copy: neither the input nor a written document can change it afterwards', async () => {
    const json = seedJson();
    const reader = new SnapshotAccountReader(json, 'account.json');
    const document = structuredClone(passEtlRoleToGlue);
    await reader.putInlinePolicy(developers, 'Pass', document);
    document.Statement = [];
    json.GroupDetailList = [];

    const scope = await reader.loadScope(MEI, ETL_ROLE);
    expect(asUser(scope.principal).groups[1]?.inlinePolicies[2]?.document).toEqual(passEtlRoleToGlue);
    expect(JSON.stringify(seedJson())).not.toContain('PassEtlNightlyRuntimeToGlue');
  });

  it('exports the changed snapshot, which loads again with the change', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    await reader.putInlinePolicy(developers, 'Pass', passEtlRoleToGlue);
    const reloaded = new SnapshotAccountReader(reader.toAuthorizationDetails(), 'applied.json');
    expect(await reloaded.getInlinePolicy(developers, 'Pass')).toEqual(passEtlRoleToGlue);
  });
});

describe('SnapshotAccountReader as a RolePathResolver', () => {
  function withTeamRole(): Record<string, unknown> {
    const json = seedJson();
    const roles = json['RoleDetailList'] as Record<string, unknown>[];
    roles.push({
      ...roles[0],
      Path: '/team/',
      RoleName: 'Reviewer',
      RoleId: 'AROAEXAMPLEREVIEW0001',
      Arn: 'arn:aws:iam::123456789012:role/team/Reviewer',
    });
    return json;
  }

  it("resolves a role's path, its name compared as IAM compares it", async () => {
    const reader = new SnapshotAccountReader(withTeamRole(), 'account.json');
    expect(await reader.rolePath('123456789012', 'etl-nightly-runtime')).toBe('/');
    expect(await reader.rolePath('123456789012', 'Reviewer')).toBe('/team/');
    expect(await reader.rolePath('123456789012', 'reviewer')).toBe('/team/');
  });

  it('resolves it in its own account only, and null for a role it lacks', async () => {
    const reader = new SnapshotAccountReader(withTeamRole(), 'account.json');
    expect(await reader.rolePath('210987654321', 'Reviewer')).toBeNull();
    expect(await reader.rolePath('123456789012', 'nobody')).toBeNull();
  });
});

describe('SnapshotAccountReader as an InstanceProfileResolver', () => {
  const PROFILE_ARN = 'arn:aws:iam::123456789012:instance-profile/workers/etl-workers';
  function withProfile(): Record<string, unknown> {
    const json = seedJson();
    const roles = json['RoleDetailList'] as Record<string, unknown>[];
    roles[0] = {
      ...roles[0],
      InstanceProfileList: [
        {
          Path: '/workers/',
          InstanceProfileName: 'etl-workers',
          InstanceProfileId: 'AIPAEXAMPLEETLWORKERS',
          Arn: PROFILE_ARN,
          Roles: [],
        },
      ],
    };
    return json;
  }

  it('finds the role that holds the profile, by the profile ARN or its name (as IAM compares names)', async () => {
    const reader = new SnapshotAccountReader(withProfile(), 'account.json');
    expect(await reader.instanceProfileRole('123456789012', PROFILE_ARN)).toBe(ETL_ROLE);
    expect(await reader.instanceProfileRole('123456789012', 'etl-workers')).toBe(ETL_ROLE);
    expect(await reader.instanceProfileRole('123456789012', 'ETL-Workers')).toBe(ETL_ROLE);
  });

  it('is not-found for a profile it lacks, of another account, at another path, or no profile at all', async () => {
    const reader = new SnapshotAccountReader(withProfile(), 'account.json');
    expect(await reader.instanceProfileRole('123456789012', 'web-tier')).toBe('not-found');
    expect(await reader.instanceProfileRole('210987654321', 'etl-workers')).toBe('not-found');
    expect(
      await reader.instanceProfileRole(
        '123456789012',
        'arn:aws:iam::210987654321:instance-profile/workers/etl-workers',
      ),
    ).toBe('not-found');
    expect(
      await reader.instanceProfileRole(
        '123456789012',
        'arn:aws:iam::123456789012:instance-profile/etl-workers',
      ),
    ).toBe('not-found');
    expect(await reader.instanceProfileRole('123456789012', 'not a profile')).toBe('not-found');
  });

  it('refuses a snapshot whose instance profile has no name, with the path of the problem', () => {
    const json = withProfile();
    const roles = json['RoleDetailList'] as Record<string, unknown>[];
    roles[0] = { ...roles[0], InstanceProfileList: [{ Arn: PROFILE_ARN }] };
    expect(syncRejection(() => new SnapshotAccountReader(json, 'account.json')).message).toBe(
      'account.json: RoleDetailList[0].InstanceProfileList[0].InstanceProfileName: must be a non-empty string',
    );
  });
});

describe('SnapshotAccountReader as a ManagedPolicyReader (a permission set’s managed policies, offline)', () => {
  it('gives the default version of a policy the snapshot holds, and null for one it does not', async () => {
    const reader = new SnapshotAccountReader(seedJson(), 'account.json');
    const glue = await reader.managedPolicy('arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess');
    expect(glue).toMatchObject({ name: 'AWSGlueConsoleFullAccess' });
    expect(JSON.stringify(glue?.document)).toContain('glue:*');
    expect(await reader.managedPolicy('arn:aws:iam::123456789012:policy/team/NotThere')).toBeNull();
  });
});
