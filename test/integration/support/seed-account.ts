/**
 * Builds the seed scenario (examples/seed/account.json, a GetAccountAuthorizationDetails answer)
 * in moto through the IAM API. Every call is derived from the file, so the example and the
 * emulated account cannot drift apart. IDs and dates are the emulator's own: the API cannot set them.
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import seedJson from '../../../examples/seed/account.json';

/** A policy document as the file holds it: decoded JSON, sent to IAM as a string. */
type SeedPolicyDocument = Record<string, unknown>;

interface SeedInlinePolicy {
  PolicyName: string;
  PolicyDocument: SeedPolicyDocument;
}

interface SeedAttachedPolicy {
  PolicyName: string;
  PolicyArn: string;
}

interface SeedPermissionsBoundary {
  PermissionsBoundaryArn: string;
}

interface SeedUser {
  Path: string;
  UserName: string;
  Arn: string;
  GroupList: string[];
  AttachedManagedPolicies: SeedAttachedPolicy[];
  UserPolicyList?: SeedInlinePolicy[];
  PermissionsBoundary?: SeedPermissionsBoundary;
}

interface SeedGroup {
  Path: string;
  GroupName: string;
  Arn: string;
  GroupPolicyList: SeedInlinePolicy[];
  AttachedManagedPolicies: SeedAttachedPolicy[];
}

interface SeedRole {
  Path: string;
  RoleName: string;
  Arn: string;
  AssumeRolePolicyDocument: SeedPolicyDocument;
  RolePolicyList: SeedInlinePolicy[];
  AttachedManagedPolicies: SeedAttachedPolicy[];
  PermissionsBoundary?: SeedPermissionsBoundary;
  Description?: string;
}

interface SeedManagedPolicy {
  PolicyName: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  Description?: string;
  PolicyVersionList: { Document: SeedPolicyDocument; VersionId: string }[];
}

/** The parts of GetAccountAuthorizationDetails the seeder reproduces. */
export interface SeedAccount {
  UserDetailList: SeedUser[];
  GroupDetailList: SeedGroup[];
  RoleDetailList: SeedRole[];
  Policies: SeedManagedPolicy[];
}

/** The example file, checked against SeedAccount by the compiler (tsc --noEmit). */
export const SEED_ACCOUNT: SeedAccount = seedJson;

/** ARNs of what was created, by name, as moto reports them. */
export interface SeededAccount {
  users: Record<string, string>;
  groups: Record<string, string>;
  roles: Record<string, string>;
  /** Customer managed policies created from the file; AWS managed ones are moto's own. */
  customerManagedPolicies: Record<string, string>;
}

const AWS_MANAGED_POLICY_PREFIX = 'arn:aws:iam::aws:policy/';

export async function seedGlueAccount(
  iam: IAMClient,
  seed: SeedAccount = SEED_ACCOUNT,
): Promise<SeededAccount> {
  const seeded: SeededAccount = { users: {}, groups: {}, roles: {}, customerManagedPolicies: {} };

  // Managed policies first: groups, users and roles attach them.
  for (const policy of seed.Policies) {
    if (policy.Arn.startsWith(AWS_MANAGED_POLICY_PREFIX)) continue;
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: policy.PolicyName,
        Path: policy.Path,
        Description: policy.Description,
        PolicyDocument: JSON.stringify(defaultVersionDocument(policy)),
      }),
    );
    seeded.customerManagedPolicies[policy.PolicyName] = required(created.Policy?.Arn, 'CreatePolicy Arn');
  }

  for (const group of seed.GroupDetailList) {
    const { GroupName } = group;
    const created = await iam.send(new CreateGroupCommand({ GroupName, Path: group.Path }));
    seeded.groups[GroupName] = required(created.Group?.Arn, 'CreateGroup Arn');
    for (const inline of group.GroupPolicyList) {
      await iam.send(new PutGroupPolicyCommand({ GroupName, ...inlinePolicyInput(inline) }));
    }
    for (const attached of group.AttachedManagedPolicies) {
      await iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn: attached.PolicyArn }));
    }
  }

  for (const user of seed.UserDetailList) {
    const { UserName } = user;
    const created = await iam.send(new CreateUserCommand({ UserName, Path: user.Path }));
    seeded.users[UserName] = required(created.User?.Arn, 'CreateUser Arn');
    for (const GroupName of user.GroupList) {
      await iam.send(new AddUserToGroupCommand({ GroupName, UserName }));
    }
    for (const inline of user.UserPolicyList ?? []) {
      await iam.send(new PutUserPolicyCommand({ UserName, ...inlinePolicyInput(inline) }));
    }
    for (const attached of user.AttachedManagedPolicies) {
      await iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn: attached.PolicyArn }));
    }
    if (user.PermissionsBoundary !== undefined) {
      await iam.send(
        new PutUserPermissionsBoundaryCommand({
          UserName,
          PermissionsBoundary: user.PermissionsBoundary.PermissionsBoundaryArn,
        }),
      );
    }
  }

  for (const role of seed.RoleDetailList) {
    const { RoleName } = role;
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName,
        Path: role.Path,
        Description: role.Description,
        AssumeRolePolicyDocument: JSON.stringify(role.AssumeRolePolicyDocument),
      }),
    );
    seeded.roles[RoleName] = required(created.Role?.Arn, 'CreateRole Arn');
    for (const inline of role.RolePolicyList) {
      await iam.send(new PutRolePolicyCommand({ RoleName, ...inlinePolicyInput(inline) }));
    }
    for (const attached of role.AttachedManagedPolicies) {
      await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: attached.PolicyArn }));
    }
    if (role.PermissionsBoundary !== undefined) {
      await iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName,
          PermissionsBoundary: role.PermissionsBoundary.PermissionsBoundaryArn,
        }),
      );
    }
  }

  return seeded;
}

function inlinePolicyInput(inline: SeedInlinePolicy): { PolicyName: string; PolicyDocument: string } {
  return { PolicyName: inline.PolicyName, PolicyDocument: JSON.stringify(inline.PolicyDocument) };
}

function defaultVersionDocument(policy: SeedManagedPolicy): SeedPolicyDocument {
  const version = policy.PolicyVersionList.find(
    (candidate) => candidate.VersionId === policy.DefaultVersionId,
  );
  if (version === undefined) {
    throw new Error(
      `seed policy ${policy.Arn} has no version ${policy.DefaultVersionId} in PolicyVersionList`,
    );
  }
  return version.Document;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`moto answered without ${what}`);
  return value;
}
