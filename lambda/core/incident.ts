/**
 * Incidents: every denial of the same (account, IAM entity, role, service) is one incident, so a storm
 * of identical denials yields one proposal and one message. Pure; node:crypto is not the AWS SDK.
 */
import { createHash } from 'node:crypto';
import type { ApplyOutcome } from './apply/outcome';
import type { ApplyProgress } from './apply/permission-set/progress';
import type { DecisionApprover, SignedDecision } from './approval/signed-decision';
import type { Actor } from './approval/status';
import type { Denial, Diagnosis, PolicyDocument, Proposal } from './model';
import type { OrganizationAccount } from './organization/model';
import { proposalOf } from './diagnosis/derived';

/**
 * The stable key of a denial's incident: a hash of the account, the IAM entity whose policies decide
 * (the user, or the role behind a session: sessions of one role are one incident), the passed role
 * (or the instance profile that carried it, when the record names only the profile) and the
 * receiving service. ARNs and service names are compared case-insensitively, as IAM names are.
 */
export function incidentKeyOf(denial: Denial): string {
  const parts = [
    denial.account,
    (denial.policySourceArn ?? denial.principalArn).toLowerCase(),
    // A denial that names only an instance profile is keyed by the profile (its role is looked up later).
    (
      denial.roleArn ?? (denial.instanceProfile === null ? '' : `instance-profile:${denial.instanceProfile}`)
    ).toLowerCase(),
    (denial.passedToService ?? '').toLowerCase(),
  ];
  return sha256(canonicalJson(parts)).slice(0, 32);
}

/**
 * JSON with object keys sorted at every depth (arrays keep their order) and no whitespace, so equal
 * documents serialize to equal strings whatever order their keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)]));
  }
  return value;
}

/** SHA-256 (hex) of the policy document's canonical JSON: what an approver approves, byte for byte. */
export function documentHash(document: PolicyDocument): string {
  return sha256(canonicalJson(document));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// ---------------------------------------------------------------- the stored incident

/**
 * `pending`: a proposal awaits a person. `reported`: a diagnosis without a proposal (allowed now, an
 * explicit deny no Allow overrides, another account's role, ...) was reported once; repeats are
 * suppressed the same way until it expires. The approval workflow moves a proposal forward only
 * (core/approval/status.ts): `approved` -> `applied` -> `verified` | `not-verified`, or `failed`;
 * `rejected`.
 */
export type IncidentStatus =
  'pending' | 'reported' | 'approved' | 'rejected' | 'applied' | 'verified' | 'not-verified' | 'failed';

/**
 * The statuses under which an incident is open: a new denial of it is a repeat, not a new incident.
 * `approved` and `applied` keep it open: denials met while the fix is written and IAM propagates it are
 * counted on the record instead of opening a second proposal for the same fix.
 */
export const OPEN_STATUSES: readonly IncidentStatus[] = ['pending', 'reported', 'approved', 'applied'];

/**
 * Nothing follows these. Reaching one closes the record's incident at once, so a later denial is a new
 * incident with a fresh diagnosis (after a rejection, or a fix that did not make it allowed).
 */
export const FINAL_STATUSES: readonly IncidentStatus[] = ['rejected', 'verified', 'not-verified', 'failed'];

export function isFinalStatus(status: IncidentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** One step of a record's life: who moved it to `status`, when (ISO 8601 UTC) and why. */
export interface IncidentEvent {
  status: IncidentStatus;
  actor: Actor;
  at: string;
  /** A short human note (why it failed, what still blocks); null when there is none. */
  detail: string | null;
}

/** One incident's record: the proposal (or the report) and what happened since. Times are ISO 8601 UTC. */
export interface IncidentRecord {
  id: string;
  incidentKey: string;
  status: IncidentStatus;
  /** The denial that opened the incident. */
  denial: Denial;
  /** Organization mode: the denial's account as Organizations names it; absent in single-account mode. */
  organizationAccount?: OrganizationAccount;
  diagnosis: Diagnosis;
  proposal: Proposal | null;
  /** documentHash(proposal.document); null without a proposal. */
  documentHash: string | null;
  createdAt: string;
  /** After this the incident is closed: a new denial opens a new one. */
  expiresAt: string;
  /** How many distinct denials (CloudTrail events) of this incident were seen, the first included. */
  occurrenceCount: number;
  firstEventId: string;
  lastEventId: string;
  lastSeenAt: string;
  /**
   * When the last counted denial happened, as CloudTrail recorded it (its eventTime): what "last seen"
   * means to a reader. `lastSeenAt` is when it was processed. Null when the record has no eventTime;
   * absent on records stored before it was kept.
   */
  lastEventTime?: string | null;
  /** When the last message about it went out; null until the first one has. */
  notifiedAt: string | null;
  notificationCount: number;
  /** While a message is being published: until when that invocation holds the right to publish it. */
  notificationLeaseUntil: string | null;
  /** Every transition since it was created, oldest first. */
  history: IncidentEvent[];
  /** What the apply function found; null until it finished. */
  outcome: ApplyOutcome | null;
  /**
   * Until when an apply invocation holds the right to apply it; null when none has claimed it yet. A
   * claim that expired while the record is still approved or applied is an apply that died: the
   * reconciler asks for another.
   */
  applyLeaseUntil: string | null;
  /** How many apply invocations have claimed it (each resumes where the last one stopped). */
  applyAttempts: number;
  /** When the outcome message went out to the channel; null until it has. */
  resultMessageAt: string | null;
  /** When the Proposal Applied event went out; null until it has. */
  resultEventAt: string | null;
  /**
   * The signed approval (core/approval/signed-decision.ts) the apply step verifies before any IAM
   * write; absent or null until approved, and on records approved before decisions were signed.
   */
  decision?: SignedDecision | null;
  /** Approvals collected so far for a proposal that needs two distinct approvers. */
  approvals?: DecisionApprover[];
  /**
   * A permission set's apply: the steps landed so far (written, provisioning requested, rolling back),
   * so the next run resumes from there. Absent for IAM targets and before the first step.
   */
  applyProgress?: ApplyProgress | null;
}

export interface NewIncidentRecordInput {
  id: string;
  incidentKey: string;
  diagnosis: Diagnosis & { denial: Denial };
  now: Date;
  ttlHours: number;
  organizationAccount?: OrganizationAccount;
}

/** The record of a freshly diagnosed incident: `pending` with a proposal, else `reported`. */
export function newIncidentRecord({
  id,
  incidentKey,
  diagnosis,
  now,
  ttlHours,
  organizationAccount,
}: NewIncidentRecordInput): IncidentRecord {
  const createdAt = now.toISOString();
  const proposal = proposalOf(diagnosis);
  return {
    id,
    incidentKey,
    status: proposal ? 'pending' : 'reported',
    denial: diagnosis.denial,
    ...(organizationAccount === undefined ? {} : { organizationAccount }),
    diagnosis,
    proposal,
    documentHash: proposal ? documentHash(proposal.document) : null,
    createdAt,
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
    occurrenceCount: 1,
    firstEventId: diagnosis.denial.eventId,
    lastEventId: diagnosis.denial.eventId,
    lastSeenAt: createdAt,
    lastEventTime: diagnosis.denial.eventTime,
    notifiedAt: null,
    notificationCount: 0,
    notificationLeaseUntil: null,
    history: [],
    outcome: null,
    applyLeaseUntil: null,
    applyAttempts: 0,
    resultMessageAt: null,
    resultEventAt: null,
  };
}

/** Epoch seconds, as DynamoDB's TTL reads them. */
export function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
