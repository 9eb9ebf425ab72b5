import type { ManagedPolicy } from '../core/model';

/**
 * Managed policy documents of one account by ARN (AWS managed, or the account's own by path and
 * name): what a permission set attaches or references but the provisioned role does not carry yet.
 */
export interface ManagedPolicyReader {
  /** The default version's document; null when the account has no such policy. */
  managedPolicy(arn: string): Promise<ManagedPolicy | null>;
}
