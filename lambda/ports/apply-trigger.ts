/** Starts the apply step for an approved proposal: an async Lambda invoke on AWS, in-process locally. */
export interface ApplyTrigger {
  requestApply(proposalId: string): Promise<void>;
}
