/**
 * How an apply run ends: the final status stored with its outcome by one conditional move, then told
 * (announce-outcome.ts). A refusal (`approved` -> `failed`, nothing written), a failure, a verification
 * (`applied` -> `verified` | `not-verified`), or a decided record whose outcome had not all gone out.
 * When the record moved before this run could store its end, someone else decided first: theirs is
 * the word and nothing goes out (`decided-elsewhere`).
 */
import type { IncidentRecord } from '../incident';
import type { TransitionOutcome } from '../../ports/approval-store';
import type { ApplyPlan } from './apply-gate';
import { announceOutcome, messageOutcomeOf } from './announce-outcome';
import { APPLY_ACTOR, type ApplyDependencies, type ApplyResult } from './apply-step';
import {
  historyDetailOf,
  unsuccessfulOutcome,
  type ApplyOutcome,
  type UnsuccessfulFindings,
} from './outcome';
import { verifyApplied } from './verification';

export function decidedElsewhere(moved: Exclude<TransitionOutcome, { kind: 'moved' }>): ApplyResult {
  return { kind: 'decided-elsewhere', status: moved.kind === 'not-found' ? null : moved.record.status };
}

/** A check said no before anything was written: `approved` -> `failed`, no IAM call made. */
export async function refuse(
  record: IncidentRecord,
  reason: string,
  deps: ApplyDependencies,
): Promise<ApplyResult> {
  const at = deps.clock();
  const moved = await deps.store.transition(record.id, {
    from: 'approved',
    to: 'failed',
    actor: APPLY_ACTOR,
    at,
    detail: historyDetailOf('refused', reason),
    outcome: unsuccessfulOutcome('refused', reason, at),
  });
  // Another invocation decided first (it refused the same record, the checks being deterministic).
  if (moved.kind !== 'moved') return decidedElsewhere(moved);
  const publishFailures = await announceOutcome(moved.record, { kind: 'refused', reason }, null, deps);
  return { kind: 'refused', reason, record: moved.record, recorded: true, publishFailures };
}

/**
 * Moves the record to `failed` and tells the channel. A store failure propagates (the next run decides
 * again); when someone else decided first, theirs is the word and nothing goes out.
 */
export async function fail(
  record: IncidentRecord,
  from: 'approved' | 'applied',
  reason: string,
  policyWritten: boolean,
  deps: ApplyDependencies,
  found: UnsuccessfulFindings,
): Promise<ApplyResult> {
  const at = deps.clock();
  const outcome = unsuccessfulOutcome('failed', reason, at, found);
  const moved = await deps.store.transition(record.id, {
    from,
    to: 'failed',
    actor: APPLY_ACTOR,
    at,
    detail: historyDetailOf('failed', reason),
    outcome,
  });
  if (moved.kind !== 'moved') return decidedElsewhere(moved);
  const publishFailures = await announceOutcome(moved.record, { kind: 'failed', reason }, outcome, deps);
  return {
    kind: 'failed',
    reason,
    policyWritten,
    outcome,
    record: moved.record,
    recorded: true,
    publishFailures,
  };
}

/** The policy was written but the record left `approved` behind the lease: told, not stored. */
export async function reportUnrecorded(
  record: IncidentRecord,
  transition: Exclude<TransitionOutcome, { kind: 'moved' }>,
  plan: ApplyPlan,
  deps: ApplyDependencies,
  found: { readBackMatches: boolean; appliedAt: Date },
): Promise<ApplyResult> {
  const now = transition.kind === 'not-found' ? 'gone' : `now ${transition.record.status}`;
  const reason = `${plan.policyName} was written on ${plan.target.type} ${plan.target.name}, but the proposal left approved meanwhile (${now}): the outcome is not recorded`;
  const outcome = unsuccessfulOutcome('failed', reason, deps.clock(), found);
  const endRecord = transition.kind === 'not-found' ? record : transition.record;
  const publishFailures = await announceOutcome(endRecord, { kind: 'failed', reason }, outcome, deps);
  return {
    kind: 'failed',
    reason,
    policyWritten: true,
    outcome,
    record: endRecord,
    recorded: false,
    publishFailures,
  };
}

/** Re-simulates an `applied` record and moves it to its final status, then tells the channel. */
export async function verifyAndSettle(
  record: IncidentRecord,
  plan: ApplyPlan,
  deps: ApplyDependencies,
  appliedAt: Date,
): Promise<ApplyResult> {
  const verification = await verifyApplied(plan, record, deps);
  const { attempts } = verification;
  const finishedAt = deps.clock();
  // A deny the simulation cannot see (the message's or AWS's record's) still stands after an allow.
  const unverifiable = record.proposal?.unverifiable ?? [];
  const allowed = verification.decision === 'allowed' && unverifiable.length === 0;
  const blockers = [...unverifiable, ...verification.blockers];
  const outcome: ApplyOutcome = {
    kind: allowed ? 'verified' : 'not-verified',
    reason: null,
    readBackMatches: true,
    verification: verification.decision,
    blockers,
    attempts,
    appliedAt: appliedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
  const ended = await deps.store.transition(record.id, {
    from: 'applied',
    to: allowed ? 'verified' : 'not-verified',
    actor: APPLY_ACTOR,
    at: finishedAt,
    detail: allowed
      ? `allowed after ${attempts} simulation${attempts === 1 ? '' : 's'}`
      : verification.decision === 'allowed'
        ? `allowed by the simulation, which cannot see: ${blockers.join('; ')}`
        : `still blocked: ${blockers.join('; ')}`,
    outcome,
  });
  // Someone else decided it meanwhile (the lease makes that unreachable): theirs is the word.
  if (ended.kind !== 'moved') return decidedElsewhere(ended);
  const publishFailures = await announceOutcome(ended.record, messageOutcomeOf(outcome), outcome, deps);
  const reported = { record: ended.record, recorded: true, publishFailures };
  return allowed
    ? { kind: 'applied-verified', outcome, ...reported }
    : { kind: 'applied-not-verified', outcome, blockers, ...reported };
}

/**
 * A decided record the apply function decided (it has an outcome) whose message or event did not all
 * go out: a run died after deciding, or publishing failed. It goes out now; anything else is done.
 */
export async function announceDecided(record: IncidentRecord, deps: ApplyDependencies): Promise<ApplyResult> {
  const unannounced = record.resultMessageAt === null || record.resultEventAt === null;
  if (record.outcome === null || !unannounced) return { kind: 'not-approved', status: record.status };
  const result = messageOutcomeOf(record.outcome);
  const publishFailures = await announceOutcome(record, result, record.outcome, deps);
  return { kind: 'announced', status: record.status, record, recorded: true, publishFailures };
}
