/** The reconciler's environment: lib/constructs/apply-reconciler.ts writes it, its handler reads it. */
import { APPLY_TIMEOUT_SECONDS } from './apply';
import { decisionSigningKeyId, FUNCTION_NAME_OR_ARN } from './common';
import { requiredText, wholeNumber } from './env';

/**
 * A record is left alone this long after its last move: longer than an apply invocation can run, so
 * a live one is never asked for again (its lease would turn the request away anyway). Under a minute
 * the reconciler would race the approval function's own request for the apply.
 */
export const RECONCILE_GRACE_SECONDS = wholeNumber('RECONCILE_GRACE_SECONDS', {
  fallback: APPLY_TIMEOUT_SECONDS + 60,
  min: 60,
  max: 86_400,
  unit: 'seconds',
});

/**
 * A decided proposal whose outcome never went out is announced this long after at most. Proposals
 * live 72 hours by default; a month covers any TTL anyone sets.
 */
export const ANNOUNCE_WITHIN_HOURS = wholeNumber('ANNOUNCE_WITHIN_HOURS', {
  fallback: 24,
  min: 1,
  max: 720,
  unit: 'hours',
});

/** Records of each status read per run (newest first): bounds one run's reads within its timeout. */
export const LIMIT_PER_STATUS = wholeNumber('LIMIT_PER_STATUS', {
  fallback: 100,
  min: 1,
  max: 1000,
  unit: 'records',
});

/** In the order the handler reads (and names problems). */
export const RECONCILE_ENV = {
  proposalsTableName: requiredText('PROPOSALS_TABLE_NAME'),
  /** Invoked asynchronously for each stalled proposal: a name or an ARN. */
  applyFunctionName: requiredText('APPLY_FUNCTION_NAME', FUNCTION_NAME_OR_ARN),
  graceSeconds: RECONCILE_GRACE_SECONDS,
  announceWithinHours: ANNOUNCE_WITHIN_HOURS,
  limitPerStatus: LIMIT_PER_STATUS,
  /** Approved records are asked for only when their decision verifies with it. */
  decisionSigningKeyId: decisionSigningKeyId(
    'approved proposals are asked for only when their signed decision verifies with it',
  ),
} as const;
