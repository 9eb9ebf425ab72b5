/**
 * The decision ledger in the proposals table (dynamodb-proposal-store.ts describes its key schema):
 *
 *   Decision  pk = DECISION#<decisionId>   sk = DECISION
 *     entityType 'decision', decisionId, proposalId (the proposal it was first recorded for),
 *     recordedAt (ISO), writtenAt (ISO, once IAM was written under it), ttl (epoch seconds: kept past
 *     the decision's expiry, after which no apply accepts it anyway).
 *
 * No `status`/`createdAt`, so it stays out of the byStatus index. The apply role calls UpdateItem and
 * GetItem on it, nothing else.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import { epochSeconds } from '../../core/incident';
import type { DecisionClaim, DecisionLedger } from '../../ports/decision-ledger';
import { isTransientAwsFailure } from './aws-account-reader';

const DECISION_SK = 'DECISION';

export const decisionKey = (decisionId: string) => ({ pk: `DECISION#${decisionId}`, sk: DECISION_SK });

const DYNAMODB_TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'InternalServerError',
  'TransactionConflictException',
  'ServiceUnavailable',
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function ledgerError(error: unknown, action: string): Error {
  const name = errorName(error);
  const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
  if (isTransientAwsFailure(error) || DYNAMODB_TRANSIENT_ERRORS.has(name)) {
    return new TransientAwsError(`${action} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  return new AwsCallError(`${action} failed (${name}${detail})`, { cause: error });
}

export class DynamoDbDecisionLedger implements DecisionLedger {
  private readonly client: DynamoDBDocumentClient;

  /** @param dynamodb the caller's client (built once per container, traced by the caller) */
  constructor(
    dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.client = DynamoDBDocumentClient.from(dynamodb);
  }

  async record(decisionId: string, proposalId: string, at: Date, keepUntil: Date): Promise<DecisionClaim> {
    try {
      const answer = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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
        }),
      );
      const writtenAt = answer.Attributes?.['writtenAt'];
      return typeof writtenAt === 'string' ? { kind: 'written', writtenAt } : { kind: 'recorded' };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') {
        throw ledgerError(error, 'dynamodb:UpdateItem (record decision)');
      }
    }
    // Recorded for another proposal: which one, for the refusal's reason.
    let holder: unknown;
    try {
      const found = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: decisionKey(decisionId), ConsistentRead: true }),
      );
      holder = found.Item?.['proposalId'];
    } catch (error) {
      throw ledgerError(error, 'dynamodb:GetItem (decision)');
    }
    return { kind: 'taken', proposalId: typeof holder === 'string' ? holder : 'unknown' };
  }

  async markWritten(decisionId: string, proposalId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: decisionKey(decisionId),
          ConditionExpression: 'proposalId = :proposalId',
          UpdateExpression: 'SET writtenAt = if_not_exists(writtenAt, :at)',
          ExpressionAttributeValues: { ':proposalId': proposalId, ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        throw new AwsCallError(`decision ${decisionId} is not recorded for proposal ${proposalId}`, {
          cause: error,
        });
      }
      throw ledgerError(error, 'dynamodb:UpdateItem (decision written)');
    }
  }
}
