/** Records at each point of an apply's life, dated relative to one fixed clock, for the reconciler tests. */
import type { Actor } from '../../../lambda/core/approval/status';
import type { IncidentRecord, IncidentStatus } from '../../../lambda/core/incident';
import type { ReconcileSettings } from '../../../lambda/core/apply/reconcile';
import type { ApplyOutcome } from '../../../lambda/core/apply/outcome';
import { proposalRecord } from '../../adapters/support/proposal-records';
import { withDecision } from '../../support/signed-approval';

export const NOW = new Date('2026-06-17T12:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const SETTINGS: ReconcileSettings = {
  graceMs: 5 * MINUTE,
  announceWithinMs: 24 * HOUR,
  limitPerStatus: 100,
};

const REVIEWER: Actor = {
  kind: 'iam',
  name: 'arn:aws:iam::123456789012:user/reviewer',
  sourceIp: null,
  userAgent: null,
};
const APPLY: Actor = { kind: 'iam', name: 'apply function', sourceIp: null, userAgent: null };

export const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
export const later = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();

export const OUTCOME: ApplyOutcome = {
  kind: 'verified',
  reason: null,
  readBackMatches: true,
  verification: 'allowed',
  blockers: [],
  attempts: 2,
  appliedAt: ago(2 * HOUR),
  finishedAt: ago(2 * HOUR),
};

/** The statuses a record passes through to reach `status` (pending first, not in the history). */
const PATH: Record<'approved' | 'applied' | 'verified' | 'not-verified' | 'failed', IncidentStatus[]> = {
  approved: ['approved'],
  applied: ['approved', 'applied'],
  verified: ['approved', 'applied', 'verified'],
  'not-verified': ['approved', 'applied', 'not-verified'],
  failed: ['approved', 'failed'],
};

/**
 * A record at `status` whose last move was `movedAgoMs` before NOW (earlier moves a minute apart),
 * created an hour before that.
 */
export function recordAt(
  id: string,
  status: keyof typeof PATH,
  movedAgoMs: number,
  overrides: Partial<IncidentRecord> = {},
): IncidentRecord {
  const steps = PATH[status];
  const record = proposalRecord({
    id,
    status,
    createdAt: ago(movedAgoMs + HOUR),
    history: steps.map((step, index) => ({
      status: step,
      actor: step === 'approved' ? REVIEWER : APPLY,
      at: ago(movedAgoMs + (steps.length - 1 - index) * MINUTE),
      detail: null,
    })),
    ...overrides,
  });
  // Approved by the approval function: its decision signed (unless the test says otherwise).
  if ('decision' in overrides) return record;
  const fingerprint = { rolePolicies: 'r'.repeat(64), membership: 'm'.repeat(64) };
  return withDecision(record, { fingerprint, decidedAt: new Date(ago(movedAgoMs + HOUR)) });
}

/** A record the apply function decided, with its outcome, and both announcements out. */
export function decidedAt(
  id: string,
  status: 'verified' | 'not-verified' | 'failed',
  movedAgoMs: number,
  overrides: Partial<IncidentRecord> = {},
): IncidentRecord {
  return recordAt(id, status, movedAgoMs, {
    outcome: OUTCOME,
    applyAttempts: 1,
    applyLeaseUntil: null,
    resultMessageAt: ago(movedAgoMs),
    resultEventAt: ago(movedAgoMs),
    ...overrides,
  });
}
