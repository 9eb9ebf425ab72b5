/**
 * The IAM actions the Identity Center adapters call, for the roles that run them (lib/: the read
 * and apply roles of IDENTITY_CENTER_ROLE_NAMES). Each list is exactly what the code sends.
 */

/** SsoAdminIdentityCenterReader: sso-admin reads, then identitystore for names and group sizes. */
export const IDENTITY_CENTER_READ_ACTIONS = [
  'sso:ListInstances',
  'sso:ListPermissionSets',
  'sso:DescribePermissionSet',
  'sso:GetInlinePolicyForPermissionSet',
  'sso:ListManagedPoliciesInPermissionSet',
  'sso:ListCustomerManagedPolicyReferencesInPermissionSet',
  'sso:GetPermissionsBoundaryForPermissionSet',
  'sso:ListTagsForResource',
  'sso:ListAccountsForProvisionedPermissionSet',
  'sso:ListAccountAssignments',
  'sso:DescribePermissionSetProvisioningStatus',
  'identitystore:DescribeUser',
  'identitystore:DescribeGroup',
  'identitystore:ListGroupMemberships',
  'identitystore:GetUserId',
  'identitystore:ListGroupMembershipsForMember',
] as const;

/** SsoAdminIdentityCenterWriter: the only two writes. */
export const IDENTITY_CENTER_WRITE_ACTIONS = [
  'sso:PutInlinePolicyToPermissionSet',
  'sso:ProvisionPermissionSet',
] as const;
