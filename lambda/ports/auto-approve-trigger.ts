/**
 * Asks the approval function (the only signer) to look at a new proposal under the auto-approval rule
 * (autoApprove: no-new-access). The request decides nothing by itself: the approval function reads
 * and analyses the account again and approves only a proven `none`.
 */
export interface AutoApproveTrigger {
  requestAutoApproval(proposalId: string): Promise<void>;
}
