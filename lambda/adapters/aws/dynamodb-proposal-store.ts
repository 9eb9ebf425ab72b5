/**
 * The proposals table (on-demand; partition key `pk` S, sort key `sk` S, TTL attribute `ttl`, GSI
 * `byStatus` on `status` S + `createdAt` S). Two kinds of item:
 *
 *   Proposal  pk = PROPOSAL#<proposalId>   sk = PROPOSAL
 *     entityType 'proposal', proposalId, incidentKey, status (core/incident.ts ProposalStatus),
 *     createdAt, expiresAt (ISO), ttl (epoch seconds of expiresAt; from the first transition on, that
 *     transition plus DECIDED_RETENTION_DAYS), denial (map), diagnosis (map, without its denial: that
 *     is the item's `denial`), proposal (map; absent for a report), documentHash, occurrenceCount (N),
 *     firstEventId, lastEventId, lastSeenAt, notificationCount (N), notifiedAt (absent until the first
 *     message went out), notificationLeaseUntil (present only while an invocation publishes a
 *     message), history (list of maps {status, actor {kind, name, sourceIp, userAgent}, at, detail};
 *     absent on items written before the approval workflow), outcome (map, once applied),
 *     applyLeaseUntil (ISO, while or after an apply invocation held the right to apply), applyAttempts
 *     (N, claims so far), resultMessageAt / resultEventAt (ISO, once the outcome went out),
 *     decision (map {envelope, signature}: the signed approval, written with pending -> approved),
 *     approvals (list of maps {kind, name, identity}: the first of two approvals, then both).
 *     Write tokens: notificationLeaseId, notifiedId, lastTransitionId, lastApprovalId, applyLeaseId.
 *     `status` + `createdAt` put it in the byStatus index (projection ALL): "pending proposals,
 *     newest first".
 *
 *   Incident  pk = INCIDENT#<incidentKey>  sk = INCIDENT
 *     entityType 'incident', incidentKey, proposalId (the record the incident points at), openUntil
 *     (ISO, the record's expiresAt), openedAt, ttl. It has no `status`/`createdAt`, so it stays out of
 *     the index. The approval workflow closes an incident early by setting openUntil to the present.
 *     Before a new incident is diagnosed, the same item holds only a claim: diagnosingUntil (ISO) and a
 *     ttl a day later; the create transaction replaces it with the pointer.
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
import { randomUUID } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
// lib-dynamodb's own marshaller: it leaves the old images of failed conditions unconverted.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DecisionApprover, SignedDecision } from '../../core/approval/signed-decision';
import {
  approvalRefusalOf,
  assertKnownTransition,
  movedRecord,
  transitionEvent,
  transitionGuardsExpiry,
  transitionRefusal,
} from '../../core/approval/transition';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import {
  epochSeconds,
  isFinalStatus,
  OPEN_STATUSES,
  type ProposalEvent,
  type ProposalRecord,
  type ProposalStatus,
} from '../../core/incident';
import type { Denial, Diagnosis, Proposal } from '../../core/model';
import { decodeApplyOutcome } from '../../core/apply/outcome';
import type {
  ApplyClaim,
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalStore,
  DecisionStore,
  ResultPublished,
  TransitionOutcome,
  TransitionRequest,
} from '../../ports/approval-store';
import type {
  CreateOutcome,
  NotificationClaim,
  OccurrenceOutcome,
  OpenIncident,
  ProposalStore,
} from '../../ports/proposal-store';
import { isTransientAwsFailure } from './aws-account-reader';

const PROPOSAL_SK = 'PROPOSAL';
const INCIDENT_SK = 'INCIDENT';

export const proposalKey = (proposalId: string) => ({ pk: `PROPOSAL#${proposalId}`, sk: PROPOSAL_SK });
export const incidentKey = (key: string) => ({ pk: `INCIDENT#${key}`, sk: INCIDENT_SK });

/** The GSI on status + createdAt (lib/constructs/proposal-tables.ts PROPOSALS_STATUS_INDEX, projection ALL). */
export const STATUS_INDEX = 'byStatus';

/**
 * How long a record is kept after its last transition: the audit of who approved what. Longer than
 * the longest pending time (PROPOSAL_TTL_HOURS is at most 8,760), so a decision never shortens a
 * record's life, and an approved proposal is never swept by TTL while it is being applied.
 */
export const DECIDED_RETENTION_DAYS = 400;

const DYNAMODB_TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'InternalServerError',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ServiceUnavailable',
]);
/** Cancellation reason codes worth retrying (the transaction met another, or throttling). */
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

function storeError(error: unknown, action: string): Error {
  const name = errorName(error);
  const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
  if (isTransientAwsFailure(error) || DYNAMODB_TRANSIENT_ERRORS.has(name)) {
    return new TransientAwsError(`${action} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  return new AwsCallError(`${action} failed (${name}${detail})`, { cause: error });
}

/** `#status IN (:open0, :open1, ...)` and its values. */
function openStatusCondition(): { expression: string; values: Record<string, ProposalStatus> } {
  const values = Object.fromEntries(OPEN_STATUSES.map((status, index) => [`:open${index}`, status]));
  return { expression: `#status IN (${Object.keys(values).join(', ')})`, values };
}

// ---------------------------------------------------------------- items

type Item = Record<string, unknown>;

export function toProposalItem(record: ProposalRecord): Item {
  const { denial: _embedded, ...diagnosis } = record.diagnosis;
  return {
    ...proposalKey(record.id),
    entityType: 'proposal',
    proposalId: record.id,
    incidentKey: record.incidentKey,
    status: record.status,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    ttl: epochSeconds(record.expiresAt),
    denial: record.denial,
    diagnosis,
    proposal: record.proposal ?? undefined,
    documentHash: record.documentHash ?? undefined,
    occurrenceCount: record.occurrenceCount,
    firstEventId: record.firstEventId,
    lastEventId: record.lastEventId,
    lastSeenAt: record.lastSeenAt,
    notificationCount: record.notificationCount,
    notifiedAt: record.notifiedAt ?? undefined,
    notificationLeaseUntil: record.notificationLeaseUntil ?? undefined,
    history: record.history,
    outcome: record.outcome ?? undefined,
    applyLeaseUntil: record.applyLeaseUntil ?? undefined,
    applyAttempts: record.applyAttempts,
    resultMessageAt: record.resultMessageAt ?? undefined,
    resultEventAt: record.resultEventAt ?? undefined,
    decision: record.decision ?? undefined,
    approvals: record.approvals ?? undefined,
  };
}

function toIncidentItem(record: ProposalRecord): Item {
  return {
    ...incidentKey(record.incidentKey),
    entityType: 'incident',
    incidentKey: record.incidentKey,
    proposalId: record.id,
    openUntil: record.expiresAt,
    openedAt: record.createdAt,
    ttl: epochSeconds(record.expiresAt),
  };
}

function requiredString(item: Item, name: string): string {
  const value = item[name];
  if (typeof value !== 'string') {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no string ${name}`);
  }
  return value;
}

function optionalString(item: Item, name: string): string | null {
  const value = item[name];
  return typeof value === 'string' ? value : null;
}

function requiredNumber(item: Item, name: string): number {
  const value = item[name];
  if (typeof value !== 'number') {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no number ${name}`);
  }
  return value;
}

function requiredMap(item: Item, name: string): Item {
  const value = item[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no map ${name}`);
  }
  return value as Item;
}

function optionalMap(item: Item, name: string): Item | null {
  const value = item[name];
  return value === undefined || value === null ? null : requiredMap(item, name);
}

function historyOf(item: Item): ProposalEvent[] {
  const value = item['history'];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new AwsCallError(`proposals table item ${String(item['pk'])} has no list history`);
  }
  return value as ProposalEvent[];
}

/** The record of a proposal item. The maps are this store's own writes, so their shape is trusted. */
export function fromProposalItem(item: Item): ProposalRecord {
  const denial = requiredMap(item, 'denial') as unknown as Denial;
  const diagnosis = { ...requiredMap(item, 'diagnosis'), denial } as unknown as Diagnosis;
  const proposal = item['proposal'];
  const status = requiredString(item, 'status') as ProposalStatus;
  const history = historyOf(item);
  return {
    id: requiredString(item, 'proposalId'),
    incidentKey: requiredString(item, 'incidentKey'),
    status,
    denial,
    diagnosis,
    proposal:
      proposal === undefined || proposal === null
        ? null
        : (requiredMap(item, 'proposal') as unknown as Proposal),
    documentHash: optionalString(item, 'documentHash'),
    createdAt: requiredString(item, 'createdAt'),
    expiresAt: requiredString(item, 'expiresAt'),
    occurrenceCount: requiredNumber(item, 'occurrenceCount'),
    firstEventId: requiredString(item, 'firstEventId'),
    lastEventId: requiredString(item, 'lastEventId'),
    lastSeenAt: requiredString(item, 'lastSeenAt'),
    notifiedAt: optionalString(item, 'notifiedAt'),
    notificationCount: requiredNumber(item, 'notificationCount'),
    notificationLeaseUntil: optionalString(item, 'notificationLeaseUntil'),
    history,
    // Items of the previous release tell a refusal only by its history entry's words.
    outcome: decodeApplyOutcome(optionalMap(item, 'outcome'), { status, history }),
    applyLeaseUntil: optionalString(item, 'applyLeaseUntil'),
    applyAttempts: typeof item['applyAttempts'] === 'number' ? item['applyAttempts'] : 0,
    resultMessageAt: optionalString(item, 'resultMessageAt'),
    resultEventAt: optionalString(item, 'resultEventAt'),
    ...decisionFields(item),
  };
}

/**
 * The signed decision and the approvals so far, when the item has them (items written before decisions
 * were signed have neither). A malformed one is dropped rather than trusted: the apply step refuses an
 * approved record without a decision it can verify, and a lost approval only asks for it again.
 */
function decisionFields(item: Item): { decision?: SignedDecision | null; approvals?: DecisionApprover[] } {
  const fields: { decision?: SignedDecision | null; approvals?: DecisionApprover[] } = {};
  const decision = item['decision'];
  if (decision !== undefined) {
    const d = decision as Record<string, unknown> | null;
    fields.decision =
      d !== null &&
      typeof d === 'object' &&
      typeof d['envelope'] === 'string' &&
      typeof d['signature'] === 'string'
        ? { envelope: d['envelope'], signature: d['signature'] }
        : null;
  }
  const approvals = item['approvals'];
  if (Array.isArray(approvals)) {
    fields.approvals = approvals.flatMap((entry: unknown) => {
      const a = entry as Record<string, unknown> | null;
      if (a === null || typeof a !== 'object') return [];
      const { kind, name, identity } = a;
      if ((kind !== 'iam' && kind !== 'link-holder' && kind !== 'rule') || typeof name !== 'string')
        return [];
      return typeof identity === 'string' ? [{ kind, name, identity }] : [];
    });
  }
  return fields;
}

const ATTRIBUTE_VALUE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/**
 * The old image DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure
 * ALL_OLD), as a plain item; null when there is none (the item does not exist, or the endpoint did not
 * return it).
 */
export function oldImageOf(image: unknown): Item | null {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) return null;
  const entries = Object.values(image as Record<string, unknown>);
  if (entries.length === 0) return null;
  const isWireFormat = entries.every(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.keys(value).length === 1 &&
      ATTRIBUTE_VALUE_TYPES.has(Object.keys(value)[0] ?? ''),
  );
  return isWireFormat ? unmarshall(image as Record<string, AttributeValue>) : (image as Item);
}

/** A string attribute of an item DynamoDB returned unconverted ({S: '...'}), as in cancellation reasons. */
function rawString(item: unknown, name: string): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const value = (item as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const s = (value as Record<string, unknown>)['S'];
    if (typeof s === 'string') return s;
  }
  return null;
}

interface CancellationReason {
  Code?: string;
  Item?: unknown;
}

function cancellationReasons(error: unknown): CancellationReason[] {
  if (typeof error !== 'object' || error === null) return [];
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as CancellationReason[]) : [];
}

/** `approvals` holds exactly `count` entries (none: absent or empty); fills in its names and values. */
function approvalCountCondition(
  count: number,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  names['#approvals'] = 'approvals';
  values[':priorApprovals'] = count;
  return count === 0
    ? '(attribute_not_exists(#approvals) OR size(#approvals) = :priorApprovals)'
    : 'size(#approvals) = :priorApprovals';
}

// ---------------------------------------------------------------- the store

/** An UpdateItem's target, expressions and values, without the table. */
interface ItemWrite {
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

export class DynamoDbProposalStore implements ProposalStore, ApprovalStore, DecisionStore {
  private readonly client: DynamoDBDocumentClient;

  /** @param dynamodb the caller's client (built once per container, traced by the caller) */
  constructor(
    dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {
    // Absent optional fields are left out of the item rather than failing the marshalling.
    this.client = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  }

  async findOpenIncident(key: string, now: Date): Promise<OpenIncident | null> {
    let item: Item | undefined;
    try {
      const output = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: incidentKey(key), ConsistentRead: true }),
      );
      item = output.Item;
    } catch (error) {
      throw storeError(error, 'dynamodb:GetItem (incident)');
    }
    if (!item) return null;
    const openUntil = optionalString(item, 'openUntil');
    const proposalId = optionalString(item, 'proposalId');
    if (openUntil === null || proposalId === null || openUntil <= now.toISOString()) return null;
    return { incidentKey: key, proposalId, openUntil };
  }

  async claimDiagnosis(key: string, now: Date, leaseUntil: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(key),
          UpdateExpression:
            'SET diagnosingUntil = :leaseUntil, entityType = :incident, incidentKey = :key, #ttl = :ttl',
          ConditionExpression:
            '(attribute_not_exists(openUntil) OR openUntil <= :now) AND (attribute_not_exists(diagnosingUntil) OR diagnosingUntil <= :now)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':leaseUntil': leaseUntil.toISOString(),
            ':incident': 'incident',
            ':key': key,
            ':ttl': epochSeconds(leaseUntil.toISOString()) + 24 * 3600,
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeError(error, 'dynamodb:UpdateItem (diagnosis claim)');
    }
  }

  async releaseDiagnosis(key: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(key),
          UpdateExpression: 'REMOVE diagnosingUntil',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error))
        throw storeError(error, 'dynamodb:UpdateItem (release diagnosis claim)');
    }
  }

  async create(record: ProposalRecord, now: Date): Promise<CreateOutcome> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: toProposalItem(record),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: toIncidentItem(record),
                ConditionExpression:
                  'attribute_not_exists(pk) OR attribute_not_exists(openUntil) OR openUntil <= :now',
                ExpressionAttributeValues: { ':now': now.toISOString() },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
      return { kind: 'created', record };
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') {
        throw storeError(error, 'dynamodb:TransactWriteItems (proposal + incident)');
      }
      const [proposalReason, incidentReason] = cancellationReasons(error);
      if (incidentReason?.Code === 'ConditionalCheckFailed') {
        return { kind: 'incident-open', proposalId: rawString(incidentReason.Item, 'proposalId') };
      }
      if (proposalReason?.Code === 'ConditionalCheckFailed') {
        throw new AwsCallError(`proposal ${record.id} already exists`, { cause: error });
      }
      const codes = cancellationReasons(error).map((reason) => reason.Code ?? 'None');
      if (codes.some((code) => TRANSIENT_CANCELLATION_CODES.has(code))) {
        throw new TransientAwsError(
          `dynamodb:TransactWriteItems cancelled, worth retrying later (${codes.join(', ')})`,
          { cause: error },
        );
      }
      throw new AwsCallError(`dynamodb:TransactWriteItems cancelled (${codes.join(', ')})`, { cause: error });
    }
  }

  async recordOccurrence(
    proposalId: string,
    occurrence: { eventId: string; seenAt: Date },
  ): Promise<OccurrenceOutcome> {
    const seenAt = occurrence.seenAt.toISOString();
    const open = openStatusCondition();
    let updated: Item | undefined;
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: 'SET lastSeenAt = :seenAt, lastEventId = :eventId ADD occurrenceCount :one',
          ConditionExpression: `attribute_exists(pk) AND ${open.expression} AND expiresAt > :seenAt AND firstEventId <> :eventId AND lastEventId <> :eventId`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...open.values,
            ':seenAt': seenAt,
            ':eventId': occurrence.eventId,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = output.Attributes;
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (occurrence)');
    }
    if (updated) return { kind: 'recorded', record: fromProposalItem(updated) };
    // Rare: read why the condition failed rather than decoding the raw old image.
    const record = await this.get(proposalId);
    if (record && OPEN_STATUSES.includes(record.status) && record.expiresAt > seenAt) {
      if (record.firstEventId === occurrence.eventId || record.lastEventId === occurrence.eventId) {
        return { kind: 'already-counted', record };
      }
    }
    return { kind: 'closed' };
  }

  async claimNotification(
    proposalId: string,
    claim: NotificationClaim,
    now: Date,
    leaseUntil: Date,
  ): Promise<boolean> {
    const open = openStatusCondition();
    const due =
      claim.kind === 'first'
        ? 'attribute_not_exists(notifiedAt)'
        : '#status = :pending AND notifiedAt < :notifiedBefore';
    const dueValues: Record<string, string> =
      claim.kind === 'first'
        ? {}
        : { ':pending': 'pending', ':notifiedBefore': claim.notifiedBefore.toISOString() };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: 'SET notificationLeaseUntil = :leaseUntil, notificationLeaseId = :token',
          // `OR notificationLeaseId = :token`: the SDK's retry of this very claim meets its own lease.
          ConditionExpression: `(attribute_exists(pk) AND ${open.expression} AND (attribute_not_exists(notificationLeaseUntil) OR notificationLeaseUntil <= :now) AND ${due}) OR notificationLeaseId = :token`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...open.values,
            ...dueValues,
            ':now': now.toISOString(),
            ':leaseUntil': leaseUntil.toISOString(),
            ':token': randomUUID(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeError(error, 'dynamodb:UpdateItem (notification claim)');
    }
  }

  async markNotified(proposalId: string, at: Date): Promise<void> {
    const token = randomUUID();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression:
            'SET notifiedAt = :at, notifiedId = :token REMOVE notificationLeaseUntil, notificationLeaseId ADD notificationCount :one',
          // A retry of this very write (its answer lost) must not count the message twice.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(notifiedId) OR notifiedId <> :token)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1, ':token': token },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (
        isConditionFailure(error) &&
        oldImageOf((error as { Item?: unknown }).Item)?.['notifiedId'] === token
      ) {
        return;
      }
      throw storeError(error, 'dynamodb:UpdateItem (notified)');
    }
  }

  async releaseNotification(proposalId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: 'REMOVE notificationLeaseUntil, notificationLeaseId',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (release claim)');
    }
  }

  async get(proposalId: string): Promise<ProposalRecord | null> {
    const item = await this.getItem(proposalId);
    return item === null ? null : fromProposalItem(item);
  }

  private async getItem(proposalId: string): Promise<Item | null> {
    try {
      const output = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: proposalKey(proposalId), ConsistentRead: true }),
      );
      return output.Item ?? null;
    } catch (error) {
      throw storeError(error, 'dynamodb:GetItem (proposal)');
    }
  }

  // ---------------------------------------------------------------- the approval workflow

  async transition(proposalId: string, request: TransitionRequest): Promise<TransitionOutcome> {
    assertKnownTransition(proposalId, request);
    const token = randomUUID();
    const write = this.transitionWrite(proposalId, request, token);
    return isFinalStatus(request.to)
      ? this.transitionClosingIncident(proposalId, request, write, token)
      : this.transitionRecord(proposalId, request, write, token);
  }

  /**
   * SET status, append the history entry, keep the record DECIDED_RETENTION_DAYS; on status = from.
   * `lastTransitionId = token` lets a retry of the same write recognise it landed.
   */
  private transitionWrite(proposalId: string, request: TransitionRequest, token: string): ItemWrite {
    const at = request.at.toISOString();
    const sets = [
      '#status = :to',
      '#history = list_append(if_not_exists(#history, :noEvents), :event)',
      '#ttl = :ttl',
      'lastTransitionId = :transitionId',
    ];
    const names: Record<string, string> = { '#status': 'status', '#history': 'history', '#ttl': 'ttl' };
    const values: Record<string, unknown> = {
      ':from': request.from,
      ':to': request.to,
      ':event': [transitionEvent(request)],
      ':noEvents': [],
      ':ttl': epochSeconds(at) + DECIDED_RETENTION_DAYS * 24 * 3600,
      ':transitionId': token,
    };
    if (request.outcome !== undefined) {
      sets.push('#outcome = :outcome');
      names['#outcome'] = 'outcome';
      values[':outcome'] = request.outcome;
    }
    if (request.decision !== undefined) {
      sets.push('#decision = :decision');
      names['#decision'] = 'decision';
      values[':decision'] = request.decision;
    }
    if (request.approvals !== undefined) {
      sets.push('#approvals = :approvals');
      names['#approvals'] = 'approvals';
      values[':approvals'] = request.approvals;
    }
    let condition = 'attribute_exists(pk) AND #status = :from';
    if (transitionGuardsExpiry(request)) {
      condition += ' AND expiresAt > :now';
      values[':now'] = at;
    }
    if (request.priorApprovals !== undefined) {
      condition += ` AND ${approvalCountCondition(request.priorApprovals, names, values)}`;
    }
    return {
      Key: proposalKey(proposalId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /** One conditional UpdateItem; a failed condition is explained from the old image it returns. */
  private async transitionRecord(
    proposalId: string,
    request: TransitionRequest,
    write: ItemWrite,
    token: string,
  ): Promise<TransitionOutcome> {
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          ...write,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!output.Attributes)
        throw new AwsCallError(`dynamodb:UpdateItem returned no item for ${proposalId}`);
      return { kind: 'moved', record: fromProposalItem(output.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (transition)');
      return this.refusal(proposalId, request, (error as { Item?: unknown }).Item, error, token);
    }
  }

  /**
   * The move and the incident's closing in one transaction, both or neither. The incident is read
   * from the record first (its key is there); when the incident no longer points at this record (it
   * expired and a newer incident took its key), there is nothing to close and the record moves alone.
   */
  private async transitionClosingIncident(
    proposalId: string,
    request: TransitionRequest,
    write: ItemWrite,
    token: string,
  ): Promise<TransitionOutcome> {
    const current = await this.get(proposalId);
    const refused = transitionRefusal(current, request);
    if (refused !== null || current === null) return refused ?? { kind: 'not-found' };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: { TableName: this.tableName, ...write, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: incidentKey(current.incidentKey),
                UpdateExpression: 'SET openUntil = :closedAt',
                ConditionExpression: 'proposalId = :proposalId',
                ExpressionAttributeValues: {
                  ':closedAt': request.at.toISOString(),
                  ':proposalId': proposalId,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') {
        throw storeError(error, 'dynamodb:TransactWriteItems (transition + incident)');
      }
      const [recordReason, incidentReason] = cancellationReasons(error);
      if (recordReason?.Code === 'ConditionalCheckFailed') {
        return this.refusal(proposalId, request, recordReason.Item, error, token);
      }
      if (incidentReason?.Code === 'ConditionalCheckFailed') {
        return this.transitionRecord(proposalId, request, write, token);
      }
      // Cancelled by a concurrent write (TransactionConflict) or throttling: see who won, else retry.
      const now = await this.getItem(proposalId);
      if (now !== null && now['lastTransitionId'] === token)
        return { kind: 'moved', record: fromProposalItem(now) };
      const refusedNow = transitionRefusal(now === null ? null : fromProposalItem(now), request);
      if (refusedNow !== null) return refusedNow;
      const codes = cancellationReasons(error).map((reason) => reason.Code ?? 'None');
      throw new TransientAwsError(
        `dynamodb:TransactWriteItems (transition + incident) cancelled, worth retrying later (${codes.join(', ')})`,
        { cause: error },
      );
    }
    // What the transaction wrote, without reading it back: a failed read must not hide a move that landed.
    return { kind: 'moved', record: movedRecord(current, request) };
  }

  /** Why a conditional move failed, from the old image (or a fresh read when none came back). */
  private async refusal(
    proposalId: string,
    request: TransitionRequest,
    image: unknown,
    cause: unknown,
    token: string,
  ): Promise<TransitionOutcome> {
    const item = oldImageOf(image) ?? (await this.getItem(proposalId));
    // The condition failed on our own write: the SDK retried a move whose answer was lost.
    if (item !== null && item['lastTransitionId'] === token)
      return { kind: 'moved', record: fromProposalItem(item) };
    const record = item === null ? null : fromProposalItem(item);
    const refused = transitionRefusal(record, request);
    if (refused !== null) return refused;
    // The condition failed on an item that satisfies it now: it changed in between; the caller retries.
    throw new TransientAwsError(`transition of proposal ${proposalId} met a concurrent write`, { cause });
  }

  /**
   * Appends one approval on status pending, before the expiry, with the approvals read still there.
   * `lastApprovalId = token`: the SDK's retry of this very write (its answer lost) meets its own append.
   */
  async addApproval(proposalId: string, request: ApprovalRequest): Promise<ApprovalOutcome> {
    const token = randomUUID();
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':pending': 'pending',
      ':now': request.at.toISOString(),
      ':approval': [request.approver],
      ':none': [],
      ':token': token,
    };
    const count = approvalCountCondition(request.priorApprovals, names, values);
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression:
            'SET #approvals = list_append(if_not_exists(#approvals, :none), :approval), lastApprovalId = :token',
          ConditionExpression: `attribute_exists(pk) AND #status = :pending AND expiresAt > :now AND ${count}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!output.Attributes)
        throw new AwsCallError(`dynamodb:UpdateItem returned no item for ${proposalId}`);
      return { kind: 'recorded', record: fromProposalItem(output.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (approval)');
      const item = oldImageOf((error as { Item?: unknown }).Item) ?? (await this.getItem(proposalId));
      if (item !== null && item['lastApprovalId'] === token)
        return { kind: 'recorded', record: fromProposalItem(item) };
      const refused = approvalRefusalOf(item === null ? null : fromProposalItem(item), request);
      if (refused !== null) return refused;
      throw new TransientAwsError(`approval of proposal ${proposalId} met a concurrent write`, {
        cause: error,
      });
    }
  }

  async claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<ApplyClaim> {
    const token = randomUUID();
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          // The attempt is counted in the same write as the lease. A retry of this very claim (its
          // answer lost) fails the condition on its own lease: the old image's token tells it is ours.
          UpdateExpression:
            'SET applyLeaseUntil = :leaseUntil, applyLeaseId = :token, applyAttempts = if_not_exists(applyAttempts, :zero) + :one',
          ConditionExpression:
            'attribute_exists(pk) AND #status IN (:approved, :applied) AND (attribute_not_exists(applyLeaseUntil) OR applyLeaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':approved': 'approved',
            ':applied': 'applied',
            ':now': now.toISOString(),
            ':leaseUntil': leaseUntil.toISOString(),
            ':token': token,
            ':zero': 0,
            ':one': 1,
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const attempt = output.Attributes?.['applyAttempts'];
      return { kind: 'claimed', attempt: typeof attempt === 'number' ? attempt : 1 };
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (apply claim)');
      const old = oldImageOf((error as { Item?: unknown }).Item);
      if (old !== null && old['applyLeaseId'] === token) {
        const attempt = old['applyAttempts'];
        return { kind: 'claimed', attempt: typeof attempt === 'number' ? attempt : 1 };
      }
      return { kind: 'not-claimed' };
    }
  }

  async releaseApply(proposalId: string, leaseUntil: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: 'REMOVE applyLeaseUntil, applyLeaseId',
          // Only our own lease: after it expired, another invocation may hold a newer one.
          ConditionExpression: 'applyLeaseUntil = :leaseUntil',
          ExpressionAttributeValues: { ':leaseUntil': leaseUntil.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (release apply claim)');
    }
  }

  async markResultPublished(proposalId: string, published: ResultPublished): Promise<void> {
    const sets: string[] = [];
    const values: Record<string, string> = {};
    // if_not_exists: the first time it went out stays (a retry may send it again).
    if (published.messageAt !== undefined) {
      sets.push('resultMessageAt = if_not_exists(resultMessageAt, :messageAt)');
      values[':messageAt'] = published.messageAt.toISOString();
    }
    if (published.eventAt !== undefined) {
      sets.push('resultEventAt = if_not_exists(resultEventAt, :eventAt)');
      values[':eventAt'] = published.eventAt.toISOString();
    }
    if (sets.length === 0) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (result published)');
    }
  }

  /** Newest first from the byStatus index (projection ALL: the items are whole, no second read). */
  async listByStatus(status: ProposalStatus, limit: number): Promise<ProposalRecord[]> {
    const records: ProposalRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    while (records.length < limit) {
      let output;
      try {
        output = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: STATUS_INDEX,
            KeyConditionExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status },
            ScanIndexForward: false,
            Limit: limit - records.length,
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw storeError(error, 'dynamodb:Query (byStatus)');
      }
      for (const item of output.Items ?? []) records.push(fromProposalItem(item));
      startKey = output.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    return records.slice(0, Math.max(0, limit));
  }
}
