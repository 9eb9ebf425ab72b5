import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  managedPolicyArnsWithoutDocument,
  scopeFromAuthorizationDetails,
} from '../../lambda/adapters/authorization-details';
import { decodePolicyDocument } from '../../lambda/adapters/gaad/policy-document';
import type { AuthorizationDetails } from '../../lambda/adapters/gaad/shapes';
import { assertAuthorizationDetails } from '../../lambda/adapters/gaad/validate';
import { InvalidInputError } from '../../lambda/core/errors';
import type { PolicyDocument, RoleDetails, UserDetails } from '../../lambda/core/model';

const SEED_PATH = join(__dirname, '../../examples/seed/account.json');
const SNAPSHOTS = join(__dirname, '../fixtures/snapshots');

function loadDetails(path: string): AuthorizationDetails {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  assertAuthorizationDetails(json, path);
  return json;
}

const MEI = 'arn:aws:iam::123456789012:user/mei.tanaka';
const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';

const DEPLOY_BOT = 'arn:aws:iam::210987654321:role/automation/deploy-bot';
const GLUE_SERVICE_ROLE = 'arn:aws:iam::210987654321:role/service-role/AWSGlueServiceRole-etl';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function asUser(principal: unknown): UserDetails {
  const user = principal as UserDetails | null;
  if (user?.kind !== 'user') throw new Error('expected a user principal');
  return user;
}

function asRole(principal: unknown): RoleDetails {
  const role = principal as RoleDetails | null;
  if (role?.kind !== 'role') throw new Error('expected a role');
  return role;
}

const allowAll: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }],
};

describe('decodePolicyDocument', () => {
  it('takes a JSON object as the AWS CLI prints it, as a copy', () => {
    const input = structuredClone(allowAll);
    const document = decodePolicyDocument(input, 'here');
    expect(document).toEqual(allowAll);
    expect(document).not.toBe(input);
  });

  it('takes a URL-encoded JSON string as the API and SDK v3 return it', () => {
    const encoded = encodeURIComponent(JSON.stringify(allowAll, null, 4));
    expect(encoded.startsWith('%7B')).toBe(true);
    expect(decodePolicyDocument(encoded, 'here')).toEqual(allowAll);
  });

  it('takes a plain JSON string, keeping a literal percent sign as it is', () => {
    const withPercent: PolicyDocument = {
      Statement: { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/100%/*' },
    };
    expect(decodePolicyDocument(JSON.stringify(withPercent), 'here')).toEqual(withPercent);
  });

  it.each([
    ['text that is no JSON', 'not a JSON policy document (Unexpected token'],
    ['{\n  "Statement": [\n', 'not a JSON policy document'],
    ['%E0%A4%A', 'not JSON and not URL-encoded JSON'],
    ['%7B%22Statement%22%3A', 'not a JSON policy document'],
    [42, 'must be a JSON object'],
    [null, 'must be a JSON object'],
    [['a'], 'must be a JSON object'],
    [{ Version: '2012-10-17' }, 'needs a Statement'],
    [{ Statement: [{ Effect: 'allow', Action: '*' }] }, 'Statement[0] has Effect "allow"'],
    [{ Statement: 'Allow' }, 'Statement must be a JSON object'],
    [{ Statement: [{ Effect: 'Allow', Action: [1] }] }, 'Statement[0] has a Action that is neither'],
    [{ Statement: [{ Effect: 'Deny', Action: '*', Condition: { Bool: 'x' } }] }, 'Condition Bool'],
  ])('rejects %j with a clear one-line InvalidInputError naming where', (value, expected) => {
    const where = 'account.json: GroupDetailList[1].GroupPolicyList[0].PolicyDocument';
    const error = thrown(() => decodePolicyDocument(value, where));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).where).toBe(where);
    expect((error as InvalidInputError).message).toContain(expected);
    expect((error as InvalidInputError).message.startsWith(`${where}: `)).toBe(true);
    expect((error as InvalidInputError).message).not.toContain('\n');
  });
});

describe('scopeFromAuthorizationDetails over the seed snapshot', () => {
  const seed = loadDetails(SEED_PATH);
  const scope = scopeFromAuthorizationDetails(seed, MEI, ETL_ROLE);

  it('reads the account from the ARN and has nothing to note', () => {
    expect(scope.accountId).toBe('123456789012');
    expect(scope.notes).toEqual([]);
  });

  it('finds mei.tanaka with no own policies and both of her groups', () => {
    const mei = asUser(scope.principal);
    expect(mei).toMatchObject({ arn: MEI, name: 'mei.tanaka', path: '/', permissionsBoundary: null });
    expect(mei.inlinePolicies).toEqual([]);
    expect(mei.attachedPolicies).toEqual([]);
    expect(mei.groups.map((group) => [group.name, group.memberCount])).toEqual([
      ['GlueAccess', 2],
      ['Developers', 3],
    ]);
    // A whole account's user list names each group's members; a group's own read names them too.
    expect(mei.groups[0]?.memberNames).toHaveLength(2);
    expect(mei.groups[0]?.memberNames).toContain('mei.tanaka');
    const read = scopeFromAuthorizationDetails(seed, MEI, ETL_ROLE, undefined, {
      groupMemberCounts: new Map([['GlueAccess', 2]]),
      groupMembers: new Map([['GlueAccess', ['zoe', 'mei.tanaka']]]),
    });
    const groups = asUser(read.principal).groups;
    expect(groups[0]?.memberNames).toEqual(['mei.tanaka', 'zoe']);
    // Counted by a read that gave no names: none made up from a partial user list.
    expect(groups[1]?.memberNames).toBeUndefined();
  });

  it('gives GlueAccess the AWS managed policy with its default version document', () => {
    const glueAccess = asUser(scope.principal).groups[0];
    expect(glueAccess?.arn).toBe('arn:aws:iam::123456789012:group/GlueAccess');
    expect(glueAccess?.inlinePolicies).toEqual([]);
    expect(glueAccess?.attachedPolicies).toHaveLength(1);
    const policy = glueAccess?.attachedPolicies[0];
    expect(policy?.arn).toBe(GLUE_CONSOLE);
    expect(policy?.name).toBe('AWSGlueConsoleFullAccess');
    expect(JSON.stringify(policy?.document)).toContain('arn:aws:iam::*:role/AWSGlueServiceRole*');
  });

  it('gives Developers its two inline policies, the MFA deny included', () => {
    const developers = asUser(scope.principal).groups[1];
    expect(developers?.inlinePolicies.map((policy) => policy.name)).toEqual(['RequireMFA', 'DeveloperRead']);
    const requireMfa = developers?.inlinePolicies[0]?.document.Statement;
    expect(Array.isArray(requireMfa) && requireMfa[1]).toMatchObject({
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
    expect(developers?.attachedPolicies).toEqual([]);
  });

  it('reads the passed role with its glue trust policy and inline policy', () => {
    const role = asRole(scope.passedRole);
    expect(role).toMatchObject({
      arn: ETL_ROLE,
      name: 'etl-nightly-runtime',
      path: '/',
      permissionsBoundary: null,
    });
    expect(role.trustPolicy?.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.inlinePolicies.map((policy) => policy.name)).toEqual(['EtlData']);
  });

  it('leaves out a managed policy whose document is missing, with a note naming it and where it sits', () => {
    const withoutAwsManaged = { ...seed, Policies: [] };
    const partial = scopeFromAuthorizationDetails(withoutAwsManaged, MEI, ETL_ROLE);
    expect(asUser(partial.principal).groups[0]?.attachedPolicies).toEqual([]);
    expect(partial.notes).toEqual([
      `Managed policy AWSGlueConsoleFullAccess (${GLUE_CONSOLE}), attached to group/GlueAccess, is left out: its document is not in the account data.`,
    ]);
  });

  it('takes documents of AWS managed policies from managedPolicies, and the reason one is unavailable', () => {
    const withoutAwsManaged = { ...seed, Policies: [] };
    const fetched = new Map([
      [GLUE_CONSOLE, { arn: GLUE_CONSOLE, name: 'AWSGlueConsoleFullAccess', document: allowAll }],
    ]);
    const supplied = scopeFromAuthorizationDetails(withoutAwsManaged, MEI, ETL_ROLE, fetched);
    expect(asUser(supplied.principal).groups[0]?.attachedPolicies[0]?.document).toEqual(allowAll);
    expect(supplied.notes).toEqual([]);

    const gone = scopeFromAuthorizationDetails(withoutAwsManaged, MEI, ETL_ROLE, new Map(), {
      unavailablePolicies: new Map([[GLUE_CONSOLE, 'it no longer exists (GetPolicy: NoSuchEntity)']]),
    });
    expect(gone.notes[0]).toContain('is left out: it no longer exists (GetPolicy: NoSuchEntity).');
  });

  it('lists the managed policies in scope that have no document in the data', () => {
    expect(managedPolicyArnsWithoutDocument(seed, MEI, ETL_ROLE)).toEqual([]);
    expect(managedPolicyArnsWithoutDocument({ ...seed, Policies: [] }, MEI, ETL_ROLE)).toEqual([
      GLUE_CONSOLE,
    ]);
    // sam.ortiz is only in Developers, which has no managed policy.
    const sam = 'arn:aws:iam::123456789012:user/sam.ortiz';
    expect(managedPolicyArnsWithoutDocument({ ...seed, Policies: [] }, sam, ETL_ROLE)).toEqual([]);
  });

  it('returns null for a principal or role the account does not have', () => {
    const gone = scopeFromAuthorizationDetails(
      seed,
      'arn:aws:iam::123456789012:user/left.company',
      'arn:aws:iam::123456789012:role/deleted-role',
    );
    expect(gone.principal).toBeNull();
    expect(gone.passedRole).toBeNull();
    expect(gone.notes).toEqual([]);
  });

  it('does not match by name across accounts, and notes which account the data is for', () => {
    const other = scopeFromAuthorizationDetails(
      seed,
      'arn:aws:iam::999999999999:user/mei.tanaka',
      'arn:aws:iam::999999999999:role/etl-nightly-runtime',
    );
    expect(other).toMatchObject({ accountId: '999999999999', principal: null, passedRole: null });
    expect(other.notes).toEqual(['The account data is for account 123456789012, not 999999999999.']);
  });

  it('notes a group the user is in that the data lacks', () => {
    const withoutGroups = { ...seed, GroupDetailList: [] };
    const scopeWithoutGroups = scopeFromAuthorizationDetails(withoutGroups, MEI, ETL_ROLE);
    expect(asUser(scopeWithoutGroups.principal).groups).toEqual([]);
    expect(scopeWithoutGroups.notes).toEqual([
      'Group GlueAccess of user mei.tanaka is not in the account data: its policies are left out.',
      'Group Developers of user mei.tanaka is not in the account data: its policies are left out.',
    ]);
  });

  it('throws for an ARN that is not an IAM ARN, and notes a principal that is no user or role', () => {
    expect(thrown(() => scopeFromAuthorizationDetails(seed, 'mei.tanaka', ETL_ROLE))).toMatchObject({
      name: 'InvalidInputError',
      where: 'policySourceArn',
    });
    const root = scopeFromAuthorizationDetails(seed, 'arn:aws:iam::123456789012:root', ETL_ROLE);
    expect(root.principal).toBeNull();
    expect(root.notes).toEqual([
      'arn:aws:iam::123456789012:root is not an IAM user or role: no principal policies read.',
    ]);
  });

  it('names the document that cannot be decoded, under the given source', () => {
    const broken = structuredClone(seed);
    const developers = broken.GroupDetailList?.[1];
    if (developers?.GroupPolicyList?.[0] === undefined) throw new Error('seed changed');
    developers.GroupPolicyList[0].PolicyDocument = '{"Statement": [';
    const error = thrown(() =>
      scopeFromAuthorizationDetails(broken, MEI, ETL_ROLE, new Map(), { source: 'account.json' }),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).where).toBe(
      'account.json: GroupDetailList[1].GroupPolicyList[0].PolicyDocument',
    );
  });
});

describe('scopeFromAuthorizationDetails over a role with a path and a boundary', () => {
  const details = loadDetails(join(SNAPSHOTS, 'assumed-role-boundary.json'));

  it('reads a role principal: path, inline, customer managed default version, boundary', () => {
    const scope = scopeFromAuthorizationDetails(details, DEPLOY_BOT, GLUE_SERVICE_ROLE);
    const bot = asRole(scope.principal);
    expect(bot).toMatchObject({ arn: DEPLOY_BOT, name: 'deploy-bot', path: '/automation/' });
    expect(bot.inlinePolicies.map((policy) => policy.name)).toEqual(['DeployGlueJobs']);
    expect(bot.attachedPolicies.map((policy) => policy.name)).toEqual(['DeployerAccess']);
    // v2 is the default version; v1 (pass anything) must not be read.
    expect(JSON.stringify(bot.attachedPolicies[0]?.document)).toContain('PassGlueRoles');
    expect(JSON.stringify(bot.attachedPolicies[0]?.document)).not.toContain('OldPassAnything');
    expect(bot.permissionsBoundary).toMatchObject({
      arn: 'arn:aws:iam::210987654321:policy/boundaries/DeployBoundary',
      name: 'DeployBoundary',
    });
    expect(JSON.stringify(bot.permissionsBoundary?.document)).toContain('GlueAndS3Only');
    expect(bot.trustPolicy).not.toBeNull();
  });

  it('notes the attached AWS managed policy it has no document for', () => {
    const scope = scopeFromAuthorizationDetails(details, DEPLOY_BOT, GLUE_SERVICE_ROLE);
    expect(scope.notes).toEqual([
      'Managed policy ReadOnlyAccess (arn:aws:iam::aws:policy/ReadOnlyAccess), attached to role/deploy-bot, is left out: its document is not in the account data.',
    ]);
    expect(managedPolicyArnsWithoutDocument(details, DEPLOY_BOT, GLUE_SERVICE_ROLE)).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
  });

  it('reads a passed role under /service-role/ with its attached policy', () => {
    const scope = scopeFromAuthorizationDetails(details, DEPLOY_BOT, GLUE_SERVICE_ROLE);
    const role = asRole(scope.passedRole);
    expect(role).toMatchObject({
      name: 'AWSGlueServiceRole-etl',
      path: '/service-role/',
      permissionsBoundary: null,
    });
    expect(role.attachedPolicies.map((policy) => policy.arn)).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole',
    ]);
  });

  it('matches ARNs rebuilt without their path by name, and says so', () => {
    const scope = scopeFromAuthorizationDetails(
      details,
      'arn:aws:iam::210987654321:role/deploy-bot',
      'arn:aws:iam::210987654321:role/AWSGlueServiceRole-etl',
    );
    expect(asRole(scope.principal).arn).toBe(DEPLOY_BOT);
    expect(asRole(scope.passedRole).arn).toBe(GLUE_SERVICE_ROLE);
    expect(scope.notes).toEqual(
      expect.arrayContaining([
        `arn:aws:iam::210987654321:role/deploy-bot matched role deploy-bot by name: its ARN is ${DEPLOY_BOT}.`,
        `arn:aws:iam::210987654321:role/AWSGlueServiceRole-etl matched role AWSGlueServiceRole-etl by name: its ARN is ${GLUE_SERVICE_ROLE}.`,
      ]),
    );
  });

  it('reads the role behind an sts assumed-role session ARN', () => {
    const session = 'arn:aws:sts::210987654321:assumed-role/deploy-bot/pipeline-42';
    const scope = scopeFromAuthorizationDetails(details, session, GLUE_SERVICE_ROLE);
    expect(asRole(scope.principal).arn).toBe(DEPLOY_BOT);
  });
});

describe('scopeFromAuthorizationDetails over URL-encoded documents', () => {
  const details = loadDetails(join(SNAPSHOTS, 'url-encoded.json'));
  const scope = scopeFromAuthorizationDetails(
    details,
    'arn:aws:iam::123456789012:user/people/ana',
    'arn:aws:iam::123456789012:role/batch-runner',
  );

  it('decodes inline, group managed and trust documents', () => {
    const ana = asUser(scope.principal);
    expect(ana.path).toBe('/people/');
    expect(ana.inlinePolicies[0]?.document.Statement).toMatchObject({ Sid: 'NoDelete', Effect: 'Deny' });
    expect(ana.groups[0]).toMatchObject({ name: 'Ops', memberCount: 1 });
    expect(ana.groups[0]?.attachedPolicies[0]?.document.Statement).toEqual([
      { Sid: 'ReadEverything', Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' },
    ]);
    const role = asRole(scope.passedRole);
    expect(role.trustPolicy?.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.inlinePolicies[0]?.document.Statement).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::batch-input/*' },
    ]);
    expect(scope.notes).toEqual([]);
  });
});

describe('assertAuthorizationDetails', () => {
  const seed: unknown = JSON.parse(readFileSync(SEED_PATH, 'utf8'));

  it('accepts the seed', () => {
    expect(() => assertAuthorizationDetails(seed, 'account.json')).not.toThrow();
  });

  function whereOf(value: unknown): string {
    const error = thrown(() => assertAuthorizationDetails(value, 'account.json'));
    if (!(error instanceof InvalidInputError)) throw error;
    return error.message;
  }

  it.each<[string, (json: Record<string, unknown>) => unknown, string]>([
    ['a list', () => [], 'account.json: not GetAccountAuthorizationDetails output (expected a JSON object)'],
    [
      'no known list',
      () => ({ Users: [] }),
      'account.json: not GetAccountAuthorizationDetails output (none of',
    ],
    [
      'a list that is not one',
      (json) => ({ ...json, RoleDetailList: {} }),
      'account.json: RoleDetailList: must be a list',
    ],
    [
      'a user without an ARN',
      (json) => ({ ...json, UserDetailList: [{ UserName: 'x' }] }),
      'account.json: UserDetailList[0].Arn: must be a non-empty string',
    ],
    [
      'group names that are not strings',
      (json) => ({
        ...json,
        UserDetailList: [{ UserName: 'x', Arn: 'arn:aws:iam::1:user/x', GroupList: [{}] }],
      }),
      'account.json: UserDetailList[0].GroupList: must be a list of group names',
    ],
  ])('rejects %s with the JSON path', (_label, mutate, expected) => {
    expect(whereOf(mutate(structuredClone(seed) as Record<string, unknown>))).toContain(expected);
  });

  it('rejects a bad inline document with its path as where', () => {
    const broken = structuredClone(seed) as {
      GroupDetailList: { GroupPolicyList: { PolicyDocument: unknown }[] }[];
    };
    const inline = broken.GroupDetailList[1]?.GroupPolicyList[0];
    if (inline === undefined) throw new Error('seed changed');
    inline.PolicyDocument = { Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] };
    const error = thrown(() => assertAuthorizationDetails(broken, 'account.json'));
    expect(error).toMatchObject({
      name: 'InvalidInputError',
      where: 'account.json: GroupDetailList[1].GroupPolicyList[0].PolicyDocument',
    });
  });
});
