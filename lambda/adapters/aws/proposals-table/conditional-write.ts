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
import type { Claim } from '../../../ports/incident-store';
import {
  cancellationReasons,
  isConditionFailure,
  isTransactionCancelled,
  storeError,
  type CancellationReason,
} from './errors';
import { oldImageOf } from './item-codec';
import type { Lease } from './leases';
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
    const output = await send(
      () => this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
      action,
    );
    return output.answer?.Item ?? null;
  }

  /** One conditional UpdateItem; a failed condition is a value carrying the old image. */
  async update(write: ItemWrite, action: string): Promise<WriteResult> {
    const output = await send(
      () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            ...write,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      action,
      isConditionFailure,
    );
    return output.answer === undefined
      ? { kind: 'condition-failed', image: oldImageOf((output.refused as { Item?: unknown }).Item) }
      : { kind: 'written', item: output.answer.Attributes ?? null };
  }

  /** TransactWriteItems; a cancellation is a value (a failed condition's reason holds the old image it asked for). */
  async transact(items: TransactItem[], action: string): Promise<TransactResult> {
    const TransactItems = items.map((item) =>
      'Put' in item
        ? { Put: { TableName: this.tableName, ...item.Put } }
        : { Update: { TableName: this.tableName, ...item.Update } },
    );
    const output = await send(
      () => this.client.send(new TransactWriteCommand({ TransactItems } as TransactWriteCommandInput)),
      action,
      isTransactionCancelled,
    );
    return output.answer === undefined
      ? { kind: 'cancelled', reasons: cancellationReasons(output.refused), error: output.refused }
      : { kind: 'written' };
  }

  /** One page of the byStatus index, newest first (projection ALL: whole items). */
  async queryByStatus(
    status: string,
    limit: number,
    startKey: Item | undefined,
  ): Promise<{ items: Item[]; next: Item | undefined }> {
    const query = new QueryCommand({
      TableName: this.tableName,
      IndexName: STATUS_INDEX,
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    });
    const output = await send(() => this.client.send(query), 'dynamodb:Query (byStatus)');
    return { items: output.answer?.Items ?? [], next: output.answer?.LastEvaluatedKey };
  }

  /**
   * Takes the lease when it is free (LEASE_EXPIRED) and the lease's condition holds, storing a fresh
   * token with it. A retry of this very claim (its answer lost) fails the condition on its own lease:
   * the old image's token tells it is ours. `item`: the attributes the claim wrote (or the old image).
   * `values`: the claim's own values for the lease's condition and writes.
   */
  async claimLease(
    lease: Lease,
    key: ItemKey,
    window: { now: Date; leaseUntil: Date },
    values: Record<string, unknown> = {},
  ): Promise<Claim<{ item: Item }>> {
    const token = randomUUID();
    const result = await this.update(
      {
        Key: key,
        UpdateExpression: `SET ${[`${lease.until} = :leaseUntil`, `${lease.holder} = :token`, ...lease.set].join(', ')}`,
        ConditionExpression: `${lease.condition} AND ${LEASE_EXPIRED(lease.until)}`,
        ExpressionAttributeNames: lease.names,
        ExpressionAttributeValues: {
          ...lease.values,
          ...values,
          ':now': window.now.toISOString(),
          ':leaseUntil': window.leaseUntil.toISOString(),
          ':token': token,
        },
        ReturnValues: 'UPDATED_NEW',
      },
      `dynamodb:UpdateItem (${lease.name})`,
    );
    if (result.kind === 'written') return { kind: 'claimed', item: result.item ?? {} };
    return wroteIt(result.image, lease.holder, token)
      ? { kind: 'claimed', item: result.image ?? {} }
      : { kind: 'not-claimed' };
  }

  /**
   * Gives a lease back. With `heldUntil` (the end this caller claimed) only that lease: once it
   * expired, another claim may hold a newer one. Without, whoever holds it (the item must exist).
   */
  async releaseLease(lease: Lease, key: ItemKey, heldUntil?: Date): Promise<void> {
    await this.update(
      {
        Key: key,
        UpdateExpression: `REMOVE ${lease.until}, ${lease.holder}`,
        ...(heldUntil === undefined
          ? { ConditionExpression: 'attribute_exists(pk)' }
          : {
              ConditionExpression: `${lease.until} = :leaseUntil`,
              ExpressionAttributeValues: { ':leaseUntil': heldUntil.toISOString() },
            }),
      },
      `dynamodb:UpdateItem (release ${lease.name})`,
    );
  }
}

/**
 * The only try/send/catch: the answer, or the failure `refusal` accepts (a failed condition, a
 * cancelled transaction) as a value; any other failure thrown as the product's error.
 */
async function send<Answer>(
  call: () => Promise<Answer>,
  action: string,
  refusal: (error: unknown) => boolean = () => false,
): Promise<{ answer: Answer; refused?: undefined } | { answer?: undefined; refused: unknown }> {
  try {
    return { answer: await call() };
  } catch (error) {
    if (refusal(error)) return { refused: error };
    throw storeError(error, action);
  }
}
