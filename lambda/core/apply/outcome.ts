/**
 * What the apply step decided, as stored on the record (`IncidentRecord.outcome`) for the review page,
 * the outcome message, the event and audit. Pure data and its codec: no port.
 *
 * A `failed` record was either refused (a check said no before anything was written) or failed (IAM
 * refused the write, the read-back differed, the run gave up). That difference is `kind`. The history
 * entry keeps the words it always had (`refused: <reason>` or `<reason>`), derived from the outcome by
 * historyDetailOf; records of the previous release carry only those words, and decodeApplyOutcome reads
 * `kind` and `reason` back from them.
 */
import type { Decision } from '../model';

/** How the apply step ended. `refused` and `failed` are both stored under status `failed`. */
export type ApplyOutcomeKind = 'verified' | 'not-verified' | 'refused' | 'failed';

/** What the apply function found, stored on the record for the page, the message and audit. */
export interface ApplyOutcome {
  kind: ApplyOutcomeKind;
  /** Why it was refused or failed; null when verified or not verified (see `blockers`). */
  reason: string | null;
  /** The policy read back from IAM equals the approved document (canonical JSON). */
  readBackMatches: boolean;
  /** The last re-simulation's decision, and what still blocks when not allowed. */
  verification: Decision | null;
  blockers: string[];
  /** Re-simulations made while IAM propagated. */
  attempts: number;
  appliedAt: string | null;
  finishedAt: string;
}

/** How a refusal's history entry begins: what the previous release told a refusal from a failure by. */
export const REFUSED_PREFIX = 'refused: ';

/** What a run knows of a write it made, for an outcome that is a failure. */
export interface UnsuccessfulFindings {
  readBackMatches?: boolean;
  appliedAt?: Date;
  attempts?: number;
  /** A verification that failed before the failure was decided (a permission set's, then rolled back). */
  verification?: Decision | null;
  blockers?: string[];
}

/** The outcome of a refusal or a failure; `found` is what the run knows of a write it made. */
export function unsuccessfulOutcome(
  kind: 'refused' | 'failed',
  reason: string,
  at: Date,
  found: UnsuccessfulFindings = {},
): ApplyOutcome {
  return {
    kind,
    reason,
    readBackMatches: found.readBackMatches ?? false,
    verification: found.verification ?? null,
    blockers: found.blockers ?? [],
    attempts: found.attempts ?? 0,
    appliedAt: found.appliedAt?.toISOString() ?? null,
    finishedAt: at.toISOString(),
  };
}

/** The history entry's words for a refusal or a failure, exactly as the previous release wrote them. */
export function historyDetailOf(kind: 'refused' | 'failed', reason: string): string {
  return kind === 'refused' ? `${REFUSED_PREFIX}${reason}` : reason;
}

/** The parts of a record the decoding of an outcome stored by the previous release reads. */
export interface OutcomeContext {
  status: string;
  history: readonly { status: string; detail: string | null }[];
}

/**
 * A stored outcome as the core uses it (null when there is none). Outcomes written before `kind` and
 * `reason` were stored get them from the record: its status, and for `failed` the words of its last
 * `failed` history entry (a `refused: ` prefix is a refusal).
 */
export function decodeApplyOutcome(stored: unknown, record: OutcomeContext): ApplyOutcome | null {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return null;
  const outcome = stored as Omit<ApplyOutcome, 'kind' | 'reason'> & Partial<ApplyOutcome>;
  if (isOutcomeKind(outcome.kind)) return { ...outcome, kind: outcome.kind, reason: outcome.reason ?? null };
  return { ...outcome, ...legacyKindOf(record) };
}

const OUTCOME_KINDS: readonly string[] = ['verified', 'not-verified', 'refused', 'failed'];

function isOutcomeKind(value: unknown): value is ApplyOutcomeKind {
  return typeof value === 'string' && OUTCOME_KINDS.includes(value);
}

function legacyKindOf(record: OutcomeContext): { kind: ApplyOutcomeKind; reason: string | null } {
  if (record.status === 'verified' || record.status === 'not-verified') {
    return { kind: record.status, reason: null };
  }
  const detail =
    [...record.history].reverse().find((event) => event.status === record.status)?.detail ?? 'unknown reason';
  return detail.startsWith(REFUSED_PREFIX)
    ? { kind: 'refused', reason: detail.slice(REFUSED_PREFIX.length) }
    : { kind: 'failed', reason: detail };
}
