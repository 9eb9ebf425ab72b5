/**
 * The rules every approval store applies to a transition, in one place so the DynamoDB and in-memory
 * stores answer alike: which moves exist at all, when a move is refused and why, and what a move
 * writes on the record.
 */
import { InvalidInputError } from '../errors';
import type { IncidentEvent, IncidentRecord } from '../incident';
import type {
  ApprovalOutcome,
  ApprovalRequest,
  TransitionOutcome,
  TransitionRequest,
} from '../../ports/approval-store';
import { canTransition } from './status';

/** Throws for a move status.ts does not know (a caller's bug): nothing is read or written for it. */
export function assertKnownTransition(proposalId: string, request: TransitionRequest): void {
  if (!canTransition(request.from, request.to)) {
    throw new InvalidInputError(
      `a proposal cannot move from ${request.from} to ${request.to}`,
      `transition of proposal ${proposalId}`,
    );
  }
}

/** Only approving is bound to the expiry: a decision past it is void whatever the TTL sweeper did yet. */
export function transitionGuardsExpiry(request: TransitionRequest): boolean {
  return request.from === 'pending' && request.to === 'approved';
}

/**
 * Why `record` cannot take the move, or null when it can: gone, already moved by someone else
 * (`conflict`), or past its expiry for an approval.
 */
export function transitionRefusal(
  record: IncidentRecord | null,
  request: TransitionRequest,
): Exclude<TransitionOutcome, { kind: 'moved' }> | null {
  if (record === null) return { kind: 'not-found' };
  if (record.status !== request.from) return { kind: 'conflict', record };
  if (transitionGuardsExpiry(request) && record.expiresAt <= request.at.toISOString()) {
    return { kind: 'expired', record };
  }
  if (request.priorApprovals !== undefined && approvalCount(record) !== request.priorApprovals) {
    return { kind: 'conflict', record };
  }
  return null;
}

/** The approvals a record holds (the first of two), none on records without the field. */
export function approvalCount(record: IncidentRecord): number {
  return record.approvals?.length ?? 0;
}

/** Why an approval cannot be added to `record`, or null when it can. */
export function approvalRefusalOf(
  record: IncidentRecord | null,
  request: ApprovalRequest,
): Exclude<ApprovalOutcome, { kind: 'recorded' }> | null {
  if (record === null) return { kind: 'not-found' };
  if (record.status !== 'pending') return { kind: 'conflict', record };
  if (record.expiresAt <= request.at.toISOString()) return { kind: 'expired', record };
  if (approvalCount(record) !== request.priorApprovals) return { kind: 'conflict', record };
  return null;
}

/** The record with one more approval. */
export function withApproval(record: IncidentRecord, request: ApprovalRequest): IncidentRecord {
  return { ...record, approvals: [...(record.approvals ?? []), { ...request.approver }] };
}

/** The history entry a move appends. */
export function transitionEvent(request: TransitionRequest): IncidentEvent {
  return {
    status: request.to,
    actor: { ...request.actor },
    at: request.at.toISOString(),
    detail: request.detail ?? null,
  };
}

/** The record after the move (the in-memory store's write; the DynamoDB store's is its UpdateItem). */
export function movedRecord(record: IncidentRecord, request: TransitionRequest): IncidentRecord {
  return {
    ...record,
    status: request.to,
    history: [...record.history, transitionEvent(request)],
    outcome: request.outcome ?? record.outcome,
    ...(request.decision !== undefined ? { decision: { ...request.decision } } : {}),
    ...(request.approvals !== undefined ? { approvals: request.approvals.map((a) => ({ ...a })) } : {}),
  };
}

/** The move that decided the proposal (approved or rejected), for "already decided by whom, when". */
export function decisionOf(record: IncidentRecord): IncidentEvent | null {
  return record.history.find((event) => event.status === 'approved' || event.status === 'rejected') ?? null;
}
