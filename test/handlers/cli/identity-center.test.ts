/**
 * The CLI's `--identity-center FILE` on `snapshot` and `diagnose`, in-process; sso-admin and
 * identitystore answered by aws-sdk-client-mock (the command builds its own clients). The reads
 * themselves run against moto in test/integration/identity-center-reader.test.ts.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  DescribeUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsForMemberCommand,
} from '@aws-sdk/client-identitystore';
import { mockClient } from 'aws-sdk-client-mock';
import { SnapshotIdentityCenterReader } from '../../../lambda/adapters/snapshot/snapshot-identity-center-reader';
import type { CliIo } from '../../../lambda/handlers/cli/io';
import { runCli } from '../../../lambda/handlers/cli/main';

const ROOT = join(__dirname, '../../..');
const SEED_EVENT = join(ROOT, 'examples/seed/denial.json');
const SEED_SNAPSHOT = join(ROOT, 'examples/seed/account.json');
const FIXTURE = join(ROOT, 'test/fixtures/identity-center/snapshot.json');
/** The member account of the fixture's DataEngineer set, as `snapshot --out` saves it. */
const MEMBER_ACCOUNT = join(ROOT, 'test/fixtures/identity-center/member-account.json');
const SSO_DENIAL = join(
  ROOT,
  'test/fixtures/cloudtrail/passrole/06-states-CreateStateMachine-IdentityCenter-AWSReservedSSO.json',
);
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111222233334444';
const SET_ARN = 'arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-aaaabbbbccccdddd';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
  return { code: await runCli(argv, io), out, err };
}
const scratch = () => mkdtempSync(join(tmpdir(), 'prd-ic-cli-'));

const ssoAdmin = mockClient(SSOAdminClient);
const identityStore = mockClient(IdentitystoreClient);
const savedEnv = { ...process.env };
afterEach(() => {
  ssoAdmin.reset();
  identityStore.reset();
  process.env = { ...savedEnv };
});
afterAll(() => {
  ssoAdmin.restore();
  identityStore.restore();
});

function answerAsAnInstanceWithOneSet(): void {
  ssoAdmin
    .on(ListInstancesCommand)
    .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1' }] });
  ssoAdmin.on(ListPermissionSetsCommand).resolves({ PermissionSets: [SET_ARN] });
  ssoAdmin
    .on(DescribePermissionSetCommand)
    .resolves({ PermissionSet: { Name: 'Data_Engineer', PermissionSetArn: SET_ARN } });
  ssoAdmin
    .on(GetInlinePolicyForPermissionSetCommand)
    .resolves({ InlinePolicy: '{"Version":"2012-10-17","Statement":[]}' });
  ssoAdmin.on(ListManagedPoliciesInPermissionSetCommand).resolves({ AttachedManagedPolicies: [] });
  ssoAdmin.on(ListCustomerManagedPolicyReferencesInPermissionSetCommand).resolves({});
  ssoAdmin.on(GetPermissionsBoundaryForPermissionSetCommand).rejects(
    Object.assign(new Error('none'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    }),
  );
  ssoAdmin
    .on(ListTagsForResourceCommand)
    .resolves({ Tags: [{ Key: 'passrole-doctor:managed', Value: 'true' }] });
  ssoAdmin.on(ListAccountsForProvisionedPermissionSetCommand).resolves({ AccountIds: ['123456789012'] });
  ssoAdmin.on(ListAccountAssignmentsCommand).resolves({
    AccountAssignments: [{ PrincipalType: 'USER', PrincipalId: 'u-1', AccountId: '123456789012' }],
  });
  identityStore
    .on(DescribeUserCommand)
    .resolves({ UserId: 'u-1', UserName: 'li.wei', IdentityStoreId: 'd-1' });
  identityStore.on(GetUserIdCommand).resolves({ UserId: 'u-1', IdentityStoreId: 'd-1' });
  identityStore.on(ListGroupMembershipsForMemberCommand).resolves({ GroupMemberships: [] });
}

describe('passrole-doctor snapshot --identity-center', () => {
  it('writes a file that --identity-center takes, progress on stderr and nothing on stdout', async () => {
    answerAsAnInstanceWithOneSet();
    process.env['IDENTITY_CENTER_REGION'] = 'eu-west-1';
    const dir = scratch();
    const out = join(dir, 'identity-center.json');
    const taken = await run('snapshot', '--identity-center', out);
    expect(taken.out).toEqual([]);
    expect(taken.code).toBe(0);
    expect(taken.err).toEqual([
      'passrole-doctor: snapshot: 1 permission set to read',
      'passrole-doctor: snapshot: permission set 1/1 read (provisioned to 1 account)',
      'passrole-doctor: snapshot: reading the groups of 1 user the sets reach by name',
      `passrole-doctor: snapshot: wrote ${out}: 1 permission set, 1 assignment and the groups of 1 user (instance ${INSTANCE} in eu-west-1)`,
    ]);
    expect(readdirSync(dir)).toEqual(['identity-center.json']);
    const reader = await SnapshotIdentityCenterReader.fromFile(out);
    const ref = await reader.permissionSet('Data_Engineer');
    expect(ref).toEqual({ instanceArn: INSTANCE, permissionSetArn: SET_ARN, name: 'Data_Engineer' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ version: 1, identityStoreId: 'd-1' });
  });

  it('reads the instance in IDENTITY_CENTER_REGION; a bad value is one line, exit 2, nothing read', async () => {
    process.env['IDENTITY_CENTER_REGION'] = 'Frankfurt';
    const out = join(scratch(), 'identity-center.json');
    const taken = await run('snapshot', '--identity-center', out);
    expect(taken.code).toBe(2);
    expect(taken.err).toHaveLength(1);
    expect(taken.err[0]).toMatch(/^passrole-doctor: .*IDENTITY_CENTER_REGION/);
    expect(ssoAdmin.calls()).toHaveLength(0);
  });

  it('an access-denied read: exit 1 naming the action, no file left behind', async () => {
    answerAsAnInstanceWithOneSet();
    ssoAdmin
      .on(ListPermissionSetsCommand)
      .rejects(
        Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
      );
    const dir = scratch();
    const taken = await run('snapshot', '--identity-center', join(dir, 'ic.json'));
    expect(taken.code).toBe(1);
    expect(taken.err).toEqual([
      `passrole-doctor: Access denied: the Identity Center role needs sso:ListPermissionSets on instance ${INSTANCE} (AccessDeniedException: no)`,
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('needs --out or --identity-center', async () => {
    const taken = await run('snapshot');
    expect(taken.code).toBe(2);
    expect(taken.err[0]).toBe('passrole-doctor: snapshot needs --out FILE or --identity-center FILE');
  });
});

describe('passrole-doctor diagnose --identity-center', () => {
  it('takes a valid Identity Center snapshot beside the IAM one', async () => {
    const { code, err } = await run(
      'diagnose',
      '--event',
      SEED_EVENT,
      '--snapshot',
      SEED_SNAPSHOT,
      '--identity-center',
      FIXTURE,
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
  });

  it('diagnoses an Identity Center denial offline from the member account and the Identity Center files', async () => {
    const { code, out, err } = await run(
      'diagnose',
      '--json',
      '--event',
      SSO_DENIAL,
      '--snapshot',
      MEMBER_ACCOUNT,
      '--identity-center',
      FIXTURE,
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const [line] = out;
    const diagnosis = JSON.parse(line ?? '{}') as {
      proposal?: { target?: { type?: string; name?: string } };
    };
    expect(diagnosis.proposal?.target).toMatchObject({ type: 'permission-set', name: 'DataEngineer' });
  });

  it('the two fixtures describe one world: the reserved role holds what the set defines', () => {
    const ic = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
      permissionSets: { definition: { name: string; inlinePolicy: string; managedPolicyArns: string[] } }[];
    };
    const member = JSON.parse(readFileSync(MEMBER_ACCOUNT, 'utf8')) as {
      RoleDetailList: {
        RoleName: string;
        RolePolicyList: { PolicyName: string; PolicyDocument: unknown }[];
        AttachedManagedPolicies: { PolicyArn: string }[];
      }[];
    };
    const set = ic.permissionSets.find((candidate) => candidate.definition.name === 'DataEngineer');
    const role = member.RoleDetailList.find((candidate) =>
      candidate.RoleName.startsWith('AWSReservedSSO_DataEngineer_'),
    );
    expect(role?.RolePolicyList).toEqual([
      {
        PolicyName: 'AwsSSOInlinePolicy',
        PolicyDocument: JSON.parse(set?.definition.inlinePolicy ?? 'null'),
      },
    ]);
    expect(role?.AttachedManagedPolicies.map((policy) => policy.PolicyArn)).toEqual([
      ...(set?.definition.managedPolicyArns ?? []),
      'arn:aws:iam::123456789012:policy/teams/DataTeamAccess',
    ]);
  });

  it('a malformed Identity Center snapshot: exit 2, one line per problem, nothing diagnosed', async () => {
    const path = join(scratch(), 'ic.json');
    const broken = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
      permissionSets: { provisionedAccounts: unknown }[];
    };
    const [first] = broken.permissionSets;
    if (first !== undefined) first.provisionedAccounts = ['1234'];
    writeFileSync(path, JSON.stringify({ ...broken, takenAt: 'soon' }));
    const { code, out, err } = await run(
      'diagnose',
      '--event',
      SEED_EVENT,
      '--snapshot',
      SEED_SNAPSHOT,
      '--identity-center',
      path,
    );
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `passrole-doctor: ${path}: takenAt: must be an ISO 8601 time`,
      `passrole-doctor: ${path}: permissionSets[0].provisionedAccounts[0]: must be a 12-digit account id`,
    ]);
  });

  it('an IAM snapshot given as --identity-center: one line saying what it is not', async () => {
    const { code, err } = await run(
      'diagnose',
      '--event',
      SEED_EVENT,
      '--snapshot',
      SEED_SNAPSHOT,
      '--identity-center',
      SEED_SNAPSHOT,
    );
    expect(code).toBe(2);
    expect(err).toEqual([
      `passrole-doctor: ${SEED_SNAPSHOT}: format: not an Identity Center snapshot (expected "passrole-doctor/identity-center-snapshot", the format 'passrole-doctor snapshot --identity-center' writes)`,
    ]);
  });
});
