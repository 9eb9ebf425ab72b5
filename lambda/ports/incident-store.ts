import type { IncidentRecord } from '../core/incident';

/** An incident that is open now: a new denial of it is a repeat of this record. */
/** One more denial of an open incident: its event, when it happened (CloudTrail's eventTime), when seen. */
export interface Occurrence {
  eventId: string;
  /** The denial's eventTime; null when the record had none. Absent: not known to the caller. */
  eventTime?: string | null;
  seenAt: Date;
}

export interface OpenIncident {
  incidentKey: string;
  proposalId: string;
  /** ISO time after which the incident is closed. */
  openUntil: string;
}

/**
 * What every claim returns (the diagnosis, notification and apply claims): the right is the caller's
 * until the lease it asked for ends, or it is not (another holds an unexpired lease, or it is not
 * due). `Held` is what a claim also tells its holder (the apply claim: which attempt this is).
 */
export type Claim<Held extends object = Record<never, never>> =
  ({ kind: 'claimed' } & Held) | { kind: 'not-claimed' };

export type CreateOutcome =
  | { kind: 'created'; record: IncidentRecord }
  /** Another invocation opened the incident first (or it was already open): treat the denial as a repeat. */
  | { kind: 'incident-open'; proposalId: string | null };

export type OccurrenceOutcome =
  | { kind: 'recorded'; record: IncidentRecord }
  /** The event was already counted (a redelivery of the first or the last event): nothing changed. */
  | { kind: 'already-counted'; record: IncidentRecord }
  /** The record is gone, expired or no longer open (approved, rejected, ...). */
  | { kind: 'closed' };

/**
 * `first`: the first message of the record, never sent yet (also heals a crash between storing and
 * publishing). `reminder`: a pending proposal whose last message went out before `notifiedBefore`.
 */
export type NotificationClaim = { kind: 'first' } | { kind: 'reminder'; notifiedBefore: Date };

/**
 * Incidents and their proposals. Every method is atomic on its own, so concurrent invocations agree:
 * one creator per incident, one publisher per message.
 */
export interface IncidentStore {
  /** The open incident of this key at `now`, or null. */
  findOpenIncident(incidentKey: string, now: Date): Promise<OpenIncident | null>;

  /**
   * Takes the right to diagnose an incident that is not open, until `leaseUntil`: concurrent invocations
   * meeting the same new incident diagnose it once. Not claimed while another invocation holds an unexpired
   * claim, or when the incident is open.
   */
  claimDiagnosis(incidentKey: string, now: Date, leaseUntil: Date): Promise<Claim>;

  /** Gives the claim back when no record came of the diagnosis (not applicable, or it failed). */
  releaseDiagnosis(incidentKey: string): Promise<void>;

  /**
   * Stores the record and points its incident at it, both or neither: when the incident is already open
   * (a concurrent creator won) nothing is written and the open incident's proposal id comes back.
   */
  create(record: IncidentRecord, now: Date): Promise<CreateOutcome>;

  /** Counts one more denial of an open record (count + 1, last seen, last event). */
  recordOccurrence(proposalId: string, occurrence: Occurrence): Promise<OccurrenceOutcome>;

  /**
   * Takes the right to publish a message about the record until `leaseUntil`, when the claim holds and
   * no other invocation holds an unexpired lease. Not claimed when another invocation has it or it is not due.
   */
  claimNotification(
    proposalId: string,
    claim: NotificationClaim,
    now: Date,
    leaseUntil: Date,
  ): Promise<Claim>;

  /** The message went out: notifiedAt = at, notificationCount + 1, lease released. */
  markNotified(proposalId: string, at: Date): Promise<void>;

  /** Gives the lease back after a failed publish, so a retry need not wait for it to expire. */
  releaseNotification(proposalId: string): Promise<void>;

  get(proposalId: string): Promise<IncidentRecord | null>;
}
