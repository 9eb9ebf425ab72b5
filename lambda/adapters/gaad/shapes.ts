/**
 * The output of IAM GetAccountAuthorizationDetails (GAAD), structurally: shared by the snapshot reader
 * (the CLI's JSON) and the AWS reader (the SDK's output). The types mirror the SDK's, with documents
 * typed `unknown` because the CLI gives JSON objects while the API and SDK v3 give URL-encoded JSON
 * strings.
 */

export interface InlinePolicyDetail {
  PolicyName?: string;
  /** A JSON object, or a (URL-encoded) JSON string. */
  PolicyDocument?: unknown;
}

export interface AttachedPolicyDetail {
  PolicyName?: string;
  PolicyArn?: string;
}

export interface PermissionsBoundaryDetail {
  PermissionsBoundaryType?: string;
  PermissionsBoundaryArn?: string;
}

export interface UserDetail {
  Path?: string;
  UserName?: string;
  UserId?: string;
  Arn?: string;
  UserPolicyList?: InlinePolicyDetail[];
  GroupList?: string[];
  AttachedManagedPolicies?: AttachedPolicyDetail[];
  PermissionsBoundary?: PermissionsBoundaryDetail;
}

export interface GroupDetail {
  Path?: string;
  GroupName?: string;
  GroupId?: string;
  Arn?: string;
  GroupPolicyList?: InlinePolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicyDetail[];
}

/** An instance profile as GAAD lists it under the role it holds (an instance profile holds at most one). */
export interface InstanceProfileDetail {
  Path?: string;
  InstanceProfileName?: string;
  InstanceProfileId?: string;
  Arn?: string;
}

export interface RoleDetail {
  Path?: string;
  RoleName?: string;
  RoleId?: string;
  Arn?: string;
  AssumeRolePolicyDocument?: unknown;
  /** The instance profiles that hold this role. */
  InstanceProfileList?: InstanceProfileDetail[];
  RolePolicyList?: InlinePolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicyDetail[];
  PermissionsBoundary?: PermissionsBoundaryDetail;
}

export interface PolicyVersionDetail {
  Document?: unknown;
  VersionId?: string;
  IsDefaultVersion?: boolean;
}

export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  PolicyVersionList?: PolicyVersionDetail[];
}

/** GetAccountAuthorizationDetails output (all pages merged). The SDK's response type is assignable to it. */
export interface AuthorizationDetails {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
}
