/**
 * What moto's IAM answers for the seed scenario, pinned down for the AWS adapters: how policy
 * documents are encoded per call, which calls ignore pagination, and which are not implemented.
 * Where moto differs from real IAM the test says so, so a moto upgrade that changes it shows up here.
 */
import {
  GetAccountAuthorizationDetailsCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { SEED_ACCOUNT, seedGlueAccount, type SeededAccount } from './support/seed-account';

const GLUE_CONSOLE_ARN = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';
const ROLE_NAME = 'etl-nightly-runtime';

/** IAM's URL-encoded form (RFC 3986): the text begins with an encoded '{'. */
function isUrlEncoded(document: string): boolean {
  return document.startsWith('%7B');
}

function parseUrlEncoded(document: string | undefined): unknown {
  if (document === undefined || !isUrlEncoded(document)) {
    throw new Error(`expected a URL-encoded policy document, got ${String(document)}`);
  }
  return JSON.parse(decodeURIComponent(document));
}

function parsePlainJson(document: string | undefined): unknown {
  if (document === undefined || !document.trimStart().startsWith('{')) {
    throw new Error(`expected a plain JSON policy document, got ${String(document)}`);
  }
  return JSON.parse(document);
}

function seedGroup(name: string) {
  const group = SEED_ACCOUNT.GroupDetailList.find((candidate) => candidate.GroupName === name);
  if (group === undefined) throw new Error(`seed has no group ${name}`);
  return group;
}

function seedRole(name: string) {
  const role = SEED_ACCOUNT.RoleDetailList.find((candidate) => candidate.RoleName === name);
  if (role === undefined) throw new Error(`seed has no role ${name}`);
  return role;
}

function seedManagedPolicyDocument(arn: string): unknown {
  const policy = SEED_ACCOUNT.Policies.find((candidate) => candidate.Arn === arn);
  const version = policy?.PolicyVersionList.find(
    (candidate) => candidate.VersionId === policy.DefaultVersionId,
  );
  if (version === undefined) throw new Error(`seed has no default version of ${arn}`);
  return version.Document;
}

let clients: MotoClients;
let seeded: SeededAccount;
let details: GetAccountAuthorizationDetailsCommandOutput;

beforeAll(async () => {
  await resetMoto(motoEndpoint());
  clients = createMotoClients();
  seeded = await seedGlueAccount(clients.iam);
  details = await clients.iam.send(
    new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy'] }),
  );
});

afterAll(() => {
  clients.destroy();
});

describe('seedGlueAccount', () => {
  test('creates every user, group and role of examples/seed/account.json and returns their ARNs', () => {
    expect(seeded.users).toEqual(
      Object.fromEntries(SEED_ACCOUNT.UserDetailList.map((user) => [user.UserName, user.Arn])),
    );
    expect(seeded.groups).toEqual(
      Object.fromEntries(SEED_ACCOUNT.GroupDetailList.map((group) => [group.GroupName, group.Arn])),
    );
    expect(seeded.roles).toEqual(
      Object.fromEntries(SEED_ACCOUNT.RoleDetailList.map((role) => [role.RoleName, role.Arn])),
    );
    // The seed only uses an AWS managed policy, which moto already has.
    expect(seeded.customerManagedPolicies).toEqual({});
  });
});

describe('GetAccountAuthorizationDetails', () => {
  test('lists the users with their group names (GroupList) and no Tags field', () => {
    const users = details.UserDetailList ?? [];
    expect(users.map((user) => [user.UserName, user.Arn, user.GroupList])).toEqual(
      SEED_ACCOUNT.UserDetailList.map((user) => [user.UserName, user.Arn, user.GroupList]),
    );
    for (const user of users) {
      expect(user.UserPolicyList).toEqual([]);
      expect(user.AttachedManagedPolicies).toEqual([]);
      expect(user.Tags).toBeUndefined(); // real IAM sends Tags: [] here
    }
  });

  test('returns group inline policies URL-encoded (as real IAM does), not decoded by the SDK', () => {
    const developers = details.GroupDetailList?.find((group) => group.GroupName === 'Developers');
    const inline = developers?.GroupPolicyList ?? [];
    expect(inline.map((policy) => policy.PolicyName)).toEqual(['RequireMFA', 'DeveloperRead']);
    for (const policy of inline) {
      expect(typeof policy.PolicyDocument).toBe('string');
      expect(isUrlEncoded(policy.PolicyDocument ?? '')).toBe(true);
    }
    expect(
      inline.map((policy) => ({ name: policy.PolicyName, doc: parseUrlEncoded(policy.PolicyDocument) })),
    ).toEqual(
      seedGroup('Developers').GroupPolicyList.map((policy) => ({
        name: policy.PolicyName,
        doc: policy.PolicyDocument,
      })),
    );
    expect(developers?.AttachedManagedPolicies).toEqual([]);
  });

  test('lists the AWS managed policy attached to GlueAccess by name and ARN', () => {
    const glueAccess = details.GroupDetailList?.find((group) => group.GroupName === 'GlueAccess');
    expect(glueAccess?.Arn).toBe(seeded.groups.GlueAccess);
    expect(glueAccess?.GroupPolicyList).toEqual([]);
    expect(glueAccess?.AttachedManagedPolicies).toEqual([
      { PolicyName: 'AWSGlueConsoleFullAccess', PolicyArn: GLUE_CONSOLE_ARN },
    ]);
  });

  test('returns the role inline policy URL-encoded but its trust policy as plain JSON (real IAM encodes both)', () => {
    const role = details.RoleDetailList?.find((candidate) => candidate.RoleName === ROLE_NAME);
    const expected = seedRole(ROLE_NAME);
    expect(role?.Arn).toBe(seeded.roles[ROLE_NAME]);
    expect(parsePlainJson(role?.AssumeRolePolicyDocument)).toEqual(expected.AssumeRolePolicyDocument);
    expect(
      role?.RolePolicyList?.map((policy) => [policy.PolicyName, parseUrlEncoded(policy.PolicyDocument)]),
    ).toEqual(expected.RolePolicyList.map((policy) => [policy.PolicyName, policy.PolicyDocument]));
  });

  test('with Filter LocalManagedPolicy returns no AWS managed policies', () => {
    expect(details.Policies).toEqual([]);
  });

  test('ignores MaxItems: everything in one page, IsTruncated false, no Marker', async () => {
    const page = await clients.iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'Group', 'Role'], MaxItems: 1 }),
    );
    expect(page.IsTruncated).toBe(false);
    expect(page.Marker).toBeUndefined();
    expect(page.UserDetailList).toHaveLength(SEED_ACCOUNT.UserDetailList.length);
    expect(page.GroupDetailList).toHaveLength(SEED_ACCOUNT.GroupDetailList.length);
    expect(page.RoleDetailList).toHaveLength(SEED_ACCOUNT.RoleDetailList.length);
  });

  test('with Filter AWSManagedPolicy lists every AWS managed policy, attached or not, documents URL-encoded', async () => {
    const awsManaged = await clients.iam.send(
      new GetAccountAuthorizationDetailsCommand({ Filter: ['AWSManagedPolicy'] }),
    );
    const policies = awsManaged.Policies ?? [];
    const glueConsole = policies.find((policy) => policy.Arn === GLUE_CONSOLE_ARN);
    // Attached to nothing in the seed, listed all the same.
    expect(policies.some((policy) => policy.Arn === 'arn:aws:iam::aws:policy/AdministratorAccess')).toBe(
      true,
    );
    const defaultVersion = glueConsole?.PolicyVersionList?.find((version) => version.IsDefaultVersion);
    expect(parseUrlEncoded(defaultVersion?.Document)).toEqual(seedManagedPolicyDocument(GLUE_CONSOLE_ARN));
  });
});

describe('AWS managed policy AWSGlueConsoleFullAccess', () => {
  test('GetPolicy gives the default version and counts the GlueAccess attachment', async () => {
    const { Policy } = await clients.iam.send(new GetPolicyCommand({ PolicyArn: GLUE_CONSOLE_ARN }));
    const seedPolicy = SEED_ACCOUNT.Policies.find((policy) => policy.Arn === GLUE_CONSOLE_ARN);
    expect(Policy?.DefaultVersionId).toBe(seedPolicy?.DefaultVersionId);
    expect(Policy?.AttachmentCount).toBe(1);
  });

  test("GetPolicyVersion returns AWS's real document, as plain JSON (real IAM URL-encodes it)", async () => {
    const { Policy } = await clients.iam.send(new GetPolicyCommand({ PolicyArn: GLUE_CONSOLE_ARN }));
    const { PolicyVersion } = await clients.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: GLUE_CONSOLE_ARN, VersionId: Policy?.DefaultVersionId }),
    );
    const document = parsePlainJson(PolicyVersion?.Document);
    expect(document).toEqual(seedManagedPolicyDocument(GLUE_CONSOLE_ARN));
    expect(document).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Action: ['iam:PassRole'],
          Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*',
          Condition: { StringLike: { 'iam:PassedToService': ['glue.amazonaws.com'] } },
        }),
      ]),
    });
  });
});

describe('other calls the adapters use', () => {
  test('GetRole returns the trust policy URL-encoded (unlike GetAccountAuthorizationDetails)', async () => {
    const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(parseUrlEncoded(Role?.AssumeRolePolicyDocument)).toEqual(
      seedRole(ROLE_NAME).AssumeRolePolicyDocument,
    );
  });

  test('GetGroup lists every member, ignoring MaxItems', async () => {
    const developers = await clients.iam.send(new GetGroupCommand({ GroupName: 'Developers', MaxItems: 1 }));
    const members = SEED_ACCOUNT.UserDetailList.filter((user) => user.GroupList.includes('Developers'));
    expect(developers.Users?.map((user) => user.Arn)).toEqual(members.map((user) => user.Arn));
    expect(developers.IsTruncated ?? false).toBe(false);
    expect(developers.Marker).toBeUndefined();
  });

  test('PutGroupPolicy then GetGroupPolicy gives back the exact text sent, URL-encoded; a second put replaces it', async () => {
    const first =
      '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "' +
      `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${ROLE_NAME}"}]\n}`;
    const second = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PassEtlRoleToGlue',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: seeded.roles[ROLE_NAME],
          Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
        },
      ],
    });
    const read = async () =>
      clients.iam.send(new GetGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: 'PassEtlRole' }));

    await clients.iam.send(
      new PutGroupPolicyCommand({
        GroupName: 'GlueAccess',
        PolicyName: 'PassEtlRole',
        PolicyDocument: first,
      }),
    );
    const afterFirst = await read();
    expect(isUrlEncoded(afterFirst.PolicyDocument ?? '')).toBe(true);
    expect(decodeURIComponent(afterFirst.PolicyDocument ?? '')).toBe(first);

    await clients.iam.send(
      new PutGroupPolicyCommand({
        GroupName: 'GlueAccess',
        PolicyName: 'PassEtlRole',
        PolicyDocument: second,
      }),
    );
    expect(decodeURIComponent((await read()).PolicyDocument ?? '')).toBe(second);
  });

  test('a missing inline policy or group is NoSuchEntityException (HTTP 404)', async () => {
    const missingPolicy = clients.iam.send(
      new GetGroupPolicyCommand({ GroupName: 'Developers', PolicyName: 'Nope' }),
    );
    await expect(missingPolicy).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
    const missingGroup = clients.iam.send(
      new GetGroupPolicyCommand({ GroupName: 'NoSuchGroup', PolicyName: 'Nope' }),
    );
    await expect(missingGroup).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('a document that is not a policy is MalformedPolicyDocumentException', async () => {
    const put = clients.iam.send(
      new PutGroupPolicyCommand({
        GroupName: 'Developers',
        PolicyName: 'Broken',
        PolicyDocument: 'not json',
      }),
    );
    await expect(put).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException', $fault: 'client' });
  });

  test('inline policy size quota is not enforced (real IAM: LimitExceeded past 5,120 characters per group)', async () => {
    const oversized = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: Array.from({ length: 300 }, (_, index) => `arn:aws:s3:::bucket-${index}/*`),
        },
      ],
    });
    expect(oversized.length).toBeGreaterThan(5120);
    await expect(
      clients.iam.send(
        new PutGroupPolicyCommand({ GroupName: 'Developers', PolicyName: 'Big', PolicyDocument: oversized }),
      ),
    ).resolves.toBeDefined();
  });

  test('SimulatePrincipalPolicy is not implemented: HTTP 500 with an HTML body the SDK cannot parse', async () => {
    const simulate = clients.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: seeded.users['mei.tanaka'],
        ActionNames: ['iam:PassRole'],
        ResourceArns: [`arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${ROLE_NAME}`],
      }),
    );
    await expect(simulate).rejects.toMatchObject({
      name: 'Error',
      message: expect.stringContaining('Deserialization error'),
      $metadata: { httpStatusCode: 500 },
    });
  });
});

describe('resetMoto', () => {
  test('empties IAM, so the seed can be created again', async () => {
    await resetMoto(motoEndpoint());
    const { Users } = await clients.iam.send(new ListUsersCommand({}));
    expect(Users).toEqual([]);
    await expect(seedGlueAccount(clients.iam)).resolves.toEqual(seeded);
  });
});
