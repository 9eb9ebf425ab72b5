import type { PolicyDocument } from '../core/model';
import type { OrganizationAccount } from '../core/organization/model';

/** One SCP as its document and name. */
export interface ServiceControlPolicy {
  name: string;
  document: PolicyDocument;
}

/** What the hub reads from Organizations as its delegated administrator (cached by the adapter). */
export interface OrganizationReader {
  /** The account's name and OU path; null when the organization has no such account. */
  account(accountId: string): Promise<OrganizationAccount | null>;
  /**
   * The SCPs in force for the account, one list per level: the root first, each OU down the path,
   * the account last (the shape EscalationInputs['scps'] and TargetedAccountReader's `scps` take).
   */
  serviceControlPolicies(accountId: string): Promise<ServiceControlPolicy[][]>;
}
