/**
 * The table's three leases, each one row: its attributes, what else a claim needs and writes. They
 * are taken and given back by conditional-write.ts claimLease/releaseLease, under one expiry rule.
 */
import type { NotificationClaim } from '../../../ports/incident-store';
import { openStatusCondition } from './schema';

export interface Lease {
  /** For error messages: 'apply claim' -> 'dynamodb:UpdateItem (apply claim)'. */
  name: string;
  /** Its attributes: when it ends (ISO), and the token of the claim that holds it. */
  until: string;
  holder: string;
  /** What else must hold for a claim, and what else a claim writes (both may use :now). */
  condition: string;
  set: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** On the incident item: the incident is closed (openUntil is no lease: it ends at its instant). */
export const DIAGNOSIS_LEASE: Lease = {
  name: 'diagnosis claim',
  until: 'diagnosingUntil',
  holder: 'diagnosingId',
  condition: '(attribute_not_exists(openUntil) OR openUntil <= :now)',
  set: ['entityType = :incident', 'incidentKey = :key', '#ttl = :ttl'],
  names: { '#ttl': 'ttl' },
  values: { ':incident': 'incident' },
};

/** On the proposal item: approved or applied; the attempt is counted in the same write. */
export const APPLY_LEASE: Lease = {
  name: 'apply claim',
  until: 'applyLeaseUntil',
  holder: 'applyLeaseId',
  condition: 'attribute_exists(pk) AND #status IN (:approved, :applied)',
  set: ['applyAttempts = if_not_exists(applyAttempts, :zero) + :one'],
  names: { '#status': 'status' },
  values: { ':approved': 'approved', ':applied': 'applied', ':zero': 0, ':one': 1 },
};

/** On the proposal item: open, and the message due (never sent, or a reminder of a pending one). */
export function notificationLease(claim: NotificationClaim): Lease {
  const open = openStatusCondition();
  return {
    name: 'notification claim',
    until: 'notificationLeaseUntil',
    holder: 'notificationLeaseId',
    condition: `attribute_exists(pk) AND ${open.expression} AND ${
      claim.kind === 'first'
        ? 'attribute_not_exists(notifiedAt)'
        : '#status = :pending AND notifiedAt < :notifiedBefore'
    }`,
    set: [],
    names: { '#status': 'status' },
    values:
      claim.kind === 'first'
        ? open.values
        : { ...open.values, ':pending': 'pending', ':notifiedBefore': claim.notifiedBefore.toISOString() },
  };
}
