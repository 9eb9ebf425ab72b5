/**
 * Incidents: every denial of the same (account, IAM entity, role, service) is one incident, so a storm
 * of identical denials yields one proposal and one message. Pure; node:crypto is not the AWS SDK.
 */
import { createHash } from 'node:crypto';
import type { Denial, Diagnosis, PolicyDocument, Proposal } from './model';

/**
 * The stable key of a denial's incident: a hash of the account, the IAM entity whose policies decide
 * (the user, or the role behind a session: sessions of one role are one incident), the passed role
 * and the receiving service. ARNs and service names are compared case-insensitively, as IAM names are.
 */
export function incidentKeyOf(denial: Denial): string {
  const parts = [
    denial.account,
    (denial.policySourceArn ?? denial.principalArn).toLowerCase(),
    (denial.roleArn ?? '').toLowerCase(),
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
 * suppressed the same way until it expires. The approval workflow adds its statuses to this union.
 */
export type ProposalStatus = 'pending' | 'reported';

/** The statuses under which an incident is open: a new denial of it is a repeat, not a new incident. */
export const OPEN_STATUSES: readonly ProposalStatus[] = ['pending', 'reported'];

/** One incident's record: the proposal (or the report) and what happened since. Times are ISO 8601 UTC. */
export interface ProposalRecord {
  id: string;
  incidentKey: string;
  status: ProposalStatus;
  /** The denial that opened the incident. */
  denial: Denial;
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
  /** When the last message about it went out; null until the first one has. */
  notifiedAt: string | null;
  notificationCount: number;
  /** While a message is being published: until when that invocation holds the right to publish it. */
  notificationLeaseUntil: string | null;
}

export interface NewProposalRecordInput {
  id: string;
  incidentKey: string;
  diagnosis: Diagnosis & { denial: Denial };
  now: Date;
  ttlHours: number;
}

/** The record of a freshly diagnosed incident: `pending` with a proposal, else `reported`. */
export function newProposalRecord({
  id,
  incidentKey,
  diagnosis,
  now,
  ttlHours,
}: NewProposalRecordInput): ProposalRecord {
  const createdAt = now.toISOString();
  const proposal = diagnosis.proposal;
  return {
    id,
    incidentKey,
    status: proposal ? 'pending' : 'reported',
    denial: diagnosis.denial,
    diagnosis,
    proposal,
    documentHash: proposal ? documentHash(proposal.document) : null,
    createdAt,
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
    occurrenceCount: 1,
    firstEventId: diagnosis.denial.eventId,
    lastEventId: diagnosis.denial.eventId,
    lastSeenAt: createdAt,
    notifiedAt: null,
    notificationCount: 0,
    notificationLeaseUntil: null,
  };
}

/** Epoch seconds, as DynamoDB's TTL reads them. */
export function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
