/**
 * The one place that sends to the proposals table. A failed condition comes back as a value (with the
 * old image DynamoDB returned, when there is one), every other failure as the product's error
 * (errors.ts); write tokens are recognised by `wroteIt`; leases are taken by `claimLease`, the only
 * lease code, with the only expiry rule (`LEASE_EXPIRED`).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Claim } from '../../../ports/proposal-store';
import {
  cancellationReasons,
  isConditionFailure,
  isTransactionCancelled,
  storeError,
  type CancellationReason,
} from './errors';
import { oldImageOf } from './item-codec';
import { STATUS_INDEX, type Item, type ItemKey } from './schema';

/** An UpdateItem's target, expressions and values, without the table. */
export interface ItemWrite {
  Key: ItemKey;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ReturnValues?: 'ALL_NEW' | 'UPDATED_NEW';
}

export type WriteResult =
  /** `item`: what ReturnValues asked for, null when nothing was asked. */
  | { kind: 'written'; item: Item | null }
  /** `image`: the item as it was (null when there was none, or the endpoint sent none). */
  | { kind: 'condition-failed'; image: Item | null };

export type TransactResult =
  | { kind: 'written' }
  /** Cancelled: one reason per item in order; `error` to explain or rethrow. */
  | { kind: 'cancelled'; reasons: CancellationReason[]; error: unknown };

/** One item of a transaction, without the table. */
export type TransactItem =
  | {
      Put: {
        Item: Item;
        ConditionExpression: string;
        ExpressionAttributeValues?: Record<string, unknown>;
        ReturnValuesOnConditionCheckFailure?: 'ALL_OLD';
      };
    }
  | { Update: Omit<ItemWrite, 'ReturnValues'> & { ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' } };

/**
 * A lease on an item: `until` (ISO end) and `holder` (the claim's token) are its attributes. The
 * claim's condition, update and values may use `:now`, `:leaseUntil` and `:token`.
 */
export interface LeaseRequest {
  key: ItemKey;
  lease: { until: string; holder: string };
  now: Date;
  leaseUntil: Date;
  /** What else must hold for the claim (status, due, ...). */
  condition?: string;
  /** What else the claim writes, in the same SET. */
  set?: string[];
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  action: string;
}

/**
 * The one expiry rule: a lease ending at `:now` is still held; it is free only once its end is past.
 * The holder may still be acting at the very instant its lease ends, so handing the lease on at that
 * instant would give two holders; core/apply/reconcile.ts and core/lease.ts count it the same way.
 */
export const LEASE_EXPIRED = (until: string): string => `(attribute_not_exists(${until}) OR ${until} < :now)`;

/** The item carries this call's token in `attribute`: the write that failed its condition was ours. */
export function wroteIt(item: Item | null, attribute: string, token: string): boolean {
  return item !== null && item[attribute] === token;
}

export class ProposalsTable {
  private readonly client: DynamoDBDocumentClient;

  /** @param dynamodb the caller's client (built once per container, traced by the caller) */
  constructor(
    dynamodb: DynamoDBClient,
    readonly tableName: string,
  ) {
    // Absent optional fields are left out of the item rather than failing the marshalling.
    this.client = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(key: ItemKey, action: string): Promise<Item | null> {
    try {
      const output = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      return output.Item ?? null;
    } catch (error) {
      throw storeError(error, action);
    }
  }

  /** One conditional UpdateItem; a failed condition is a value carrying the old image. */
  async update(write: ItemWrite, action: string): Promise<WriteResult> {
    try {
      const output = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          ...write,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'written', item: output.Attributes ?? null };
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError(error, action);
      return { kind: 'condition-failed', image: oldImageOf((error as { Item?: unknown }).Item) };
    }
  }

  /** TransactWriteItems; a cancellation is a value (a failed condition's reason holds the old image it asked for). */
  async transact(items: TransactItem[], action: string): Promise<TransactResult> {
    const TransactItems = items.map((item) =>
      'Put' in item
        ? { Put: { TableName: this.tableName, ...item.Put } }
        : { Update: { TableName: this.tableName, ...item.Update } },
    );
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems } as TransactWriteCommandInput));
      return { kind: 'written' };
    } catch (error) {
      if (!isTransactionCancelled(error)) throw storeError(error, action);
      return { kind: 'cancelled', reasons: cancellationReasons(error), error };
    }
  }

  /** One page of the byStatus index, newest first (projection ALL: whole items). */
  async queryByStatus(
    status: string,
    limit: number,
    startKey: Item | undefined,
  ): Promise<{ items: Item[]; next: Item | undefined }> {
    try {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      return { items: output.Items ?? [], next: output.LastEvaluatedKey };
    } catch (error) {
      throw storeError(error, 'dynamodb:Query (byStatus)');
    }
  }

  /**
   * Takes the lease when it is free (LEASE_EXPIRED) and `condition` holds, storing a fresh token with
   * it. A retry of this very claim (its answer lost) fails the condition on its own lease: the old
   * image's token tells it is ours. `item`: the attributes the claim wrote (or the old image).
   */
  async claimLease(request: LeaseRequest): Promise<Claim<{ item: Item }>> {
    const { until, holder } = request.lease;
    const token = randomUUID();
    const conditions = [request.condition, LEASE_EXPIRED(until)].filter((part) => part !== undefined);
    const result = await this.update(
      {
        Key: request.key,
        UpdateExpression: `SET ${[`${until} = :leaseUntil`, `${holder} = :token`, ...(request.set ?? [])].join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ...(request.names === undefined ? {} : { ExpressionAttributeNames: request.names }),
        ExpressionAttributeValues: {
          ...request.values,
          ':now': request.now.toISOString(),
          ':leaseUntil': request.leaseUntil.toISOString(),
          ':token': token,
        },
        ReturnValues: 'UPDATED_NEW',
      },
      request.action,
    );
    if (result.kind === 'written') return { kind: 'claimed', item: result.item ?? {} };
    return wroteIt(result.image, holder, token)
      ? { kind: 'claimed', item: result.image ?? {} }
      : { kind: 'not-claimed' };
  }
}
