/**
 * The sso-admin and identitystore adapters' handling of what moto cannot produce: access denied,
 * throttling, conflicts, the provisioning status (moto has no DescribePermissionSetProvisioningStatus),
 * answers outside the published model, and a listing that never ends. AWS answered by
 * aws-sdk-client-mock; the reads themselves run against moto in test/integration.
 */
import {
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { GetUserIdCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MAX_PAGES } from '../../../../lambda/adapters/aws/identity-center/errors';
import { SsoAdminIdentityCenterReader } from '../../../../lambda/adapters/aws/identity-center/sso-admin-reader';
import { SsoAdminIdentityCenterWriter } from '../../../../lambda/adapters/aws/identity-center/sso-admin-writer';
import { IdentityCenterError, TransientAwsError } from '../../../../lambda/core/errors';
import type { PermissionSetRef } from '../../../../lambda/core/identity-center/model';

const ssoAdmin = mockClient(SSOAdminClient);
const identityStore = mockClient(IdentitystoreClient);
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111222233334444';
const REF: PermissionSetRef = {
  instanceArn: INSTANCE,
  permissionSetArn: `${INSTANCE.replace('instance/', 'permissionSet/')}/ps-aaaabbbbccccdddd`,
  name: 'Data_Engineer',
};

const serviceError = (name: string, status = 400, message = `${name} from the test`) =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
const reader = (options: ConstructorParameters<typeof SsoAdminIdentityCenterReader>[2] = {}) =>
  new SsoAdminIdentityCenterReader(
    new SSOAdminClient({ region: 'eu-west-1', maxAttempts: 1 }),
    new IdentitystoreClient({ region: 'eu-west-1', maxAttempts: 1 }),
    options,
  );
const writer = () =>
  new SsoAdminIdentityCenterWriter(new SSOAdminClient({ region: 'eu-west-1', maxAttempts: 1 }));

function answerAnEmptySet(): void {
  ssoAdmin.on(GetInlinePolicyForPermissionSetCommand).resolves({ InlinePolicy: '' });
  ssoAdmin.on(ListManagedPoliciesInPermissionSetCommand).resolves({ AttachedManagedPolicies: [] });
  ssoAdmin
    .on(ListCustomerManagedPolicyReferencesInPermissionSetCommand)
    .resolves({ CustomerManagedPolicyReferences: [] });
  ssoAdmin
    .on(GetPermissionsBoundaryForPermissionSetCommand)
    .rejects(serviceError('ResourceNotFoundException'));
  ssoAdmin.on(ListTagsForResourceCommand).resolves({ Tags: [] });
}

beforeEach(() => {
  ssoAdmin.reset();
  identityStore.reset();
});
afterAll(() => {
  ssoAdmin.restore();
  identityStore.restore();
});

describe('locating the instance', () => {
  it('refuses with the settings to check when the account lists no active instance', async () => {
    ssoAdmin.on(ListInstancesCommand).resolves({
      Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1', Status: 'DELETE_IN_PROGRESS' }],
    });
    const error = await reader()
      .permissionSet('Data')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityCenterError);
    expect(error).toMatchObject({ operation: 'sso:ListInstances', reason: 'no-instance' });
    expect((error as Error).message).toMatch(/check IDENTITY_CENTER_REGION and IDENTITY_CENTER_ACCOUNT_ID/);
  });

  it('uses the configured instance, and refuses one the account does not list', async () => {
    ssoAdmin
      .on(ListInstancesCommand)
      .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1' }] });
    expect(await reader({ instanceArn: INSTANCE }).instance()).toEqual({
      instanceArn: INSTANCE,
      identityStoreId: 'd-1',
    });
    await expect(reader({ instanceArn: `${INSTANCE}0` }).instance()).rejects.toThrow(
      `Identity Center lists no instance ${INSTANCE}0`,
    );
  });

  it('gives up on a listing that never ends, after MAX_PAGES pages', async () => {
    ssoAdmin
      .on(ListInstancesCommand)
      .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1' }] });
    let page = 0;
    ssoAdmin.on(ListPermissionSetsCommand).callsFake(() => {
      page += 1;
      return { PermissionSets: [], NextToken: `token-${page}` };
    });
    await expect(reader().permissionSet('Data')).rejects.toThrow(`gave more than ${MAX_PAGES} pages`);
    expect(page).toBe(MAX_PAGES + 1);
  });
});

describe("resolving a reserved role's set name", () => {
  /** Names sharing `_`-separated parts: only the exact name may match. */
  const SETS: Record<string, string> = {
    [`${INSTANCE}/ps-1`]: 'Data',
    [`${INSTANCE}/ps-2`]: 'Data_Engineer_Prod',
    [`${INSTANCE}/ps-3`]: 'Data_Engineer',
    [`${INSTANCE}/ps-4`]: 'Engineer',
  };

  beforeEach(() => {
    ssoAdmin
      .on(ListInstancesCommand)
      .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1' }] });
    ssoAdmin.on(ListPermissionSetsCommand).resolves({ PermissionSets: Object.keys(SETS) });
    ssoAdmin.on(DescribePermissionSetCommand).callsFake((input: { PermissionSetArn: string }) => ({
      PermissionSet: { PermissionSetArn: input.PermissionSetArn, Name: SETS[input.PermissionSetArn] },
    }));
  });

  it('matches the whole name, `_` and all, never a part or a prefix', async () => {
    const resolver = reader();
    expect(await resolver.permissionSet('Data_Engineer')).toEqual({
      instanceArn: INSTANCE,
      permissionSetArn: `${INSTANCE}/ps-3`,
      name: 'Data_Engineer',
    });
    expect((await resolver.permissionSet('Data'))?.permissionSetArn).toBe(`${INSTANCE}/ps-1`);
    expect(await resolver.permissionSet('Engineer_Prod')).toBeNull();
    expect(await resolver.permissionSet('Data_')).toBeNull();
  });

  it('skips a set deleted between the listing and its description', async () => {
    ssoAdmin.on(DescribePermissionSetCommand, { PermissionSetArn: `${INSTANCE}/ps-1` }).rejects(
      Object.assign(new Error('gone'), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    expect((await reader().permissionSet('Engineer'))?.permissionSetArn).toBe(`${INSTANCE}/ps-4`);
  });
});

describe('failures become the product errors, naming the IAM action', () => {
  it('access denied: an IdentityCenterError naming the action the role needs', async () => {
    answerAnEmptySet();
    ssoAdmin.on(GetInlinePolicyForPermissionSetCommand).rejects(serviceError('AccessDeniedException'));
    const error = await reader()
      .definition(REF)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityCenterError);
    expect(error).toMatchObject({
      operation: 'sso:GetInlinePolicyForPermissionSet',
      reason: 'access-denied',
    });
    expect((error as Error).message).toBe(
      'Access denied: the Identity Center role needs sso:GetInlinePolicyForPermissionSet on permission set Data_Engineer (AccessDeniedException: AccessDeniedException from the test)',
    );
    expect((error as Error).cause).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('throttling and 5xx are transient: the record is retried later', async () => {
    answerAnEmptySet();
    ssoAdmin.on(ListTagsForResourceCommand).rejects(serviceError('ThrottlingException', 400));
    await expect(reader().definition(REF)).rejects.toThrow(TransientAwsError);
    ssoAdmin.on(ListTagsForResourceCommand).rejects(serviceError('InternalServerException', 500));
    await expect(reader().definition(REF)).rejects.toThrow(TransientAwsError);
  });

  it('a boundary read that fails otherwise than "none attached" fails the definition', async () => {
    answerAnEmptySet();
    ssoAdmin.on(GetPermissionsBoundaryForPermissionSetCommand).rejects(serviceError('ValidationException'));
    await expect(reader().definition(REF)).rejects.toMatchObject({
      operation: 'sso:GetPermissionsBoundaryForPermissionSet',
      reason: 'failed',
    });
  });

  it("an approver's memberships that cannot be read fail loudly, never pass as 'no groups'", async () => {
    ssoAdmin
      .on(ListInstancesCommand)
      .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1' }] });
    identityStore.on(GetUserIdCommand).rejects(serviceError('AccessDeniedException'));
    await expect(reader().userMemberships('li.wei')).rejects.toMatchObject({
      operation: 'identitystore:GetUserId',
      reason: 'access-denied',
    });
    identityStore.on(GetUserIdCommand).rejects(serviceError('ResourceNotFoundException'));
    expect(await reader().userMemberships('li.wei')).toBeNull();
  });
});

describe('provisioning status', () => {
  it("reads Identity Center's three states, with the failure reason when FAILED", async () => {
    ssoAdmin
      .on(DescribePermissionSetProvisioningStatusCommand)
      .resolvesOnce({
        PermissionSetProvisioningStatus: {
          Status: 'IN_PROGRESS',
          RequestId: 'req-1',
          AccountId: '210987654321',
          PermissionSetArn: REF.permissionSetArn,
        },
      })
      .resolvesOnce({
        PermissionSetProvisioningStatus: {
          Status: 'FAILED',
          RequestId: 'req-1',
          AccountId: '210987654321',
          PermissionSetArn: REF.permissionSetArn,
          FailureReason: 'Received a 404 status error: Not supported policy arn:aws:iam::aws:policy/Gone.',
        },
      });
    const first = await reader().provisioningStatus(REF, 'req-1');
    expect(first).toEqual({
      requestId: 'req-1',
      state: 'IN_PROGRESS',
      accountId: '210987654321',
      permissionSetArn: REF.permissionSetArn,
      failureReason: null,
    });
    expect((await reader().provisioningStatus(REF, 'req-1')).failureReason).toMatch(/Not supported policy/);
    expect(ssoAdmin).toHaveReceivedCommandWith(DescribePermissionSetProvisioningStatusCommand, {
      InstanceArn: INSTANCE,
      ProvisionPermissionSetRequestId: 'req-1',
    });
  });

  it('refuses a state outside the model rather than guess', async () => {
    ssoAdmin.on(DescribePermissionSetProvisioningStatusCommand).resolves({
      PermissionSetProvisioningStatus: { Status: 'PAUSED' as never, RequestId: 'req-1', AccountId: '1' },
    });
    await expect(reader().provisioningStatus(REF, 'req-1')).rejects.toMatchObject({ reason: 'malformed' });
  });
});

describe('SsoAdminIdentityCenterWriter', () => {
  it('never sends a provisioning without a 12-digit account to name', async () => {
    for (const target of ['', 'ALL_PROVISIONED_ACCOUNTS', '12345678901', '1234567890123']) {
      await expect(writer().provision(REF, target)).rejects.toMatchObject({ reason: 'malformed' });
    }
    expect(ssoAdmin).not.toHaveReceivedCommand(ProvisionPermissionSetCommand);
  });

  it('provisions to the one account and returns the request to poll', async () => {
    ssoAdmin.on(ProvisionPermissionSetCommand).resolves({
      PermissionSetProvisioningStatus: {
        Status: 'IN_PROGRESS',
        RequestId: 'req-9',
        PermissionSetArn: REF.permissionSetArn,
      },
    });
    expect(await writer().provision(REF, '210987654321')).toEqual({
      requestId: 'req-9',
      state: 'IN_PROGRESS',
      accountId: '210987654321',
      permissionSetArn: REF.permissionSetArn,
      failureReason: null,
    });
    expect(ssoAdmin).toHaveReceivedCommandWith(ProvisionPermissionSetCommand, {
      InstanceArn: INSTANCE,
      PermissionSetArn: REF.permissionSetArn,
      TargetType: 'AWS_ACCOUNT',
      TargetId: '210987654321',
    });
  });

  it('a conflicting write in flight is transient (sso-admin says retry with backoff); denied is for good', async () => {
    ssoAdmin.on(PutInlinePolicyToPermissionSetCommand).rejectsOnce(serviceError('ConflictException'));
    await expect(writer().putInlinePolicy(REF, '{}')).rejects.toThrow(TransientAwsError);
    ssoAdmin.on(ProvisionPermissionSetCommand).rejects(serviceError('AccessDeniedException'));
    await expect(writer().provision(REF, '210987654321')).rejects.toMatchObject({
      operation: 'sso:ProvisionPermissionSet',
      reason: 'access-denied',
    });
  });
});
