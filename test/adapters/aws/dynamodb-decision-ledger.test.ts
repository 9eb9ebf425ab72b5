import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbDecisionLedger } from '../../../lambda/adapters/aws/dynamodb-decision-ledger';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';

const documentMock = mockClient(DynamoDBDocumentClient);
const ledger = () =>
  new DynamoDbDecisionLedger(
    new DynamoDBClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    'proposals',
  );
const AT = new Date('2026-06-17T03:00:05.000Z');
const KEEP = new Date('2027-07-22T03:00:00.000Z');

function named(name: string): Error {
  return Object.assign(new Error(`${name} happened`), { name });
}

beforeEach(() => documentMock.reset());

describe('DynamoDbDecisionLedger', () => {
  it('records with one conditional UpdateItem: absent, or already this proposal’s', async () => {
    documentMock.on(UpdateCommand).resolves({ Attributes: { proposalId: 'p-1' } });
    await expect(ledger().record('d-1', 'p-1', AT, KEEP)).resolves.toEqual({ kind: 'recorded' });
    const input = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'proposals',
      Key: { pk: 'DECISION#d-1', sk: 'DECISION' },
      ConditionExpression: 'attribute_not_exists(pk) OR proposalId = :proposalId',
    });
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':ttl': Math.floor(KEEP.getTime() / 1000) });
  });

  it('reads who holds the id when the condition fails', async () => {
    documentMock.on(UpdateCommand).rejects(named('ConditionalCheckFailedException'));
    documentMock.on(GetCommand).resolves({ Item: { proposalId: 'p-first' } });
    await expect(ledger().record('d-1', 'p-2', AT, KEEP)).resolves.toEqual({
      kind: 'taken',
      proposalId: 'p-first',
    });
    expect(documentMock.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  it('fails transiently when throttled, for good otherwise', async () => {
    documentMock.on(UpdateCommand).rejects(named('ThrottlingException'));
    await expect(ledger().record('d-1', 'p-1', AT, KEEP)).rejects.toBeInstanceOf(TransientAwsError);
    await expect(ledger().markWritten('d-1', 'p-1', AT)).rejects.toBeInstanceOf(TransientAwsError);
    documentMock.on(UpdateCommand).rejects(named('AccessDeniedException'));
    await expect(ledger().record('d-1', 'p-1', AT, KEEP)).rejects.toBeInstanceOf(AwsCallError);
    await expect(ledger().record('d-1', 'p-1', AT, KEEP)).rejects.not.toBeInstanceOf(TransientAwsError);
  });
});
