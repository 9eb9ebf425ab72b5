/**
 * The contract of IdentityCenterProvisioningFake (test/integration/support/identity-center-provisioning-fake.ts)
 * and of the Identity Center world the loop runs in: what moto's sso-admin lacks answered as the
 * sso-admin API reference says, the reserved role provisioned into the member's IAM, the assertion
 * that provisioning targets one allowed account, and the two management roles' trust enforced by the
 * accounts proxy. Everything the hub does here goes through the accounts proxy with the session the
 * hub function would have.
 */
import { AssumeRoleCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { IDENTITY_CENTER_MANAGED_TAG } from '../../../lambda/settings/identity-center';
import { RESERVED_INLINE_POLICY_NAME } from '../support/identity-center-provisioning-fake';
import { startIdentityCenterOnMoto, type IdentityCenterOnMoto } from './support/identity-center-on-moto';
import {
  AWS_MANAGED_POLICY_ARN,
  CUSTOMER_MANAGED_POLICY,
  DATA_ENGINEERS_INLINE,
} from './support/seed-identity-center';
import { identityCenterRoleArn } from './support/identity-center-roles';
import { accountClients, identityOf } from '../organization/support/moto-accounts';
import { EXTERNAL_ID } from '../organization/support/member-roles';

describe('IdentityCenterProvisioningFake and the Identity Center world on moto', () => {
  let world: IdentityCenterOnMoto;
  let management: string;
  let memberA: string;
  let memberB: string;
  let apply: SSOAdminClient;
  let read: SSOAdminClient;

  beforeAll(async () => {
    world = await startIdentityCenterOnMoto();
    const { organization } = world.deployment;
    management = organization.managementAccountId;
    memberA = organization.memberA.id;
    memberB = organization.memberB.id;
    read = (await world.identityCenterSession('diagnose', 'read')).sso;
    apply = (await world.identityCenterSession('apply', 'apply', 'security.lead')).sso;
  });

  afterAll(async () => {
    await world.stop();
  });

  afterEach(() => {
    // A refusal a test provoked on purpose is taken out by that test; anything left is a failure.
    expect(world.fake.violations).toEqual([]);
    expect(world.fake.accessDenials).toEqual([]);
  });

  async function inlineOfSet(arn: string): Promise<string | undefined> {
    return (await world.identityCenter.sso.send(new GetInlinePolicyForPermissionSetCommand(ids(arn))))
      .InlinePolicy;
  }

  const ids = (arn: string) => ({ InstanceArn: world.identityCenter.instanceArn, PermissionSetArn: arn });
  const reservedRole = (setName: string, arn: string, account: string) =>
    world.fake.reservedRoleName(setName, arn, account);
  async function inlineOfReservedRole(account: string, roleName: string): Promise<string> {
    const answer = await world.deployment
      .clients(account)
      .iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: RESERVED_INLINE_POLICY_NAME }));
    return decodeURIComponent(answer.PolicyDocument ?? '');
  }

  it('provisioned the seeded sets: the reserved role in each member carries the whole definition', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    for (const account of [memberA, memberB]) {
      const name = reservedRole(set.name, set.arn, account);
      expect(name).toMatch(/^AWSReservedSSO_Data_Engineers_[0-9a-f]{16}$/);
      const iam = world.deployment.clients(account).iam;
      const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
      expect(role?.Path).toBe('/aws-reserved/sso.amazonaws.com/');
      expect(role?.Arn).toBe(`arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/${name}`);
      expect(await inlineOfReservedRole(account, name)).toBe(DATA_ENGINEERS_INLINE);
      const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })))
        .AttachedPolicies;
      expect(attached?.map((policy) => policy.PolicyArn).sort()).toEqual(
        [AWS_MANAGED_POLICY_ARN, `arn:aws:iam::${account}:policy/${CUSTOMER_MANAGED_POLICY}`].sort(),
      );
    }
    // The hash differs per account, as Identity Center's.
    expect(reservedRole(set.name, set.arn, memberA)).not.toBe(reservedRole(set.name, set.arn, memberB));
  });

  it('resolves a set by its whole name, `_` included, through the read role', async () => {
    const arns =
      (await read.send(new ListPermissionSetsCommand({ InstanceArn: world.identityCenter.instanceArn })))
        .PermissionSets ?? [];
    const names = new Map<string, string>();
    for (const arn of arns) {
      const described = await read.send(new DescribePermissionSetCommand(ids(arn)));
      names.set(described.PermissionSet?.Name ?? '', arn);
    }
    expect([...names.keys()].sort()).toEqual(['Data', 'Data_Engineers', 'Org_Auditors', 'Untagged_Admins']);
    expect(names.get('Data_Engineers')).toBe(world.identityCenter.sets.dataEngineers.arn);
    expect(names.get('Data')).not.toBe(names.get('Data_Engineers'));
    // Every one of those calls was made in the management account by its read role.
    const ssoCalls = world.proxy.calls.filter((call) => call.operation.startsWith('sso:'));
    expect(new Set(ssoCalls.map((call) => `${call.account} ${call.roleArn}`))).toEqual(
      new Set([`${management} ${identityCenterRoleArn(management, 'read')}`]),
    );
  });

  it('lists the accounts each set is provisioned to (moto knows only its own)', async () => {
    const { dataEngineers, orgAuditors } = world.identityCenter.sets;
    const accountsOf = async (arn: string) =>
      (await read.send(new ListAccountsForProvisionedPermissionSetCommand(ids(arn)))).AccountIds;
    expect(await accountsOf(dataEngineers.arn)).toEqual([memberA, memberB].sort());
    expect(await accountsOf(orgAuditors.arn)).toEqual([management, memberA].sort());
  });

  it('answers tags (those given at creation) and the permissions boundary moto does not keep', async () => {
    const { dataEngineers, untaggedAdmins } = world.identityCenter.sets;
    const tagsOf = async (arn: string) =>
      (
        await read.send(
          new ListTagsForResourceCommand({ InstanceArn: world.identityCenter.instanceArn, ResourceArn: arn }),
        )
      ).Tags;
    expect(await tagsOf(dataEngineers.arn)).toEqual([{ Key: IDENTITY_CENTER_MANAGED_TAG, Value: 'true' }]);
    expect(await tagsOf(untaggedAdmins.arn)).toEqual([]);
    await expect(
      read.send(new GetPermissionsBoundaryForPermissionSetCommand(ids(untaggedAdmins.arn))),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await world.identityCenter.sso.send(
      new PutPermissionsBoundaryToPermissionSetCommand({
        ...ids(untaggedAdmins.arn),
        PermissionsBoundary: { ManagedPolicyArn: AWS_MANAGED_POLICY_ARN },
      }),
    );
    const boundary = await read.send(
      new GetPermissionsBoundaryForPermissionSetCommand(ids(untaggedAdmins.arn)),
    );
    expect(boundary.PermissionsBoundary).toEqual({ ManagedPolicyArn: AWS_MANAGED_POLICY_ARN });
    await world.identityCenter.sso.send(
      new DeletePermissionsBoundaryFromPermissionSetCommand(ids(untaggedAdmins.arn)),
    );
  });

  it('fails a provisioning that is not TargetType=AWS_ACCOUNT or not to the allowed account', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    world.fake.allowProvisioningTo(memberA);
    await expect(
      apply.send(
        new ProvisionPermissionSetCommand({ ...ids(set.arn), TargetType: 'ALL_PROVISIONED_ACCOUNTS' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      apply.send(
        new ProvisionPermissionSetCommand({ ...ids(set.arn), TargetType: 'AWS_ACCOUNT', TargetId: memberB }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    expect(world.fake.violations.splice(0)).toEqual([
      'ProvisionPermissionSet with TargetType=ALL_PROVISIONED_ACCOUNTS (only AWS_ACCOUNT is allowed)',
      `ProvisionPermissionSet to account ${memberB}, not the denial's`,
    ]);
    expect(world.fake.requests).toEqual([]);
  });

  it('reports IN_PROGRESS as scripted, and changes the role only once SUCCEEDED is seen', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    const roleName = reservedRole(set.name, set.arn, memberA);
    const edited = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Edited', Effect: 'Allow', Action: 'states:ListStateMachines', Resource: '*' }],
    });
    await apply.send(new PutInlinePolicyToPermissionSetCommand({ ...ids(set.arn), InlinePolicy: edited }));
    world.fake.allowProvisioningTo(memberA);
    world.fake.scriptProvisioning({ inProgress: 2, outcome: 'SUCCEEDED' });
    const started = await apply.send(
      new ProvisionPermissionSetCommand({ ...ids(set.arn), TargetType: 'AWS_ACCOUNT', TargetId: memberA }),
    );
    const requestId = started.PermissionSetProvisioningStatus?.RequestId ?? '';
    const states = [started.PermissionSetProvisioningStatus?.Status];
    const roleInline = [await inlineOfReservedRole(memberA, roleName)];
    for (let poll = 0; poll < 2; poll++) {
      const status = await apply.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: world.identityCenter.instanceArn,
          ProvisionPermissionSetRequestId: requestId,
        }),
      );
      states.push(status.PermissionSetProvisioningStatus?.Status);
      roleInline.push(await inlineOfReservedRole(memberA, roleName));
    }
    expect(states).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(roleInline).toEqual([DATA_ENGINEERS_INLINE, DATA_ENGINEERS_INLINE, edited]);
    // Member B's role was not touched: the provisioning was to member A only.
    expect(await inlineOfReservedRole(memberB, reservedRole(set.name, set.arn, memberB))).toBe(
      DATA_ENGINEERS_INLINE,
    );

    // Put the set back as seeded, provisioned.
    await apply.send(
      new PutInlinePolicyToPermissionSetCommand({ ...ids(set.arn), InlinePolicy: DATA_ENGINEERS_INLINE }),
    );
    await apply.send(
      new ProvisionPermissionSetCommand({ ...ids(set.arn), TargetType: 'AWS_ACCOUNT', TargetId: memberA }),
    );
    expect(await inlineOfReservedRole(memberA, roleName)).toBe(DATA_ENGINEERS_INLINE);
  });

  it('refuses a second provisioning of the same set to the same account while one is IN_PROGRESS', async () => {
    const set = world.identityCenter.sets.data;
    world.fake.allowProvisioningTo(memberA);
    world.fake.scriptProvisioning({ inProgress: 1, outcome: 'SUCCEEDED' });
    const request = { ...ids(set.arn), TargetType: 'AWS_ACCOUNT' as const, TargetId: memberA };
    const started = await apply.send(new ProvisionPermissionSetCommand(request));
    expect(started.PermissionSetProvisioningStatus?.Status).toBe('IN_PROGRESS');
    await expect(apply.send(new ProvisionPermissionSetCommand(request))).rejects.toMatchObject({
      name: 'ConflictException',
    });
    const done = await apply.send(
      new DescribePermissionSetProvisioningStatusCommand({
        InstanceArn: world.identityCenter.instanceArn,
        ProvisionPermissionSetRequestId: started.PermissionSetProvisioningStatus?.RequestId ?? '',
      }),
    );
    expect(done.PermissionSetProvisioningStatus?.Status).toBe('SUCCEEDED');
    // Settled: a new request is taken again.
    expect(
      (await apply.send(new ProvisionPermissionSetCommand(request))).PermissionSetProvisioningStatus?.Status,
    ).toBe('SUCCEEDED');
  });

  it('reports a scripted FAILED with its reason and leaves the role as it was', async () => {
    const set = world.identityCenter.sets.data;
    const roleName = reservedRole(set.name, set.arn, memberA);
    const before = await inlineOfReservedRole(memberA, roleName);
    await apply.send(
      new PutInlinePolicyToPermissionSetCommand({
        ...ids(set.arn),
        InlinePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
        }),
      }),
    );
    world.fake.allowProvisioningTo(memberA);
    world.fake.scriptProvisioning({ inProgress: 1, outcome: 'FAILED', failureReason: 'Request throttled' });
    const started = await apply.send(
      new ProvisionPermissionSetCommand({ ...ids(set.arn), TargetType: 'AWS_ACCOUNT', TargetId: memberA }),
    );
    const status = await apply.send(
      new DescribePermissionSetProvisioningStatusCommand({
        InstanceArn: world.identityCenter.instanceArn,
        ProvisionPermissionSetRequestId: started.PermissionSetProvisioningStatus?.RequestId ?? '',
      }),
    );
    expect(status.PermissionSetProvisioningStatus).toMatchObject({
      Status: 'FAILED',
      FailureReason: 'Request throttled',
      AccountId: memberA,
      PermissionSetArn: set.arn,
    });
    expect(await inlineOfReservedRole(memberA, roleName)).toBe(before);
  });

  it('fails a provisioning whose customer-managed reference the member lacks, as Identity Center does', async () => {
    const set = world.identityCenter.sets.data;
    const reference = { Name: 'NotInTheMember', Path: '/team/' };
    await world.identityCenter.sso.send(
      new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
        ...ids(set.arn),
        CustomerManagedPolicyReference: reference,
      }),
    );
    world.fake.allowProvisioningTo(memberA);
    const started = await apply.send(
      new ProvisionPermissionSetCommand({ ...ids(set.arn), TargetType: 'AWS_ACCOUNT', TargetId: memberA }),
    );
    expect(started.PermissionSetProvisioningStatus).toMatchObject({
      Status: 'FAILED',
      FailureReason: `Customer managed policy /team/NotInTheMember does not exist in account ${memberA}`,
    });
    await world.identityCenter.sso.send(
      new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand({
        ...ids(set.arn),
        CustomerManagedPolicyReference: reference,
      }),
    );
  });

  it('refuses an unknown request id and a caller outside the instance account', async () => {
    await expect(
      apply.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: world.identityCenter.instanceArn,
          ProvisionPermissionSetRequestId: '00000000-0000-0000-0000-000000000000',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // The hub's own session (no Identity Center role) acts in the hub account, which has no such set.
    const hubOwn = new SSOAdminClient({
      endpoint: world.proxy.endpoint,
      region: 'us-east-1',
      credentials: identityOf(await world.functions.credentials('apply')),
      maxAttempts: 1,
    });
    try {
      await expect(
        hubOwn.send(
          new ListAccountsForProvisionedPermissionSetCommand(
            ids(world.identityCenter.sets.dataEngineers.arn),
          ),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
      expect(world.fake.accessDenials.splice(0)).toEqual([
        expect.stringMatching(
          /assumed-role\/PassRoleDoctorHub-Apply\/apply is not authorized to perform: sso:ListAccountsForProvisionedPermissionSet/,
        ),
      ]);
    } finally {
      hubOwn.destroy();
    }
  });

  it('refuses IAM writes to a reserved role (UnmodifiableEntity): only provisioning changes it', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    const roleName = reservedRole(set.name, set.arn, memberA);
    const throughProxy = accountClients(world.proxy.endpoint, memberA);
    try {
      await expect(
        throughProxy.iam.send(
          new PutRolePolicyCommand({
            RoleName: roleName,
            PolicyName: 'Sneaky',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
            }),
          }),
        ),
      ).rejects.toMatchObject({ name: 'UnmodifiableEntityException' });
    } finally {
      throughProxy.destroy();
    }
    expect(world.fake.unmodifiableRefusals).toEqual([`PutRolePolicy ${roleName}`]);
  });

  it('names permission sets as sso-admin does, not as moto does', () => {
    for (const set of Object.values(world.identityCenter.sets)) {
      expect(set.arn).toMatch(/^arn:aws:sso:::permissionSet\/ssoins-[a-z0-9]{16}\/ps-[a-z0-9]{16}$/);
    }
    expect(world.identityCenter.instanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-[a-z0-9]{16}$/);
  });

  it('authorizes sso-admin writes as IAM would: the apply role writes tagged sets only, the read role none', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
    });
    const { untaggedAdmins, dataEngineers } = world.identityCenter.sets;
    await expect(
      apply.send(
        new PutInlinePolicyToPermissionSetCommand({ ...ids(untaggedAdmins.arn), InlinePolicy: policy }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(
      read.send(
        new PutInlinePolicyToPermissionSetCommand({ ...ids(dataEngineers.arn), InlinePolicy: policy }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    world.fake.allowProvisioningTo(memberA);
    await expect(
      apply.send(
        new ProvisionPermissionSetCommand({
          ...ids(untaggedAdmins.arn),
          TargetType: 'AWS_ACCOUNT',
          TargetId: memberA,
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(world.fake.accessDenials.splice(0)).toEqual([
      expect.stringMatching(
        /assumed-role\/PassRoleDoctorIdentityCenter-Apply\/.* sso:PutInlinePolicyToPermissionSet on resource: arn:aws:sso:::permissionSet\//,
      ),
      expect.stringMatching(
        /assumed-role\/PassRoleDoctorIdentityCenter-Read\/.* sso:PutInlinePolicyToPermissionSet on resource: arn:aws:sso:::instance\//,
      ),
      expect.stringMatching(
        /PassRoleDoctorIdentityCenter-Apply\/.* sso:ProvisionPermissionSet on resource: arn:aws:sso:::permissionSet\//,
      ),
    ]);
    expect(await inlineOfSet(untaggedAdmins.arn)).not.toBe(policy);
  });

  it('refuses a role that scopes the tag on Resource "*": the instance carries no tag', async () => {
    const iam = world.deployment.clients(management).iam;
    const applyTrust = (
      await iam.send(new GetRoleCommand({ RoleName: 'PassRoleDoctorIdentityCenter-Apply' }))
    ).Role?.AssumeRolePolicyDocument;
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'TagOnStar',
        AssumeRolePolicyDocument: decodeURIComponent(applyTrust ?? ''),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'TagOnStar',
        PolicyName: 'TagOnStar',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sso:PutInlinePolicyToPermissionSet',
              Resource: '*',
              Condition: { StringEquals: { 'aws:ResourceTag/passrole-doctor:managed': 'true' } },
            },
          ],
        }),
      }),
    );
    const sts = new STSClient({
      endpoint: world.proxy.endpoint,
      region: 'us-east-1',
      credentials: identityOf(await world.functions.credentials('apply')),
      maxAttempts: 1,
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${management}:role/TagOnStar`,
        RoleSessionName: 'tag-on-star',
        ExternalId: EXTERNAL_ID,
      }),
    );
    const tagOnStar = new SSOAdminClient({
      endpoint: world.proxy.endpoint,
      region: 'us-east-1',
      credentials: identityOf(assumed.Credentials as Credentials),
      maxAttempts: 1,
    });
    try {
      await expect(
        tagOnStar.send(
          new PutInlinePolicyToPermissionSetCommand({
            ...ids(world.identityCenter.sets.dataEngineers.arn),
            InlinePolicy: DATA_ENGINEERS_INLINE,
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
      expect(world.fake.accessDenials.splice(0)).toEqual([
        expect.stringMatching(
          /sso:PutInlinePolicyToPermissionSet on resource: arn:aws:sso:::instance\/ssoins-/,
        ),
      ]);
    } finally {
      tagOnStar.destroy();
      sts.destroy();
    }
  });

  it('lets only the hub apply role assume the apply role, and the three hub roles the read role', async () => {
    await expect(world.identityCenterSession('diagnose', 'apply')).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(world.identityCenterSession('approval', 'apply')).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(world.identityCenterSession('reconcile', 'read')).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    for (const fn of ['diagnose', 'approval', 'apply'] as const) {
      await expect(world.identityCenterSession(fn, 'read')).resolves.toBeDefined();
    }
  });
});
