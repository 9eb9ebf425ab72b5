/**
 * The proposals table (on-demand; partition key `pk` S, sort key `sk` S, TTL attribute `ttl`, GSI
 * `byStatus` on `status` S + `createdAt` S). Three kinds of item:
 *
 *   Proposal  pk = PROPOSAL#<proposalId>   sk = PROPOSAL
 *     entityType 'proposal', proposalId, incidentKey, status (core/incident.ts IncidentStatus),
 *     createdAt, expiresAt (ISO), ttl (epoch seconds of expiresAt; from the first transition on, that
 *     transition plus DECIDED_RETENTION_DAYS), denial (map), diagnosis (map, without the keys listed
 *     in diagnosisOmits: those are the item's own `denial` and `proposal`, stored once; items written
 *     before diagnosisOmits have no `denial` in the diagnosis and a copy of `proposal` in it),
 *     diagnosisOmits (list of strings), proposal (map; absent for a report), documentHash,
 *     occurrenceCount (N), firstEventId, lastEventId, lastSeenAt, lastEventTime (the last counted
 *     denial's eventTime; absent on older items or when it had none), notificationCount (N), notifiedAt
 *     (absent until the first message went out), notificationLeaseUntil (present only while an
 *     invocation publishes a message), history (list of maps {status, actor {kind, name, sourceIp,
 *     userAgent}, at, detail}; absent on items written before the approval workflow), outcome (map,
 *     once applied), applyLeaseUntil (ISO, while or after an apply invocation held the right to
 *     apply), applyAttempts (N, claims so far), resultMessageAt / resultEventAt (ISO, once the outcome
 *     went out), decision (map {envelope, signature}: the signed approval, written with pending ->
 *     approved), approvals (list of maps {kind, name, identity}: the first of two approvals, then
 *     both), organizationAccount (map {id, name, ouPath: list of maps {id, name}}: organization mode's
 *     account as Organizations names it; absent in single-account mode). Write tokens: notificationLeaseId, notifiedId, lastTransitionId, lastApprovalId,
 *     applyLeaseId. `status` + `createdAt` put it in the byStatus index (projection ALL): "pending
 *     proposals, newest first".
 *
 *   Incident  pk = INCIDENT#<incidentKey>  sk = INCIDENT
 *     entityType 'incident', incidentKey, proposalId (the record the incident points at), openUntil
 *     (ISO, the record's expiresAt), openedAt, ttl. It has no `status`/`createdAt`, so it stays out of
 *     the index. The approval workflow closes an incident early by setting openUntil to the present.
 *     Before a new incident is diagnosed, the same item holds only a claim: diagnosingUntil (ISO),
 *     its token diagnosingId, and a ttl a day later; the create transaction replaces it with the
 *     pointer.
 *
 *   Decision  pk = DECISION#<decisionId>   sk = DECISION   (dynamodb-decision-ledger.ts)
 *     entityType 'decision', decisionId, proposalId (the proposal it was first recorded for),
 *     recordedAt (ISO), writtenAt (ISO, once IAM was written under it), ttl. Out of the index too.
 *
 * A proposal and its incident pointer are written in one transaction: the pointer's condition
 * (absent, or its incident closed) makes exactly one of two concurrent creators win.
 *
 * Every conditional write carries a fresh token (a UUID per call) that it also stores: when the SDK
 * retries a write whose answer was lost, the retry meets its own earlier write, and the token tells
 * it apart from someone else's (the claim is still ours, the move was ours, the message is counted).
 *
 * Transitions (ApprovalStore) are conditional writes on the current status. A move to a final status
 * (rejected, verified, not-verified, failed) also closes the incident (openUntil = the move's time) in
 * the same transaction, so the next denial is a new incident; `approved` and `applied` leave it open
 * (core/incident.ts OPEN_STATUSES).
 */
import { OPEN_STATUSES, type IncidentStatus } from '../../../core/incident';

/** An item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

export type ItemKey = { pk: string; sk: string };

export const proposalKey = (proposalId: string): ItemKey => ({
  pk: `PROPOSAL#${proposalId}`,
  sk: 'PROPOSAL',
});
export const incidentKey = (key: string): ItemKey => ({ pk: `INCIDENT#${key}`, sk: 'INCIDENT' });
export const decisionKey = (decisionId: string): ItemKey => ({
  pk: `DECISION#${decisionId}`,
  sk: 'DECISION',
});

/** The GSI on status + createdAt (lib/constructs/proposal-tables.ts PROPOSALS_STATUS_INDEX, projection ALL). */
export const STATUS_INDEX = 'byStatus';

/**
 * How long a record is kept after its last transition: the audit of who approved what. Longer than
 * the longest pending time (PROPOSAL_TTL_HOURS is at most 8,760), so a decision never shortens a
 * record's life, and an approved proposal is never swept by TTL while it is being applied.
 */
export const DECIDED_RETENTION_DAYS = 400;

/** `#status IN (:open0, :open1, ...)` and its values. */
export function openStatusCondition(): { expression: string; values: Record<string, IncidentStatus> } {
  const values = Object.fromEntries(OPEN_STATUSES.map((status, index) => [`:open${index}`, status]));
  return { expression: `#status IN (${Object.keys(values).join(', ')})`, values };
}
