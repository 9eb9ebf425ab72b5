/**
 * IncidentStore on the proposals table (schema.ts): incidents, their records, the diagnosis and
 * notification claims, and repeats.
 */
import { randomUUID } from 'node:crypto';
import { AwsCallError } from '../../../core/errors';
import { epochSeconds, OPEN_STATUSES, type IncidentRecord } from '../../../core/incident';
import type * as port from '../../../ports/incident-store';
import { ProposalsTable, wroteIt } from './conditional-write';
import { cancelledTransactionError } from './errors';
import { fromProposalItem, optionalString, rawString, toIncidentItem, toProposalItem } from './item-codec';
import { DIAGNOSIS_LEASE, notificationLease } from './leases';
import { incidentKey, openStatusCondition, proposalKey } from './schema';

export class IncidentItems implements port.IncidentStore {
  constructor(private readonly table: ProposalsTable) {}

  async findOpenIncident(key: string, now: Date): Promise<port.OpenIncident | null> {
    const item = await this.table.get(incidentKey(key), 'dynamodb:GetItem (incident)');
    if (!item) return null;
    const openUntil = optionalString(item, 'openUntil');
    const proposalId = optionalString(item, 'proposalId');
    if (openUntil === null || proposalId === null || openUntil <= now.toISOString()) return null;
    return { incidentKey: key, proposalId, openUntil };
  }

  async claimDiagnosis(key: string, now: Date, leaseUntil: Date): Promise<port.Claim> {
    const claim = await this.table.claimLease(
      DIAGNOSIS_LEASE,
      incidentKey(key),
      { now, leaseUntil },
      { ':key': key, ':ttl': epochSeconds(leaseUntil.toISOString()) + 24 * 3600 },
    );
    return claim.kind === 'claimed' ? { kind: 'claimed' } : claim;
  }

  releaseDiagnosis(key: string): Promise<void> {
    return this.table.releaseLease(DIAGNOSIS_LEASE, incidentKey(key));
  }

  async create(record: IncidentRecord, now: Date): Promise<port.CreateOutcome> {
    const action = 'dynamodb:TransactWriteItems (proposal + incident)';
    const result = await this.table.transact(
      [
        { Put: { Item: toProposalItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            Item: toIncidentItem(record),
            ConditionExpression:
              'attribute_not_exists(pk) OR attribute_not_exists(openUntil) OR openUntil <= :now',
            ExpressionAttributeValues: { ':now': now.toISOString() },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
      action,
    );
    if (result.kind === 'written') return { kind: 'created', record };
    const [proposalReason, incidentReason] = result.reasons;
    if (incidentReason?.Code === 'ConditionalCheckFailed') {
      return { kind: 'incident-open', proposalId: rawString(incidentReason.Item, 'proposalId') };
    }
    if (proposalReason?.Code === 'ConditionalCheckFailed') {
      throw new AwsCallError(`proposal ${record.id} already exists`, { cause: result.error });
    }
    throw cancelledTransactionError(result.error, 'dynamodb:TransactWriteItems');
  }

  async recordOccurrence(proposalId: string, occurrence: port.Occurrence): Promise<port.OccurrenceOutcome> {
    const seenAt = occurrence.seenAt.toISOString();
    const open = openStatusCondition();
    const result = await this.table.update(
      {
        Key: proposalKey(proposalId),
        // The denial's own time beside the time it was processed: "last seen" on the review page.
        UpdateExpression: `SET lastSeenAt = :seenAt, lastEventId = :eventId${occurrence.eventTime ? ', lastEventTime = :eventTime' : ''} ADD occurrenceCount :one`,
        ConditionExpression: `attribute_exists(pk) AND ${open.expression} AND expiresAt > :seenAt AND firstEventId <> :eventId AND lastEventId <> :eventId`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...open.values,
          ':seenAt': seenAt,
          ':eventId': occurrence.eventId,
          ':one': 1,
          ...(occurrence.eventTime ? { ':eventTime': occurrence.eventTime } : {}),
        },
        ReturnValues: 'ALL_NEW',
      },
      'dynamodb:UpdateItem (occurrence)',
    );
    if (result.kind === 'written' && result.item) {
      return { kind: 'recorded', record: fromProposalItem(result.item) };
    }
    // Rare: read why the condition failed.
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
    claim: port.NotificationClaim,
    now: Date,
    leaseUntil: Date,
  ): Promise<port.Claim> {
    const lease = notificationLease(claim);
    const claimed = await this.table.claimLease(lease, proposalKey(proposalId), { now, leaseUntil });
    return claimed.kind === 'claimed' ? { kind: 'claimed' } : claimed;
  }

  async markNotified(proposalId: string, at: Date): Promise<void> {
    const token = randomUUID();
    const result = await this.table.update(
      {
        Key: proposalKey(proposalId),
        UpdateExpression:
          'SET notifiedAt = :at, notifiedId = :token REMOVE notificationLeaseUntil, notificationLeaseId ADD notificationCount :one',
        // A retry of this very write (its answer lost) must not count the message twice.
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(notifiedId) OR notifiedId <> :token)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1, ':token': token },
      },
      'dynamodb:UpdateItem (notified)',
    );
    if (result.kind === 'condition-failed' && !wroteIt(result.image, 'notifiedId', token)) {
      throw new AwsCallError(`dynamodb:UpdateItem (notified) failed: no proposal ${proposalId}`);
    }
  }

  releaseNotification(proposalId: string): Promise<void> {
    return this.table.releaseLease(notificationLease({ kind: 'first' }), proposalKey(proposalId));
  }

  async get(proposalId: string): Promise<IncidentRecord | null> {
    const item = await this.table.get(proposalKey(proposalId), 'dynamodb:GetItem (proposal)');
    return item === null ? null : fromProposalItem(item);
  }
}
