/**
 * The decision ledger in the proposals table (proposals-table/schema.ts describes its items):
 * `DECISION#<decisionId>` items. No `status`/`createdAt`, so they stay out of the byStatus index. The
 * apply role calls UpdateItem and GetItem on them, nothing else.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsCallError } from '../../core/errors';
import { epochSeconds } from '../../core/incident';
import type { DecisionClaim, DecisionLedger } from '../../ports/decision-ledger';
import { ProposalsTable } from './proposals-table/conditional-write';
import { decisionKey } from './proposals-table/schema';

export { decisionKey };

export class DynamoDbDecisionLedger implements DecisionLedger {
  private readonly table: ProposalsTable;

  /** @param dynamodb the caller's client (built once per container, traced by the caller) */
  constructor(dynamodb: DynamoDBClient, tableName: string) {
    this.table = new ProposalsTable(dynamodb, tableName);
  }

  async record(decisionId: string, proposalId: string, at: Date, keepUntil: Date): Promise<DecisionClaim> {
    const result = await this.table.update(
      {
        Key: decisionKey(decisionId),
        // A retried call meets its own earlier write (same proposal): recorded again, harmlessly.
        ConditionExpression: 'attribute_not_exists(pk) OR proposalId = :proposalId',
        UpdateExpression:
          'SET entityType = :entityType, decisionId = :decisionId, proposalId = :proposalId, ' +
          'recordedAt = if_not_exists(recordedAt, :at), #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':entityType': 'decision',
          ':decisionId': decisionId,
          ':proposalId': proposalId,
          ':at': at.toISOString(),
          ':ttl': epochSeconds(keepUntil.toISOString()),
        },
        ReturnValues: 'ALL_NEW',
      },
      'dynamodb:UpdateItem (record decision)',
    );
    if (result.kind === 'written') {
      const writtenAt = result.item?.['writtenAt'];
      return typeof writtenAt === 'string' ? { kind: 'written', writtenAt } : { kind: 'recorded' };
    }
    // Recorded for another proposal: which one, for the refusal's reason.
    const holder = (result.image ??
      (await this.table.get(decisionKey(decisionId), 'dynamodb:GetItem (decision)')))?.['proposalId'];
    return { kind: 'taken', proposalId: typeof holder === 'string' ? holder : 'unknown' };
  }

  async markWritten(decisionId: string, proposalId: string, at: Date): Promise<void> {
    const result = await this.table.update(
      {
        Key: decisionKey(decisionId),
        ConditionExpression: 'proposalId = :proposalId',
        UpdateExpression: 'SET writtenAt = if_not_exists(writtenAt, :at)',
        ExpressionAttributeValues: { ':proposalId': proposalId, ':at': at.toISOString() },
      },
      'dynamodb:UpdateItem (decision written)',
    );
    if (result.kind === 'condition-failed') {
      throw new AwsCallError(`decision ${decisionId} is not recorded for proposal ${proposalId}`);
    }
  }
}
