import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DynamoDbIncidentStore,
  fromProposalItem,
  toProposalItem,
} from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import { proposalRecord } from '../support/proposal-records';

const CLAIMED = { kind: 'claimed' };
const NOT_CLAIMED = { kind: 'not-claimed' };

const TABLE = 'passrole-doctor-proposals';
const T0 = new Date('2026-06-17T02:05:00Z');
const PROPOSAL_KEY = { pk: 'PROPOSAL#p-1', sk: 'PROPOSAL' };
const INCIDENT_KEY = { pk: 'INCIDENT#504cb7416fee7f7774d607601f1b61f3', sk: 'INCIDENT' };
const OPEN = { ':open0': 'pending', ':open1': 'reported', ':open2': 'approved', ':open3': 'applied' };

const documentMock = mockClient(DynamoDBDocumentClient);
const client = () =>
  new DynamoDBClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const store = () => new DynamoDbIncidentStore(client(), TABLE);

beforeEach(() => documentMock.reset());

function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

function cancelled(codes: string[], incidentItem?: unknown): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code, index) =>
      index === 1 && incidentItem !== undefined ? { Code, Item: incidentItem as never } : { Code },
    ),
  });
}

describe('DynamoDbIncidentStore: items', () => {
  it('writes a proposal item the byStatus index sees, with the TTL and without absent fields', () => {
    const item = toProposalItem(proposalRecord());
    expect(item).toMatchObject({
      ...PROPOSAL_KEY,
      entityType: 'proposal',
      status: 'pending',
      createdAt: '2026-06-17T02:05:00.000Z',
      ttl: Date.UTC(2026, 5, 20, 2, 5) / 1000,
      occurrenceCount: 1,
      notificationCount: 0,
    });
    expect(item['notifiedAt']).toBeUndefined();
    expect(item['diagnosis']).not.toHaveProperty('denial');
  });

  it('reads back the record it wrote', () => {
    const record = proposalRecord({ notifiedAt: '2026-06-17T02:05:01.000Z', notificationCount: 1 });
    const stored = JSON.parse(JSON.stringify(toProposalItem(record))) as Record<string, unknown>;
    expect(fromProposalItem(stored)).toEqual(record);
    const report = proposalRecord({ status: 'reported', proposal: null });
    expect(fromProposalItem(JSON.parse(JSON.stringify(toProposalItem(report))))).toEqual(report);
  });

  it('refuses an item that is not a proposal it wrote', () => {
    expect(() => fromProposalItem({ pk: 'PROPOSAL#x', sk: 'PROPOSAL' })).toThrow(AwsCallError);
  });
});

describe('DynamoDbIncidentStore.create', () => {
  it('writes the proposal and its incident pointer in one conditional transaction', async () => {
    documentMock.on(TransactWriteCommand).resolves({});
    const record = proposalRecord();
    expect(await store().create(record, T0)).toEqual({ kind: 'created', record });

    expect(documentMock).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const input = documentMock.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(input?.TransactItems).toEqual([
      {
        Put: {
          TableName: TABLE,
          Item: toProposalItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: TABLE,
          Item: {
            ...INCIDENT_KEY,
            entityType: 'incident',
            incidentKey: record.incidentKey,
            proposalId: 'p-1',
            openUntil: '2026-06-20T02:05:00.000Z',
            openedAt: '2026-06-17T02:05:00.000Z',
            ttl: Date.UTC(2026, 5, 20, 2, 5) / 1000,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR attribute_not_exists(openUntil) OR openUntil <= :now',
          ExpressionAttributeValues: { ':now': '2026-06-17T02:05:00.000Z' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ]);
    // The incident pointer has neither status nor createdAt: it stays out of the byStatus index.
    const incident = input?.TransactItems?.[1]?.Put?.Item ?? {};
    expect(incident).not.toHaveProperty('status');
    expect(incident).not.toHaveProperty('createdAt');
  });

  it('reports the winner when the incident is already open', async () => {
    documentMock
      .on(TransactWriteCommand)
      .rejects(
        cancelled(['None', 'ConditionalCheckFailed'], { proposalId: { S: 'p-0' }, openUntil: { S: 'x' } }),
      );
    expect(await store().create(proposalRecord(), T0)).toEqual({ kind: 'incident-open', proposalId: 'p-0' });
  });

  it('retries a transaction that met another, and fails for good on an id collision', async () => {
    documentMock.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None']));
    await expect(store().create(proposalRecord(), T0)).rejects.toThrow(TransientAwsError);
    documentMock.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));
    await expect(store().create(proposalRecord(), T0)).rejects.toThrow(AwsCallError);
    documentMock
      .on(TransactWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store().create(proposalRecord(), T0)).rejects.toThrow(TransientAwsError);
  });
});

describe('DynamoDbIncidentStore: reads and updates', () => {
  const mock = documentMock;

  it('finds an open incident with a consistent read, and not a closed one', async () => {
    mock
      .on(GetCommand)
      .resolves({ Item: { ...INCIDENT_KEY, proposalId: 'p-1', openUntil: '2026-06-20T02:05:00.000Z' } });
    expect(await store().findOpenIncident('504cb7416fee7f7774d607601f1b61f3', T0)).toEqual({
      incidentKey: '504cb7416fee7f7774d607601f1b61f3',
      proposalId: 'p-1',
      openUntil: '2026-06-20T02:05:00.000Z',
    });
    expect(mock).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: INCIDENT_KEY,
      ConsistentRead: true,
    });
    expect(
      await store().findOpenIncident('504cb7416fee7f7774d607601f1b61f3', new Date('2026-06-21T00:00:00Z')),
    ).toBeNull();
    mock.on(GetCommand).resolves({});
    expect(await store().findOpenIncident('504cb7416fee7f7774d607601f1b61f3', T0)).toBeNull();
  });

  it('claims the diagnosis of an incident that is not open and not being diagnosed, on the incident item', async () => {
    mock.on(UpdateCommand).resolves({});
    const lease = new Date('2026-06-17T02:06:00Z');
    expect(await store().claimDiagnosis('504cb7416fee7f7774d607601f1b61f3', T0, lease)).toEqual(CLAIMED);
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: INCIDENT_KEY,
      UpdateExpression:
        'SET diagnosingUntil = :leaseUntil, diagnosingId = :token, entityType = :incident, incidentKey = :key, #ttl = :ttl',
      ConditionExpression:
        '(attribute_not_exists(openUntil) OR openUntil <= :now) AND (attribute_not_exists(diagnosingUntil) OR diagnosingUntil < :now)',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':leaseUntil': '2026-06-17T02:06:00.000Z',
        ':token': expect.any(String),
        ':incident': 'incident',
        ':key': '504cb7416fee7f7774d607601f1b61f3',
        ':ttl': Date.UTC(2026, 5, 18, 2, 6) / 1000,
        ':now': '2026-06-17T02:05:00.000Z',
      },
    });
    mock.on(UpdateCommand).rejects(conditionFailed());
    expect(await store().claimDiagnosis('504cb7416fee7f7774d607601f1b61f3', T0, lease)).toEqual(NOT_CLAIMED);
    await store().releaseDiagnosis('504cb7416fee7f7774d607601f1b61f3');
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      Key: INCIDENT_KEY,
      UpdateExpression: 'REMOVE diagnosingUntil, diagnosingId',
      ConditionExpression: 'attribute_exists(pk)',
    });
  });

  it('counts an occurrence with one conditional update that returns the record', async () => {
    const updated = proposalRecord({
      occurrenceCount: 2,
      lastEventId: 'evt-2',
      lastSeenAt: '2026-06-17T03:00:00.000Z',
    });
    mock.on(UpdateCommand).resolves({ Attributes: toProposalItem(updated) });
    const outcome = await store().recordOccurrence('p-1', {
      eventId: 'evt-2',
      seenAt: new Date('2026-06-17T03:00:00Z'),
    });
    expect(outcome).toEqual({ kind: 'recorded', record: updated });
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: PROPOSAL_KEY,
      UpdateExpression: 'SET lastSeenAt = :seenAt, lastEventId = :eventId ADD occurrenceCount :one',
      ConditionExpression:
        'attribute_exists(pk) AND #status IN (:open0, :open1, :open2, :open3) AND expiresAt > :seenAt AND firstEventId <> :eventId AND lastEventId <> :eventId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...OPEN,
        ':seenAt': '2026-06-17T03:00:00.000Z',
        ':eventId': 'evt-2',
        ':one': 1,
      },
      ReturnValues: 'ALL_NEW',
    });
    expect(mock).toHaveReceivedCommandTimes(GetCommand, 0);
  });

  it('tells a redelivered event from a closed record when the condition fails', async () => {
    mock.on(UpdateCommand).rejects(conditionFailed());
    mock.on(GetCommand).resolves({ Item: toProposalItem(proposalRecord()) });
    expect((await store().recordOccurrence('p-1', { eventId: 'evt-1', seenAt: T0 })).kind).toBe(
      'already-counted',
    );
    mock
      .on(GetCommand)
      .resolves({ Item: toProposalItem(proposalRecord({ expiresAt: '2026-06-17T02:00:00.000Z' })) });
    expect((await store().recordOccurrence('p-1', { eventId: 'evt-9', seenAt: T0 })).kind).toBe('closed');
    mock.on(GetCommand).resolves({});
    expect((await store().recordOccurrence('p-1', { eventId: 'evt-9', seenAt: T0 })).kind).toBe('closed');
  });

  it('claims the first message only when never sent and no lease is live', async () => {
    mock.on(UpdateCommand).resolves({});
    const lease = new Date('2026-06-17T02:06:00Z');
    expect(await store().claimNotification('p-1', { kind: 'first' }, T0, lease)).toEqual(CLAIMED);
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      Key: PROPOSAL_KEY,
      UpdateExpression: 'SET notificationLeaseUntil = :leaseUntil, notificationLeaseId = :token',
      ConditionExpression:
        'attribute_exists(pk) AND #status IN (:open0, :open1, :open2, :open3) AND attribute_not_exists(notifiedAt) AND (attribute_not_exists(notificationLeaseUntil) OR notificationLeaseUntil < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...OPEN,
        ':now': '2026-06-17T02:05:00.000Z',
        ':leaseUntil': '2026-06-17T02:06:00.000Z',
        ':token': expect.any(String),
      },
    });
    mock.on(UpdateCommand).rejects(conditionFailed());
    expect(await store().claimNotification('p-1', { kind: 'first' }, T0, lease)).toEqual(NOT_CLAIMED);
  });

  it('claims a reminder of a pending proposal whose last message is older than asked', async () => {
    mock.on(UpdateCommand).resolves({});
    const notifiedBefore = new Date('2026-06-17T02:05:00Z');
    await store().claimNotification(
      'p-1',
      { kind: 'reminder', notifiedBefore },
      new Date('2026-06-18T03:00:00Z'),
      new Date('2026-06-18T03:01:00Z'),
    );
    const input = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      'attribute_exists(pk) AND #status IN (:open0, :open1, :open2, :open3) AND #status = :pending AND notifiedAt < :notifiedBefore AND (attribute_not_exists(notificationLeaseUntil) OR notificationLeaseUntil < :now)',
    );
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':pending': 'pending',
      ':notifiedBefore': '2026-06-17T02:05:00.000Z',
    });
  });

  it('marks a message sent, releasing the lease, and maps throttling to a retry', async () => {
    mock.on(UpdateCommand).resolves({});
    await store().markNotified('p-1', T0);
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      Key: PROPOSAL_KEY,
      UpdateExpression:
        'SET notifiedAt = :at, notifiedId = :token REMOVE notificationLeaseUntil, notificationLeaseId ADD notificationCount :one',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(notifiedId) OR notifiedId <> :token)',
      ExpressionAttributeValues: {
        ':at': '2026-06-17T02:05:00.000Z',
        ':one': 1,
        ':token': expect.any(String),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    await store().releaseNotification('p-1');
    expect(mock).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'REMOVE notificationLeaseUntil, notificationLeaseId',
    });

    mock
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store().markNotified('p-1', T0)).rejects.toThrow(TransientAwsError);
  });
});

describe('DynamoDbIncidentStore: notification writes retried after a lost answer', () => {
  const mock = documentMock;
  type Input = { ExpressionAttributeValues?: Record<string, unknown> };
  const lease = new Date('2026-06-17T02:06:00Z');
  const sent = (input: Input) => {
    const token = input.ExpressionAttributeValues?.[':token'];
    if (typeof token !== 'string') throw new Error('the command sent no :token');
    return token;
  };
  const notifiedItem = (notifiedId: string) => ({
    ...toProposalItem(proposalRecord({ notifiedAt: '2026-06-17T02:05:00.000Z', notificationCount: 1 })),
    notifiedId,
  });
  const conditionFailedOn = (image: Record<string, unknown>) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: marshall(JSON.parse(JSON.stringify(image)) as Record<string, unknown>),
    });

  it('a notification claim stores the token it is conditioned on, a new one for every claim', async () => {
    mock.on(UpdateCommand).resolves({});
    await store().claimNotification('p-1', { kind: 'first' }, T0, lease);
    await store().claimNotification('p-1', { kind: 'first' }, T0, lease);
    const inputs = mock.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    // The SDK's retry of this very claim re-sends the same token and fails the condition on its own
    // lease: the old image's token tells it is ours. Another claim carries another token.
    for (const input of inputs) {
      expect(input.UpdateExpression).toContain('notificationLeaseId = :token');
      expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    }
    const [first, second] = inputs.map(sent);
    expect(first).not.toBe(second);
  });

  it('a notification or diagnosis claim whose failed condition carries its own token is ours', async () => {
    mock.on(UpdateCommand).callsFake((input: Input) => {
      throw conditionFailedOn({
        ...notifiedItem('x'),
        notificationLeaseId: sent(input),
        diagnosingId: sent(input),
      });
    });
    expect(await store().claimNotification('p-1', { kind: 'first' }, T0, lease)).toEqual({ kind: 'claimed' });
    expect(await store().claimDiagnosis('504cb7416fee7f7774d607601f1b61f3', T0, lease)).toEqual({
      kind: 'claimed',
    });
  });

  it('a notification claim that fails its condition is not ours: another holder has the lease', async () => {
    mock.on(UpdateCommand).rejects(conditionFailedOn({ ...notifiedItem('x'), notificationLeaseId: 'other' }));
    expect(await store().claimNotification('p-1', { kind: 'first' }, T0, lease)).toEqual(NOT_CLAIMED);
  });

  it('a mark whose failed condition carries its own token landed already: no error, counted once', async () => {
    mock.on(UpdateCommand).callsFake((input: Input) => {
      throw conditionFailedOn(notifiedItem(sent(input)));
    });
    await expect(store().markNotified('p-1', T0)).resolves.toBeUndefined();
    // No second write to count it again.
    expect(mock).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it('a mark whose failed condition carries another token, or no image, is an error', async () => {
    mock.on(UpdateCommand).rejects(conditionFailedOn(notifiedItem('another-mark')));
    await expect(store().markNotified('p-1', T0)).rejects.toThrow(AwsCallError);
    mock.on(UpdateCommand).rejects(conditionFailed());
    await expect(store().markNotified('p-1', T0)).rejects.toThrow(AwsCallError);
  });

  it('sends a new mark token with every call: a second message is counted', async () => {
    mock.on(UpdateCommand).resolves({});
    await store().markNotified('p-1', T0);
    await store().markNotified('p-1', T0);
    const [first, second] = mock.commandCalls(UpdateCommand).map((call) => sent(call.args[0].input));
    expect(first).toEqual(expect.any(String));
    expect(first).not.toBe(second);
  });
});
