/**
 * IAM Identity Center's part of a denial: the permission set behind an `AWSReservedSSO_<set>_<hash>`
 * role, its whole definition, who it reaches (the blast radius) and the state of a provisioning.
 * Pure data: the sso-admin and identitystore adapters fill it, the snapshot file carries it offline.
 */
import type { PolicyDocument } from '../model';

/** A permission set as resolved from a reserved role's name (names may contain `_`). */
export interface PermissionSetRef {
  instanceArn: string;
  permissionSetArn: string;
  name: string;
}

export interface CustomerManagedPolicyReference {
  name: string;
  /** `/` when not set. */
  path: string;
}

export type PermissionsBoundary =
  | { kind: 'managed'; managedPolicyArn: string }
  | { kind: 'customer-managed'; reference: CustomerManagedPolicyReference };

/**
 * Everything ProvisionPermissionSet pushes, as read: a change to any of it between the analysis and
 * the apply is someone else's edit (definitionHash differs) and the apply refuses.
 */
export interface PermissionSetDefinition extends PermissionSetRef {
  /** The inline policy exactly as GetInlinePolicyForPermissionSet returned it; null when empty. */
  inlinePolicy: string | null;
  /** AWS managed policies attached to the set, by ARN. */
  managedPolicyArns: string[];
  customerManagedPolicies: CustomerManagedPolicyReference[];
  boundary: PermissionsBoundary | null;
  /** The set's tags: the management role may write only sets carrying the allowed tag. */
  tags: Record<string, string>;
}

/** One assignment of the set in the denial's account. */
export interface PermissionSetAssignment {
  principalType: 'USER' | 'GROUP';
  principalId: string;
  /** UserName / DisplayName from identitystore; null when it could not be read. */
  displayName: string | null;
  /** A group's member count; 1 for a user; null when identitystore could not be read. */
  memberCount: number | null;
  /** A group's members' user names, when read (up to the reader's limit); [] otherwise. */
  memberNames: string[];
}

/**
 * Who gains when the set changes: the people assigned to it in the denial's account, and the
 * accounts it is provisioned to (a change to the set reaches every one of them on re-provisioning,
 * even if only the denial's account is provisioned now).
 */
export interface BlastRadius {
  /** Distinct people assigned in the denial's account; null when a group's size is unknown. */
  people: number | null;
  /** Accounts the set is provisioned to (ListAccountsForProvisionedPermissionSet). */
  accounts: number;
  assignments: PermissionSetAssignment[];
}

/** Identity Center's own states of a ProvisionPermissionSet request. */
export type ProvisioningState = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface ProvisioningStatus {
  requestId: string;
  state: ProvisioningState;
  accountId: string;
  permissionSetArn: string;
  failureReason: string | null;
}

/**
 * Where the set's administration runs from. `management`: the management account's role;
 * `delegated`: a delegated administrator, which cannot change sets provisioned to the management
 * account (those are refused with the reason, never tried).
 */
export type IdentityCenterAdministration =
  | { kind: 'management'; accountId: string }
  | { kind: 'delegated'; accountId: string; managementAccountId: string };

/** The merged inline policy for the set, or why nothing automatic is proposed. */
export type InlineMerge =
  | { kind: 'merged'; policy: PolicyDocument; text: string; alreadyPresent: boolean }
  | {
      kind: 'too-large';
      /** Which limit: sso-admin's 32,768 characters with whitespace, or IAM's 10,240 without. */
      limit: 'permission-set-inline' | 'iam-role-inline';
      size: number;
      max: number;
    }
  | { kind: 'unreadable'; problem: string };
