import type {
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionSetRef,
  ProvisioningStatus,
} from '../core/identity-center/model';

/**
 * Reads of the organization's Identity Center instance (sso-admin in its region, identitystore for
 * names and group sizes). Organization mode: through the management account's read role.
 */
export interface IdentityCenterReader {
  /** The set named `name` (as in `AWSReservedSSO_<name>_<hash>`); null when no set has that name. */
  permissionSet(name: string): Promise<PermissionSetRef | null>;
  /** The whole definition, read afresh (never cached: the apply compares it). */
  definition(ref: PermissionSetRef): Promise<PermissionSetDefinition>;
  /** The accounts the set is provisioned to. */
  provisionedAccounts(ref: PermissionSetRef): Promise<string[]>;
  /** Who is assigned the set in `accountId`, with names and group sizes where readable. */
  assignments(ref: PermissionSetRef, accountId: string): Promise<PermissionSetAssignment[]>;
  /**
   * The identitystore user id of a user name, and the ids of the groups it belongs to: separation of
   * duties maps an approver's Identity Center session to the set's assignments. null: no such user.
   */
  userMemberships(userName: string): Promise<{ userId: string; groupIds: string[] } | null>;
  provisioningStatus(ref: PermissionSetRef, requestId: string): Promise<ProvisioningStatus>;
}

/**
 * The only Identity Center writes: the set's inline policy and its provisioning to ONE account.
 * Organization mode: through the management account's apply role, trusted only by the hub's apply
 * role, allowed only on sets carrying the organization's tag.
 */
export interface IdentityCenterWriter {
  putInlinePolicy(ref: PermissionSetRef, policy: string): Promise<void>;
  /** ProvisionPermissionSet with TargetType=AWS_ACCOUNT and this account only; the request's status. */
  provision(ref: PermissionSetRef, accountId: string): Promise<ProvisioningStatus>;
}
