import type { PolicyDocument, ProposalTarget } from '../core/model';

/** Writes and reads back an inline policy on a group, user or role (the apply step). */
export interface PolicyWriter {
  putInlinePolicy(target: ProposalTarget, policyName: string, document: PolicyDocument): Promise<void>;
  getInlinePolicy(target: ProposalTarget, policyName: string): Promise<PolicyDocument | null>;
}
