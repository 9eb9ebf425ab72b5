/**
 * The proposals table (on-demand; partition key `pk` S, sort key `sk` S, TTL attribute `ttl`, GSI
 * `byStatus` on `status` S + `createdAt` S). Two kinds of item:
 *
 *   Proposal  pk = PROPOSAL#<proposalId>   sk = PROPOSAL
 *     entityType 'proposal', proposalId, incidentKey, status ('pending' | 'reported', the approval
 *     workflow adds more), createdAt, expiresAt (ISO), ttl (epoch seconds of expiresAt), denial (map),
 *     diagnosis (map, without its denial: that is the item's `denial`), proposal (map; absent for a
 *     report), documentHash, occurrenceCount (N), firstEventId, lastEventId, lastSeenAt,
 *     notificationCount (N), notifiedAt (absent until the first message went out),
 *     notificationLeaseUntil (present only while an invocation publishes a message).
 *     `status` + `createdAt` put it in the byStatus index: "pending proposals, newest first".
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
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import { epochSeconds, OPEN_STATUSES, type ProposalRecord, type ProposalStatus } from '../../core/incident';
import type { Denial, Diagnosis, Proposal } from '../../core/model';
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

/** The record of a proposal item. The maps are this store's own writes, so their shape is trusted. */
export function fromProposalItem(item: Item): ProposalRecord {
  const denial = requiredMap(item, 'denial') as unknown as Denial;
  const diagnosis = { ...requiredMap(item, 'diagnosis'), denial } as unknown as Diagnosis;
  const proposal = item['proposal'];
  return {
    id: requiredString(item, 'proposalId'),
    incidentKey: requiredString(item, 'incidentKey'),
    status: requiredString(item, 'status') as ProposalStatus,
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
  };
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

// ---------------------------------------------------------------- the store

export class DynamoDbProposalStore implements ProposalStore {
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
          UpdateExpression: 'SET notificationLeaseUntil = :leaseUntil',
          ConditionExpression: `attribute_exists(pk) AND ${open.expression} AND (attribute_not_exists(notificationLeaseUntil) OR notificationLeaseUntil <= :now) AND ${due}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...open.values,
            ...dueValues,
            ':now': now.toISOString(),
            ':leaseUntil': leaseUntil.toISOString(),
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
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: 'SET notifiedAt = :at REMOVE notificationLeaseUntil ADD notificationCount :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1 },
        }),
      );
    } catch (error) {
      throw storeError(error, 'dynamodb:UpdateItem (notified)');
    }
  }

  async releaseNotification(proposalId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: proposalKey(proposalId),
          UpdateExpression: 'REMOVE notificationLeaseUntil',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, 'dynamodb:UpdateItem (release claim)');
    }
  }

  async get(proposalId: string): Promise<ProposalRecord | null> {
    try {
      const output = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: proposalKey(proposalId), ConsistentRead: true }),
      );
      return output.Item ? fromProposalItem(output.Item) : null;
    } catch (error) {
      throw storeError(error, 'dynamodb:GetItem (proposal)');
    }
  }
}
