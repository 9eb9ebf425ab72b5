import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DECIDED_RETENTION_DAYS,
  DynamoDbIncidentStore,
  fromProposalItem,
  oldImageOf,
  toProposalItem,
} from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { ConcurrentChangeError, InvalidInputError, TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import {
  APPLIER,
  FIRST,
  hours,
  LINK_HOLDER,
  move,
  OUTCOME,
  SECOND,
  SIGNED,
} from '../support/approval-store-contract';
import { proposalRecord } from '../support/proposal-records';

const TABLE = 'passrole-doctor-proposals';
const PROPOSAL_KEY = { pk: 'PROPOSAL#p-1', sk: 'PROPOSAL' };
const INCIDENT_KEY = { pk: 'INCIDENT#504cb7416fee7f7774d607601f1b61f3', sk: 'INCIDENT' };
const AT = hours(1).toISOString();
const RETAINED_UNTIL = Date.parse(AT) / 1000 + DECIDED_RETENTION_DAYS * 24 * 3600;

const documentMock = mockClient(DynamoDBDocumentClient);
const store = () =>
  new DynamoDbIncidentStore(
    new DynamoDBClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    TABLE,
  );

beforeEach(() => documentMock.reset());

/** The item as DynamoDB keeps it (JSON round trip: no undefined). */
function item(record: IncidentRecord): Record<string, unknown> {
  return JSON.parse(JSON.stringify(toProposalItem(record))) as Record<string, unknown>;
}

/** A failed condition with the old image on the wire, as ReturnValuesOnConditionCheckFailure sends it. */
function conditionFailed(old?: IncidentRecord): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(old ? { Item: marshall(item(old)) } : {}),
  });
}

function cancelled(reasons: { Code: string; Item?: IncidentRecord }[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled [${reasons.map((reason) => reason.Code).join(', ')}]`,
    $metadata: {},
    CancellationReasons: reasons.map(({ Code, Item }) =>
      Item ? { Code, Item: marshall(item(Item)) } : { Code },
    ),
  });
}

/** A failed condition whose old image is `image` as is (extra attributes such as write tokens kept). */
function conditionFailedOn(image: Record<string, unknown>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: marshall(image),
  });
}

/** The record's item with a write token on it, as a write that carried `token` left it. */
function itemWith(record: IncidentRecord, attributes: Record<string, unknown>): Record<string, unknown> {
  return { ...item(record), ...attributes };
}

/** The value a command sent for `name` (a token the store made up), failing the test when absent. */
function sentValue(input: { ExpressionAttributeValues?: Record<string, unknown> }, name: string): string {
  const value = input.ExpressionAttributeValues?.[name];
  if (typeof value !== 'string') throw new Error(`the command sent no ${name}`);
  return value;
}

const approvedEvent = { status: 'approved', actor: LINK_HOLDER, at: AT, detail: null };
const approvedRecord = proposalRecord({
  status: 'approved',
  history: [approvedEvent] as IncidentRecord['history'],
});

describe('DynamoDbIncidentStore.transition: approving', () => {
  it('is one conditional UpdateItem on the status and the expiry that appends the history entry', async () => {
    documentMock.on(UpdateCommand).resolves({ Attributes: item(approvedRecord) });
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({
      kind: 'moved',
      record: approvedRecord,
    });
    expect(documentMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(documentMock.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: PROPOSAL_KEY,
      UpdateExpression:
        'SET #status = :to, #history = list_append(if_not_exists(#history, :noEvents), :event), #ttl = :ttl, lastTransitionId = :transitionId',
      ConditionExpression: 'attribute_exists(pk) AND #status = :from AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status', '#history': 'history', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':from': 'pending',
        ':to': 'approved',
        ':event': [approvedEvent],
        ':noEvents': [],
        ':ttl': RETAINED_UNTIL,
        ':transitionId': expect.any(String),
        ':now': AT,
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    // Approving leaves the incident open: no transaction, no incident write.
    expect(documentMock).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('explains a failed condition from the old image: conflict, expired', async () => {
    documentMock.on(UpdateCommand).rejects(conditionFailed(approvedRecord));
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({
      kind: 'conflict',
      record: approvedRecord,
    });
    const stale = proposalRecord({ expiresAt: '2026-06-17T03:00:00.000Z' });
    documentMock.on(UpdateCommand).rejects(conditionFailed(stale));
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({
      kind: 'expired',
      record: stale,
    });
    expect(documentMock).toHaveReceivedCommandTimes(GetCommand, 0);
  });

  it('reads the item when no old image came back: not-found, or a conflict', async () => {
    documentMock.on(UpdateCommand).rejects(conditionFailed());
    documentMock.on(GetCommand).resolves({});
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({ kind: 'not-found' });
    documentMock.on(GetCommand).resolves({ Item: item(approvedRecord) });
    expect((await store().transition('p-1', move('pending', 'approved'))).kind).toBe('conflict');
    expect(documentMock).toHaveReceivedCommandWith(GetCommand, { Key: PROPOSAL_KEY, ConsistentRead: true });
  });

  it('calls a failed condition on an item that satisfies it now a concurrent write, worth retrying', async () => {
    documentMock.on(UpdateCommand).rejects(conditionFailed(proposalRecord()));
    await expect(store().transition('p-1', move('pending', 'approved'))).rejects.toThrow(
      ConcurrentChangeError,
    );
    documentMock
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store().transition('p-1', move('pending', 'approved'))).rejects.toThrow(TransientAwsError);
  });

  it('refuses a move status.ts forbids without sending anything', async () => {
    await expect(store().transition('p-1', move('pending', 'applied'))).rejects.toThrow(InvalidInputError);
    await expect(store().transition('p-1', move('reported', 'approved'))).rejects.toThrow(
      'a proposal cannot move from reported to approved',
    );
    expect(documentMock.calls()).toHaveLength(0);
  });

  it('stores the apply outcome with the move, without the expiry condition after approval', async () => {
    const applied = proposalRecord({ status: 'applied', outcome: OUTCOME });
    documentMock.on(UpdateCommand).resolves({ Attributes: item(applied) });
    await store().transition('p-1', move('approved', 'applied', hours(1), { outcome: OUTCOME }));
    expect(documentMock).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression:
        'SET #status = :to, #history = list_append(if_not_exists(#history, :noEvents), :event), #ttl = :ttl, lastTransitionId = :transitionId, #outcome = :outcome',
      ConditionExpression: 'attribute_exists(pk) AND #status = :from',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#history': 'history',
        '#ttl': 'ttl',
        '#outcome': 'outcome',
      },
    });
    const values = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values).toMatchObject({ ':from': 'approved', ':to': 'applied', ':outcome': OUTCOME });
    expect(values).not.toHaveProperty(':now');
  });
});

describe('DynamoDbIncidentStore.transition: final statuses close the incident', () => {
  const rejectedRecord = proposalRecord({
    status: 'rejected',
    history: [{ ...approvedEvent, status: 'rejected' }] as IncidentRecord['history'],
  });

  it('moves the record and closes its incident in one transaction, answering what it wrote without reading it back', async () => {
    documentMock
      .on(GetCommand)
      .resolvesOnce({ Item: item(proposalRecord()) })
      // A read after the transaction would fail: a move that landed must not be lost to it.
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    documentMock.on(TransactWriteCommand).resolves({});
    expect(await store().transition('p-1', move('pending', 'rejected'))).toEqual({
      kind: 'moved',
      record: rejectedRecord,
    });
    expect(documentMock).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(documentMock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toEqual([
      {
        Update: {
          TableName: TABLE,
          Key: PROPOSAL_KEY,
          UpdateExpression:
            'SET #status = :to, #history = list_append(if_not_exists(#history, :noEvents), :event), #ttl = :ttl, lastTransitionId = :transitionId',
          ConditionExpression: 'attribute_exists(pk) AND #status = :from',
          ExpressionAttributeNames: { '#status': 'status', '#history': 'history', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':from': 'pending',
            ':to': 'rejected',
            ':event': [{ ...approvedEvent, status: 'rejected' }],
            ':noEvents': [],
            ':ttl': RETAINED_UNTIL,
            ':transitionId': expect.any(String),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: TABLE,
          Key: INCIDENT_KEY,
          UpdateExpression: 'SET openUntil = :closedAt',
          ConditionExpression: 'proposalId = :proposalId',
          ExpressionAttributeValues: { ':closedAt': AT, ':proposalId': 'p-1' },
        },
      },
    ]);
    expect(documentMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it('answers the moved record with the outcome it stored, from the record read before the move', async () => {
    const applied = proposalRecord({
      status: 'applied',
      history: [approvedEvent] as IncidentRecord['history'],
    });
    documentMock.on(GetCommand).resolvesOnce({ Item: item(applied) });
    documentMock.on(TransactWriteCommand).resolves({});
    const outcome = await store().transition(
      'p-1',
      move('applied', 'verified', hours(1), { outcome: OUTCOME, detail: 'allowed' }),
    );
    expect(outcome).toEqual({
      kind: 'moved',
      record: {
        ...applied,
        status: 'verified',
        outcome: OUTCOME,
        history: [approvedEvent, { status: 'verified', actor: APPLIER, at: AT, detail: 'allowed' }],
      },
    });
  });

  it('answers from the first read without writing when the status already moved, or the record is gone', async () => {
    documentMock.on(GetCommand).resolves({ Item: item(approvedRecord) });
    expect((await store().transition('p-1', move('pending', 'rejected'))).kind).toBe('conflict');
    documentMock.on(GetCommand).resolves({});
    expect(await store().transition('p-1', move('pending', 'rejected'))).toEqual({ kind: 'not-found' });
    expect(documentMock).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it('explains a cancelled transaction from the record’s old image', async () => {
    documentMock.on(GetCommand).resolves({ Item: item(proposalRecord()) });
    documentMock
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'ConditionalCheckFailed', Item: approvedRecord }, { Code: 'None' }]));
    expect(await store().transition('p-1', move('pending', 'rejected'))).toEqual({
      kind: 'conflict',
      record: approvedRecord,
    });
  });

  it('moves the record alone when the incident points at a newer record', async () => {
    const failed = proposalRecord({ status: 'failed' });
    documentMock.on(GetCommand).resolves({ Item: item(approvedRecord) });
    documentMock
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
    documentMock.on(UpdateCommand).resolves({ Attributes: item(failed) });
    expect(await store().transition('p-1', move('approved', 'failed'))).toEqual({
      kind: 'moved',
      record: failed,
    });
    expect(documentMock).toHaveReceivedCommandWith(UpdateCommand, {
      Key: PROPOSAL_KEY,
      ConditionExpression: 'attribute_exists(pk) AND #status = :from',
    });
  });

  it('reads who won after a transaction conflict, and retries when nobody did', async () => {
    documentMock
      .on(GetCommand)
      .resolvesOnce({ Item: item(proposalRecord()) })
      .resolves({ Item: item(rejectedRecord) });
    documentMock
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'TransactionConflict' }, { Code: 'None' }]));
    expect((await store().transition('p-1', move('pending', 'rejected'))).kind).toBe('conflict');

    documentMock.on(GetCommand).resolves({ Item: item(proposalRecord()) });
    await expect(store().transition('p-1', move('pending', 'rejected'))).rejects.toThrow(
      /cancelled, worth retrying later \(TransactionConflict, None\)/,
    );
  });
});

describe('DynamoDbIncidentStore.transition: a retry that meets its own write (its first answer lost)', () => {
  type Input = { ExpressionAttributeValues?: Record<string, unknown> };
  type TransactInput = { TransactItems?: { Update?: Input }[] };
  const rejectedRecord = proposalRecord({
    status: 'rejected',
    history: [{ ...approvedEvent, status: 'rejected' }] as IncidentRecord['history'],
  });
  const tokenOfTransaction = (input: TransactInput) =>
    sentValue(input.TransactItems?.[0]?.Update ?? {}, ':transitionId');

  it('sends a new token with every move; the condition stays on the status alone', async () => {
    documentMock.on(UpdateCommand).resolves({ Attributes: item(approvedRecord) });
    await store().transition('p-1', move('pending', 'approved'));
    await store().transition('p-1', move('pending', 'approved'));
    const inputs = documentMock.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    const tokens = inputs.map((input) => sentValue(input, ':transitionId'));
    expect(tokens[0]).not.toBe(tokens[1]);
    // The condition is on the status only: a retry of a move that landed fails it and reads the token.
    expect(inputs[0]?.ConditionExpression).not.toContain(':transitionId');
  });

  it('a non-final move whose failed condition carries its own token moved', async () => {
    documentMock.on(UpdateCommand).callsFake((input: Input) => {
      throw conditionFailedOn(
        itemWith(approvedRecord, { lastTransitionId: sentValue(input, ':transitionId') }),
      );
    });
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({
      kind: 'moved',
      record: approvedRecord,
    });
    expect(documentMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(documentMock).toHaveReceivedCommandTimes(GetCommand, 0);
  });

  it('recognises its own token on a fresh read when no old image came back', async () => {
    let token = '';
    documentMock.on(UpdateCommand).callsFake((input: Input) => {
      token = sentValue(input, ':transitionId');
      throw conditionFailed();
    });
    documentMock.on(GetCommand).callsFake(() => ({
      Item: itemWith(approvedRecord, { lastTransitionId: token }),
    }));
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({
      kind: 'moved',
      record: approvedRecord,
    });
  });

  it('a non-final move whose failed condition carries another move’s token is a conflict', async () => {
    documentMock
      .on(UpdateCommand)
      .rejects(conditionFailedOn(itemWith(approvedRecord, { lastTransitionId: 'another-move' })));
    expect(await store().transition('p-1', move('pending', 'approved'))).toEqual({
      kind: 'conflict',
      record: approvedRecord,
    });
  });

  it('a final move whose cancelled transaction carries its own token on the record moved', async () => {
    documentMock.on(GetCommand).resolvesOnce({ Item: item(proposalRecord()) });
    documentMock.on(TransactWriteCommand).callsFake((input: TransactInput) => {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled [ConditionalCheckFailed, None]',
        $metadata: {},
        CancellationReasons: [
          {
            Code: 'ConditionalCheckFailed',
            Item: marshall(itemWith(rejectedRecord, { lastTransitionId: tokenOfTransaction(input) })),
          },
          { Code: 'None' },
        ],
      });
    });
    expect(await store().transition('p-1', move('pending', 'rejected'))).toEqual({
      kind: 'moved',
      record: rejectedRecord,
    });
    expect(documentMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it('a final move whose cancelled transaction carries another move’s token is a conflict', async () => {
    documentMock.on(GetCommand).resolvesOnce({ Item: item(proposalRecord()) });
    documentMock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled [ConditionalCheckFailed, None]',
        $metadata: {},
        CancellationReasons: [
          {
            Code: 'ConditionalCheckFailed',
            Item: marshall(itemWith(rejectedRecord, { lastTransitionId: 'another-move' })),
          },
          { Code: 'None' },
        ],
      }),
    );
    expect(await store().transition('p-1', move('pending', 'rejected'))).toEqual({
      kind: 'conflict',
      record: rejectedRecord,
    });
  });

  it('after a transaction conflict, a read that finds its own token moved', async () => {
    let token = '';
    documentMock.on(TransactWriteCommand).callsFake((input: TransactInput) => {
      token = tokenOfTransaction(input);
      throw cancelled([{ Code: 'TransactionConflict' }, { Code: 'None' }]);
    });
    documentMock
      .on(GetCommand)
      .resolvesOnce({ Item: item(proposalRecord()) })
      .callsFake(() => ({ Item: itemWith(rejectedRecord, { lastTransitionId: token }) }));
    expect(await store().transition('p-1', move('pending', 'rejected'))).toEqual({
      kind: 'moved',
      record: rejectedRecord,
    });
  });
});

describe('DynamoDbIncidentStore: apply lease and listing', () => {
  it('claims the apply lease of an approved or applied proposal with one conditional update that counts the attempt', async () => {
    documentMock.on(UpdateCommand).resolves({ Attributes: { applyAttempts: 3 } });
    expect(await store().claimApply('p-1', hours(1), hours(1.1))).toEqual({ kind: 'claimed', attempt: 3 });
    const input = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toEqual({
      TableName: TABLE,
      Key: PROPOSAL_KEY,
      UpdateExpression:
        'SET applyLeaseUntil = :leaseUntil, applyLeaseId = :token, applyAttempts = if_not_exists(applyAttempts, :zero) + :one',
      ConditionExpression:
        'attribute_exists(pk) AND #status IN (:approved, :applied) AND (attribute_not_exists(applyLeaseUntil) OR applyLeaseUntil < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':approved': 'approved',
        ':applied': 'applied',
        ':now': hours(1).toISOString(),
        ':leaseUntil': hours(1.1).toISOString(),
        ':token': expect.any(String),
        ':zero': 0,
        ':one': 1,
      },
      ReturnValues: 'UPDATED_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    documentMock.on(UpdateCommand).rejects(conditionFailed());
    expect(await store().claimApply('p-1', hours(1), hours(1.1))).toEqual({ kind: 'not-claimed' });
  });

  it('sends a new token with every claim: a second claim never passes for the retry of the first', async () => {
    documentMock.on(UpdateCommand).resolves({ Attributes: { applyAttempts: 1 } });
    await store().claimApply('p-1', hours(1), hours(1.1));
    await store().claimApply('p-1', hours(1), hours(1.1));
    const tokens = documentMock
      .commandCalls(UpdateCommand)
      .map((call) => sentValue(call.args[0].input, ':token'));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('takes a failed condition whose old image carries its own token for its own claim (a retry after a lost answer)', async () => {
    const leased = proposalRecord({
      status: 'approved',
      applyAttempts: 2,
      applyLeaseUntil: hours(1.1).toISOString(),
    });
    documentMock
      .on(UpdateCommand)
      .callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
        throw conditionFailedOn(itemWith(leased, { applyLeaseId: sentValue(input, ':token') }));
      });
    expect(await store().claimApply('p-1', hours(1), hours(1.1))).toEqual({ kind: 'claimed', attempt: 2 });
  });

  it('is not claimed when the old image carries another invocation’s token', async () => {
    const leased = proposalRecord({
      status: 'approved',
      applyAttempts: 2,
      applyLeaseUntil: hours(1.1).toISOString(),
    });
    documentMock
      .on(UpdateCommand)
      .rejects(conditionFailedOn(itemWith(leased, { applyLeaseId: 'another-invocation' })));
    expect(await store().claimApply('p-1', hours(1), hours(1.1))).toEqual({ kind: 'not-claimed' });
    documentMock
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store().claimApply('p-1', hours(1), hours(1.1))).rejects.toThrow(TransientAwsError);
  });

  it('gives back only its own apply lease, by a condition on the lease end it took', async () => {
    documentMock.on(UpdateCommand).resolves({});
    await store().releaseApply('p-1', hours(1.1));
    expect(documentMock.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: PROPOSAL_KEY,
      UpdateExpression: 'REMOVE applyLeaseUntil, applyLeaseId',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ConditionExpression: 'applyLeaseUntil = :leaseUntil',
      ExpressionAttributeValues: { ':leaseUntil': hours(1.1).toISOString() },
    });
    // Another invocation's lease by now (or no record): nothing to give back, no error.
    documentMock.on(UpdateCommand).rejects(conditionFailed());
    await expect(store().releaseApply('p-1', hours(1.1))).resolves.toBeUndefined();
    documentMock
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store().releaseApply('p-1', hours(1.1))).rejects.toThrow(TransientAwsError);
  });

  it('notes the outcome message and event once each: if_not_exists keeps the first time', async () => {
    documentMock.on(UpdateCommand).resolves({});
    await store().markResultPublished('p-1', { messageAt: hours(1), eventAt: hours(1.5) });
    expect(documentMock.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: PROPOSAL_KEY,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      UpdateExpression:
        'SET resultMessageAt = if_not_exists(resultMessageAt, :messageAt), resultEventAt = if_not_exists(resultEventAt, :eventAt)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':messageAt': hours(1).toISOString(),
        ':eventAt': hours(1.5).toISOString(),
      },
    });
    await store().markResultPublished('p-1', { eventAt: hours(2) });
    expect(documentMock.commandCalls(UpdateCommand)[1]?.args[0].input).toMatchObject({
      UpdateExpression: 'SET resultEventAt = if_not_exists(resultEventAt, :eventAt)',
      ExpressionAttributeValues: { ':eventAt': hours(2).toISOString() },
    });
    // Nothing went out: nothing to write.
    await store().markResultPublished('p-1', {});
    expect(documentMock).toHaveReceivedCommandTimes(UpdateCommand, 2);
  });

  it('does not create a record it notes on, and maps throttling to a retry', async () => {
    documentMock.on(UpdateCommand).rejects(conditionFailed());
    await expect(store().markResultPublished('p-1', { messageAt: hours(1) })).resolves.toBeUndefined();
    documentMock
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store().markResultPublished('p-1', { messageAt: hours(1) })).rejects.toThrow(
      TransientAwsError,
    );
  });

  it('lists newest first from the byStatus index, following pages up to the limit', async () => {
    const records = [3, 2, 1].map((index) =>
      proposalRecord({ id: `p-${index}`, createdAt: hours(index).toISOString() }),
    );
    documentMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(records[0] as IncidentRecord)], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: records.slice(1).map(item) });
    expect((await store().listByStatus('pending', 3)).map((record) => record.id)).toEqual([
      'p-3',
      'p-2',
      'p-1',
    ]);
    const calls = documentMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(calls[0]).toEqual({
      TableName: TABLE,
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'pending' },
      ScanIndexForward: false,
      Limit: 3,
      ExclusiveStartKey: undefined,
    });
    expect(calls[1]).toMatchObject({ Limit: 2, ExclusiveStartKey: { pk: 'x' } });
  });
});

describe('DynamoDbIncidentStore: history and outcome on the item', () => {
  it('round-trips them, and reads items written before the approval workflow', () => {
    const record = proposalRecord({ status: 'verified', history: approvedRecord.history, outcome: OUTCOME });
    expect(fromProposalItem(item(record))).toEqual(record);
    const legacy = item(proposalRecord());
    delete legacy['history'];
    expect(fromProposalItem(legacy)).toMatchObject({ history: [], outcome: null });
  });

  it('round-trips the apply lease, the attempts and when the outcome went out; older items have none', () => {
    const record = proposalRecord({
      status: 'verified',
      outcome: OUTCOME,
      applyLeaseUntil: hours(1.1).toISOString(),
      applyAttempts: 2,
      resultMessageAt: hours(1.2).toISOString(),
      resultEventAt: hours(1.3).toISOString(),
    });
    expect(item(record)).toMatchObject({
      applyLeaseUntil: hours(1.1).toISOString(),
      applyAttempts: 2,
      resultMessageAt: hours(1.2).toISOString(),
      resultEventAt: hours(1.3).toISOString(),
    });
    expect(fromProposalItem(item(record))).toEqual(record);
    const older = item(record);
    for (const name of ['applyLeaseUntil', 'applyAttempts', 'resultMessageAt', 'resultEventAt']) {
      Reflect.deleteProperty(older, name);
    }
    expect(fromProposalItem(older)).toMatchObject({
      applyLeaseUntil: null,
      applyAttempts: 0,
      resultMessageAt: null,
      resultEventAt: null,
    });
  });

  it('reads old images on the wire and plain ones alike', () => {
    const plain = item(approvedRecord);
    expect(oldImageOf(marshall(plain))).toEqual(plain);
    expect(oldImageOf(plain)).toEqual(plain);
    expect(oldImageOf(undefined)).toBeNull();
    expect(oldImageOf({})).toBeNull();
  });
});

describe('DynamoDbIncidentStore: signed decisions and the first of two approvals', () => {
  type Input = { ExpressionAttributeValues?: Record<string, unknown>; ConditionExpression?: string };

  it('writes the decision and both approvals in the conditional move, on the approvals it read', async () => {
    documentMock.on(UpdateCommand).resolves({ Attributes: item(approvedRecord) });
    await store().transition(
      'p-1',
      move('pending', 'approved', hours(1), {
        decision: SIGNED,
        approvals: [FIRST, SECOND],
        priorApprovals: 1,
      }),
    );
    const input = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toContain('#decision = :decision, #approvals = :approvals');
    expect(input?.ConditionExpression).toBe(
      'attribute_exists(pk) AND #status = :from AND expiresAt > :now AND size(#approvals) = :priorApprovals',
    );
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':decision': SIGNED,
      ':approvals': [FIRST, SECOND],
      ':priorApprovals': 1,
    });
  });

  it('appends one approval on status, expiry and the approvals read, with a token for its retry', async () => {
    const recorded = proposalRecord({ approvals: [FIRST] });
    documentMock.on(UpdateCommand).resolves({ Attributes: item(recorded) });
    expect(await store().addApproval('p-1', { approver: FIRST, at: hours(1), priorApprovals: 0 })).toEqual({
      kind: 'recorded',
      record: recorded,
    });
    const input = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      'attribute_exists(pk) AND #status = :pending AND expiresAt > :now AND (attribute_not_exists(#approvals) OR size(#approvals) = :priorApprovals)',
    );
    expect(input?.UpdateExpression).toBe(
      'SET #approvals = list_append(if_not_exists(#approvals, :none), :approval), lastApprovalId = :token',
    );
  });

  it('takes a failed condition carrying its own token for its own append (a retry after a lost answer)', async () => {
    const recorded = proposalRecord({ approvals: [FIRST] });
    documentMock.on(UpdateCommand).callsFake((input: Input) => {
      throw conditionFailedOn(itemWith(recorded, { lastApprovalId: sentValue(input, ':token') }));
    });
    expect(await store().addApproval('p-1', { approver: FIRST, at: hours(1), priorApprovals: 0 })).toEqual({
      kind: 'recorded',
      record: recorded,
    });
    documentMock.reset();
    documentMock
      .on(UpdateCommand)
      .rejects(conditionFailedOn(itemWith(recorded, { lastApprovalId: 'other' })));
    expect(
      (await store().addApproval('p-1', { approver: SECOND, at: hours(1), priorApprovals: 0 })).kind,
    ).toBe('conflict');
  });

  it('reads items without a decision or approvals as before, and drops a malformed one', () => {
    const old = fromProposalItem(item(proposalRecord()));
    expect(old.decision).toBeUndefined();
    expect(old.approvals).toBeUndefined();
    const odd = fromProposalItem({
      ...item(proposalRecord()),
      decision: { envelope: 5 },
      approvals: [FIRST, { kind: 'root', name: 'x', identity: 'x' }, null],
    });
    expect(odd.decision).toBeNull();
    expect(odd.approvals).toEqual([FIRST]);
    expect(fromProposalItem(item(proposalRecord({ decision: SIGNED })))).toMatchObject({ decision: SIGNED });
  });
});
