import type { Actor, IncidentStatus as ApprovalStatus } from '../core/approval/status';
import type { IncidentRecord } from '../core/incident';
import type { ApplyOutcome } from '../core/apply/outcome';
import type { ApplyProgress } from '../core/apply/permission-set/progress';
import type { Claim } from './incident-store';
import type { DecisionApprover, SignedDecision } from '../core/approval/signed-decision';

export interface TransitionRequest {
  from: ApprovalStatus;
  to: ApprovalStatus;
  actor: Actor;
  at: Date;
  /** A short human note stored with the history entry (e.g. why it failed). */
  detail?: string;
  outcome?: ApplyOutcome;
  /** pending -> approved: the signed decision, stored in the same conditional write. */
  decision?: SignedDecision;
  /** pending -> approved by two: both approvers, stored on the record with the move. */
  approvals?: DecisionApprover[];
  /**
   * How many approvals the record held when it was read (two-approver proposals): the move is refused
   * as a conflict when that changed in between.
   */
  priorApprovals?: number;
}

/** The first of two approvals, recorded on a pending proposal without moving it. */
export interface ApprovalRequest {
  approver: DecisionApprover;
  at: Date;
  /** How many approvals the record held when it was read: refused as a conflict when that changed. */
  priorApprovals: number;
}

export type ApprovalOutcome =
  | { kind: 'recorded'; record: IncidentRecord }
  /** No longer pending, or its approvals changed since it was read: nothing written. */
  | { kind: 'conflict'; record: IncidentRecord }
  | { kind: 'expired'; record: IncidentRecord }
  | { kind: 'not-found' };

export type TransitionOutcome =
  | { kind: 'moved'; record: IncidentRecord }
  /** The status was not `from` (someone decided first): nothing changed. */
  | { kind: 'conflict'; record: IncidentRecord }
  /** pending -> approved past the proposal's expiry: refused whatever the TTL sweeper has done. */
  | { kind: 'expired'; record: IncidentRecord }
  | { kind: 'not-found' };

/**
 * `attempt`: 1 for the first claim of the record, 2 for the next, ... Not claimed: another invocation
 * holds the lease, or the record is not approved or applied (any more).
 */
export type ApplyClaim = Claim<{ attempt: number }>;

export interface ResultPublished {
  messageAt?: Date;
  eventAt?: Date;
}

/**
 * The approval workflow's view of the proposals table. Every transition is one conditional write on
 * the current status (forward only, see core/approval/status.ts) that appends to the record's history.
 */
export interface ApprovalStore {
  get(proposalId: string): Promise<IncidentRecord | null>;
  transition(proposalId: string, request: TransitionRequest): Promise<TransitionOutcome>;
  /**
   * Takes the right to apply an `approved` or `applied` proposal until `leaseUntil`: exactly one caller
   * holds it while the lease runs, so concurrent or redelivered apply invocations never write IAM at
   * once. Each claim counts an attempt; a later one resumes where an earlier one stopped.
   */
  claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<ApplyClaim>;
  /** Gives back a lease this caller took (`leaseUntil` as claimed) so a retry need not wait for it. */
  releaseApply(proposalId: string, leaseUntil: Date): Promise<void>;
  /**
   * Stores where a multi-step apply (a permission set's) stands, on an `approved` or `applied` record
   * whose apply lease this caller holds (`leaseUntil` as claimed). false: the lease or the status is no
   * longer ours, and nothing was written.
   */
  saveApplyProgress(proposalId: string, progress: ApplyProgress, leaseUntil: Date): Promise<boolean>;
  /** Notes that the outcome message and/or event went out (each only once: the first time stays). */
  markResultPublished(proposalId: string, published: ResultPublished): Promise<void>;
  /** Newest first, from the byStatus index. */
  listByStatus(status: ApprovalStatus, limit: number): Promise<IncidentRecord[]>;
}

/** The approval function's view: the workflow's, plus collecting the first of two approvals. */
export interface DecisionStore extends ApprovalStore {
  /**
   * Records one approval of a proposal that needs two: one conditional write on status pending, the
   * expiry and the approvals already there. The second approval is the move to approved (transition).
   */
  addApproval(proposalId: string, request: ApprovalRequest): Promise<ApprovalOutcome>;
}
