/**
 * DynamoDbDecisionLedger against moto's DynamoDB, in the proposals table as the CDK construct makes
 * it: the conditions the ledger relies on are evaluated by the emulator. The race goes through one
 * serialized connection (see support/serialized-dynamodb.ts): DynamoDB serializes conditional writes
 * to one item, and the ledger's side of the race is what is under test.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { decisionKey, DynamoDbDecisionLedger } from '../../lambda/adapters/aws/dynamodb-decision-ledger';
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import { decisionLedgerContract } from '../adapters/support/decision-ledger-contract';
import { motoEndpoint } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createProposalsTable } from './support/proposal-tables';
import { createSerializedDynamoDbClient, type SerializedDynamoDb } from './support/serialized-dynamodb';

const TABLE = 'passrole-doctor-proposals';
let serialized: SerializedDynamoDb;

beforeAll(async () => {
  await resetMoto(motoEndpoint());
  serialized = createSerializedDynamoDbClient();
  await createProposalsTable(serialized.client, TABLE);
});

afterAll(() => serialized.destroy());

decisionLedgerContract(
  'DynamoDbDecisionLedger on moto',
  async () => new DynamoDbDecisionLedger(serialized.client, TABLE),
);

describe('DynamoDbDecisionLedger items', () => {
  it('are DECISION#<id> items of the proposals table, outside the byStatus index, with a TTL', async () => {
    const ledger = new DynamoDbDecisionLedger(serialized.client, TABLE);
    const keepUntil = new Date('2027-07-22T03:00:00.000Z');
    await ledger.record('d-item', 'p-1', new Date('2026-06-17T03:00:05.000Z'), keepUntil);
    await ledger.markWritten('d-item', 'p-1', new Date('2026-06-17T03:00:06.000Z'));
    const item = await DynamoDBDocumentClient.from(serialized.client).send(
      new GetCommand({ TableName: TABLE, Key: decisionKey('d-item') }),
    );
    expect(item.Item).toEqual({
      pk: 'DECISION#d-item',
      sk: 'DECISION',
      entityType: 'decision',
      decisionId: 'd-item',
      proposalId: 'p-1',
      recordedAt: '2026-06-17T03:00:05.000Z',
      writtenAt: '2026-06-17T03:00:06.000Z',
      ttl: Math.floor(keepUntil.getTime() / 1000),
    });
    // Not a proposal: the store's listings never see it.
    const store = new DynamoDbIncidentStore(serialized.client, TABLE);
    await expect(store.listByStatus('approved', 10)).resolves.toEqual([]);
    await expect(store.get('d-item')).resolves.toBeNull();
  });
});
