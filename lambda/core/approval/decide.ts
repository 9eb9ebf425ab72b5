/**
 * Deciding a pending proposal, by a link holder or an IAM caller: the refusals first (nothing to
 * apply, already decided, expired, a permission set), then one conditional move forward, then
 * starting the apply. When the apply cannot be started now, the proposal stays approved: the
 * reconciler (core/apply/reconcile.ts) asks for it again, so a throttled or briefly unavailable
 * Lambda never costs an approval. Pure over the ApprovalStore and ApplyTrigger ports; what a
 * decision came to is a value, and each step is reported as it happens (for the log).
 */
import type { ApplyTrigger } from '../../ports/apply-trigger';
import type { ApprovalStore } from '../../ports/approval-store';
import type { ProposalRecord } from '../incident';
import { checkReviewLink, type LinkDependencies } from './review';
import type { Actor } from './status';

export type ApprovalDecision = 'approve' | 'reject';

export interface DecisionRequest {
  decision: ApprovalDecision;
  actor: Actor;
  /** When the request came: the expiry is judged at this instant. */
  now: Date;
  /** Stored with the history entry (an IAM caller may give one); null without. */
  reason: string | null;
}

export type DecisionOutcome =
  /** Moved (rejected, or approved and its apply started); the record as it now stands. */
  | { kind: 'moved'; record: ProposalRecord }
  /** Approved, but the apply could not be started now: it stays approved and is started again later. */
  | { kind: 'apply-deferred'; record: ProposalRecord; reason: string }
  /** Someone decided it first, or it was never pending: nothing changed. */
  | { kind: 'conflict'; record: ProposalRecord }
  | { kind: 'expired'; record: ProposalRecord }
  | { kind: 'not-found' }
  /** An Identity Center permission set: it cannot be applied from here (rejecting it can). */
  | { kind: 'permission-set'; record: ProposalRecord }
  /** A diagnosis without a proposal: there is nothing to decide. */
  | { kind: 'no-proposal'; record: ProposalRecord };

/** What a review link's decision came to: the decision's outcomes, or a link that vouches for nothing. */
export type LinkDecisionOutcome = { kind: 'forbidden'; reason: string } | DecisionOutcome;

/** A step that happened, told as it happens so a later failure cannot hide it. */
export type DecisionProgress =
  | { kind: 'decided'; decision: ApprovalDecision; actor: Actor; record: ProposalRecord }
  | { kind: 'apply-requested'; proposalId: string }
  | { kind: 'apply-deferred'; proposalId: string; cause: unknown };

export interface DecideDependencies {
  store: ApprovalStore;
  applyTrigger: ApplyTrigger;
  clock: () => Date;
  onProgress?: (progress: DecisionProgress) => void;
}

/** What a deferred apply tells the approver. */
export const APPLY_DEFERRED_REASON =
  'the apply step could not be started right now; it is started again automatically, and the result goes to the channel';

/** Why `record` cannot take `decision` at `now`, or null when it can. */
export function decisionRefusal(
  record: ProposalRecord,
  decision: ApprovalDecision,
  now: Date,
): DecisionOutcome | null {
  if (record.proposal === null) return { kind: 'no-proposal', record };
  if (record.status !== 'pending') return { kind: 'conflict', record };
  if (now.toISOString() >= record.expiresAt) return { kind: 'expired', record };
  if (decision === 'approve' && record.proposal.target.type === 'permission-set') {
    return { kind: 'permission-set', record };
  }
  return null;
}

/** Decides a loaded record: refusals, the conditional move, then (approvals) the apply. */
export async function decideProposal(
  deps: DecideDependencies,
  record: ProposalRecord,
  request: DecisionRequest,
): Promise<DecisionOutcome> {
  const refusal = decisionRefusal(record, request.decision, request.now);
  if (refusal !== null) return refusal;
  const { decision, actor, now, reason } = request;
  const moved = await deps.store.transition(record.id, {
    from: 'pending',
    to: decision === 'approve' ? 'approved' : 'rejected',
    actor,
    at: now,
    ...(reason !== null ? { detail: reason } : {}),
  });
  if (moved.kind !== 'moved') return moved;
  deps.onProgress?.({ kind: 'decided', decision, actor, record: moved.record });
  return decision === 'approve' ? startApply(deps, moved.record) : moved;
}

async function startApply(deps: DecideDependencies, approved: ProposalRecord): Promise<DecisionOutcome> {
  const { store } = deps;
  const id = approved.id;
  try {
    await deps.applyTrigger.requestApply(id);
  } catch (cause) {
    // Nothing more is written: an approved record nobody applies is the reconciler's to start again.
    deps.onProgress?.({ kind: 'apply-deferred', proposalId: id, cause });
    return {
      kind: 'apply-deferred',
      record: (await store.get(id)) ?? approved,
      reason: APPLY_DEFERRED_REASON,
    };
  }
  deps.onProgress?.({ kind: 'apply-requested', proposalId: id });
  // An in-process trigger (the local server) applies before it returns: the record may tell the result.
  return { kind: 'moved', record: (await store.get(id)) ?? approved };
}

/** A decision by the holder of a review link: only a token signed for this record may decide it. */
export async function decideByLink(
  deps: DecideDependencies & LinkDependencies,
  proposalId: string,
  token: string | null,
  request: DecisionRequest,
): Promise<LinkDecisionOutcome> {
  const link = await checkReviewLink(deps, proposalId, token, request.now);
  if (link.kind === 'invalid') return { kind: 'forbidden', reason: link.reason };
  if (link.kind === 'expired') {
    const record = link.record;
    return record.status === 'pending' ? { kind: 'expired', record } : { kind: 'conflict', record };
  }
  return decideProposal(deps, link.record, request);
}

/** A decision by an IAM caller, whose right to decide the AWS_IAM authorizer has checked. */
export async function decideById(
  deps: DecideDependencies,
  proposalId: string,
  request: DecisionRequest,
): Promise<DecisionOutcome> {
  const record = await deps.store.get(proposalId);
  return record === null ? { kind: 'not-found' } : decideProposal(deps, record, request);
}
