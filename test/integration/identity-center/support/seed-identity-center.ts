/**
 * The Identity Center the loop runs against, seeded in moto's sso-admin and identitystore in the
 * management account (where an organization's instance lives) through the provisioning fake (which
 * keeps tags and boundaries moto lacks), and provisioned to the members before any denial:
 *
 * - `Data_Engineers` (a name with `_`; managed tag): an inline policy, an AWS managed policy, a
 *   customer-managed reference `DataLakeRead` that exists in both members. Assigned in member A to the
 *   DataEngineers group (2 people) and directly to a third user; in member B to one user. Provisioned
 *   to member A and member B.
 * - `Data` (a set whose name is a prefix of the first: resolution by the whole name).
 * - `Untagged_Admins`: without the managed tag, provisioned to member A.
 * - `Org_Auditors` (managed tag): provisioned to member A AND to the management account (a delegated
 *   administrator may not change it).
 *
 * In member A, the role the denial passed: `service-role/StepFunctions-orders-etl-role`, trusting
 * states.amazonaws.com.
 */
import { CreatePolicyCommand, CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  ListInstancesCommand,
  PutInlinePolicyToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { MiddlewareStack } from '@aws-sdk/types';
import {
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_MANAGED_TAG_VALUE,
} from '../../../../lambda/settings/identity-center';
import { MOTO_ACCOUNT_HEADER } from '../../organization/support/moto-accounts';
import { sameRealmErrors } from '../../support/remediation-loop';
import type { IdentityCenterProvisioningFake } from '../../support/identity-center-provisioning-fake';

export const IDENTITY_CENTER_REGION = 'us-east-1';
export const PASSED_ROLE_PATH = '/service-role/';
export const PASSED_ROLE_NAME = 'StepFunctions-orders-etl-role';
export const CUSTOMER_MANAGED_POLICY = 'DataLakeRead';
export const AWS_MANAGED_POLICY_ARN = 'arn:aws:iam::aws:policy/AWSStepFunctionsReadOnlyAccess';

/** The inline policy `Data_Engineers` carries before any change, exactly as written (whitespace counts). */
export const DATA_ENGINEERS_INLINE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StepFunctionsAuthoring',
        Effect: 'Allow',
        Action: ['states:CreateStateMachine', 'states:UpdateStateMachine', 'states:StartExecution'],
        Resource: '*',
      },
    ],
  },
  null,
  2,
);

export const PEOPLE = {
  /** In the DataEngineers group: the denial's user. */
  liWei: 'li.wei@example.com',
  maria: 'maria.garcia@example.com',
  /** Assigned Data_Engineers directly in member A. */
  sam: 'sam.okafor@example.com',
  /** Assigned nothing: an approver who gains nothing. */
  securityLead: 'security.lead@example.com',
} as const;
export const DATA_ENGINEERS_GROUP = 'DataEngineers';

export interface SeededPermissionSet {
  name: string;
  arn: string;
}

export interface SeededIdentityCenter {
  instanceArn: string;
  identityStoreId: string;
  /** The account holding the instance (the management account). */
  accountId: string;
  sets: {
    dataEngineers: SeededPermissionSet;
    data: SeededPermissionSet;
    untaggedAdmins: SeededPermissionSet;
    orgAuditors: SeededPermissionSet;
  };
  userIds: Record<keyof typeof PEOPLE, string>;
  groupId: string;
  /** The role each denial passed (member A). */
  passedRoleArn: string;
  sso: SSOAdminClient;
  identityStore: IdentitystoreClient;
  destroy(): void;
}

export interface SeedIdentityCenterOptions {
  /** The provisioning fake (in front of moto). */
  fake: IdentityCenterProvisioningFake;
  managementAccountId: string;
  memberA: string;
  memberB: string;
  /** IAM clients of an account (moto's header). */
  iamOf: (accountId: string) => IAMClient;
}

function sendAccount<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  accountId: string,
): void {
  stack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers[MOTO_ACCOUNT_HEADER] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccountHeader' },
  );
}

/** sso-admin and identitystore clients acting in `accountId`, sent to `endpoint`. */
export function identityCenterClients(
  endpoint: string,
  accountId: string,
): { sso: SSOAdminClient; identityStore: IdentitystoreClient } {
  const config = {
    endpoint,
    region: IDENTITY_CENTER_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const sso = new SSOAdminClient(config);
  const identityStore = new IdentitystoreClient(config);
  sameRealmErrors(sso.middlewareStack);
  sameRealmErrors(identityStore.middlewareStack);
  sendAccount(sso.middlewareStack, accountId);
  sendAccount(identityStore.middlewareStack, accountId);
  return { sso, identityStore };
}

export async function seedIdentityCenter(options: SeedIdentityCenterOptions): Promise<SeededIdentityCenter> {
  const { fake, managementAccountId, memberA, memberB } = options;
  const { sso, identityStore } = identityCenterClients(fake.endpoint, managementAccountId);
  const [instance] = (await sso.send(new ListInstancesCommand({}))).Instances ?? [];
  const instanceArn = instance?.InstanceArn ?? '';
  const identityStoreId = instance?.IdentityStoreId ?? '';
  if (instanceArn === '') throw new Error('moto has no Identity Center instance in the management account');

  const userIds = {} as Record<keyof typeof PEOPLE, string>;
  for (const [key, userName] of Object.entries(PEOPLE) as [keyof typeof PEOPLE, string][]) {
    const [given = '', family = ''] = userName.split('@')[0]?.split('.') ?? [];
    const created = await identityStore.send(
      new CreateUserCommand({
        IdentityStoreId: identityStoreId,
        UserName: userName,
        DisplayName: `${given} ${family}`,
        Name: { GivenName: given, FamilyName: family },
      }),
    );
    userIds[key] = created.UserId ?? '';
  }
  const groupId =
    (
      await identityStore.send(
        new CreateGroupCommand({ IdentityStoreId: identityStoreId, DisplayName: DATA_ENGINEERS_GROUP }),
      )
    ).GroupId ?? '';
  for (const member of [userIds.liWei, userIds.maria]) {
    await identityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: identityStoreId,
        GroupId: groupId,
        MemberId: { UserId: member },
      }),
    );
  }

  const managed = [{ Key: IDENTITY_CENTER_MANAGED_TAG, Value: IDENTITY_CENTER_MANAGED_TAG_VALUE }];
  const createSet = async (name: string, tagged: boolean): Promise<SeededPermissionSet> => {
    const created = await sso.send(
      new CreatePermissionSetCommand({
        InstanceArn: instanceArn,
        Name: name,
        SessionDuration: 'PT8H',
        ...(tagged ? { Tags: managed } : {}),
      }),
    );
    return { name, arn: created.PermissionSet?.PermissionSetArn ?? '' };
  };
  const sets = {
    dataEngineers: await createSet('Data_Engineers', true),
    data: await createSet('Data', true),
    untaggedAdmins: await createSet('Untagged_Admins', false),
    orgAuditors: await createSet('Org_Auditors', true),
  };
  const ids = (set: SeededPermissionSet) => ({ InstanceArn: instanceArn, PermissionSetArn: set.arn });
  await sso.send(
    new PutInlinePolicyToPermissionSetCommand({
      ...ids(sets.dataEngineers),
      InlinePolicy: DATA_ENGINEERS_INLINE,
    }),
  );
  await sso.send(
    new AttachManagedPolicyToPermissionSetCommand({
      ...ids(sets.dataEngineers),
      ManagedPolicyArn: AWS_MANAGED_POLICY_ARN,
    }),
  );
  await sso.send(
    new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
      ...ids(sets.dataEngineers),
      CustomerManagedPolicyReference: { Name: CUSTOMER_MANAGED_POLICY, Path: '/' },
    }),
  );
  for (const set of [sets.data, sets.untaggedAdmins, sets.orgAuditors]) {
    await sso.send(
      new PutInlinePolicyToPermissionSetCommand({
        ...ids(set),
        InlinePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
        }),
      }),
    );
  }

  // What the members hold before the sets reach them: the customer-managed policy the set references
  // by name, and (member A) the role the denial passed.
  for (const member of [memberA, memberB]) {
    await options.iamOf(member).send(
      new CreatePolicyCommand({
        PolicyName: CUSTOMER_MANAGED_POLICY,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
        }),
      }),
    );
  }
  const passed = await options.iamOf(memberA).send(
    new CreateRoleCommand({
      RoleName: PASSED_ROLE_NAME,
      Path: PASSED_ROLE_PATH,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );

  const assign = async (
    set: SeededPermissionSet,
    account: string,
    principalType: 'USER' | 'GROUP',
    principalId: string,
  ): Promise<void> => {
    await sso.send(
      new CreateAccountAssignmentCommand({
        ...ids(set),
        TargetType: 'AWS_ACCOUNT',
        TargetId: account,
        PrincipalType: principalType,
        PrincipalId: principalId,
      }),
    );
  };
  await assign(sets.dataEngineers, memberA, 'GROUP', groupId);
  await assign(sets.dataEngineers, memberA, 'USER', userIds.sam);
  await assign(sets.dataEngineers, memberB, 'USER', userIds.liWei);
  await assign(sets.untaggedAdmins, memberA, 'USER', userIds.liWei);
  await assign(sets.orgAuditors, memberA, 'USER', userIds.liWei);
  await assign(sets.orgAuditors, managementAccountId, 'USER', userIds.liWei);

  const provisions: [SeededPermissionSet, string][] = [
    [sets.dataEngineers, memberA],
    [sets.dataEngineers, memberB],
    [sets.data, memberA],
    [sets.untaggedAdmins, memberA],
    [sets.orgAuditors, memberA],
    [sets.orgAuditors, managementAccountId],
  ];
  for (const [set, account] of provisions) {
    await fake.seedProvisioned(managementAccountId, instanceArn, set.arn, account);
  }

  return {
    instanceArn,
    identityStoreId,
    accountId: managementAccountId,
    sets,
    userIds,
    groupId,
    passedRoleArn: passed.Role?.Arn ?? '',
    sso,
    identityStore,
    destroy: () => {
      sso.destroy();
      identityStore.destroy();
    },
  };
}
