/**
 * One-time decision ids: the apply step writes IAM at most once per signed decision. Before the write
 * it records (decision id -> proposal id); a decision id recorded for another proposal is a replay
 * (a decision copied onto a forged item) and is refused; after the write it marks the id written, and
 * a run that finds it written never writes again.
 */
export type DecisionClaim =
  /** Recorded for this proposal (now, or by an earlier run that did not write). */
  | { kind: 'recorded' }
  /** This proposal's write under this decision already happened: never write again. */
  | { kind: 'written'; writtenAt: string }
  /** The decision id was recorded for another proposal first. */
  | { kind: 'taken'; proposalId: string };

export interface DecisionLedger {
  /**
   * Records `decisionId` for `proposalId` unless it is recorded for another proposal (atomic).
   * @param keepUntil how long the entry must outlive the decision (its expiry, and then some)
   */
  record(decisionId: string, proposalId: string, at: Date, keepUntil: Date): Promise<DecisionClaim>;
  /** Notes that IAM was written under `decisionId` for `proposalId` (the first note stands). */
  markWritten(decisionId: string, proposalId: string, at: Date): Promise<void>;
}
