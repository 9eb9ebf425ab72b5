/**
 * The DynamoDB proposal store as the incident workflow uses it, against moto_server's DynamoDB: the
 * same contract the in-memory store passes (test/adapters/support/incident-store-contract.ts), with
 * the table laid out as lib/constructs/proposal-tables.ts makes it.
 */
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import type { FullStore } from '../adapters/support/approval-store-contract';
import { incidentStoreContract } from '../adapters/support/incident-store-contract';
import { createProposalsTable } from './support/proposal-tables';
import { createSerializedDynamoDbClient, type SerializedDynamoDb } from './support/serialized-dynamodb';

let dynamodb: SerializedDynamoDb;
let tables = 0;

beforeAll(() => {
  dynamodb = createSerializedDynamoDbClient();
});

afterAll(() => {
  dynamodb.destroy();
});

async function freshStore(): Promise<FullStore> {
  const name = `incidents-${process.pid}-${++tables}`;
  await createProposalsTable(dynamodb.client, name);
  return new DynamoDbIncidentStore(dynamodb.client, name);
}

describe('DynamoDbIncidentStore against moto: the incident store contract', () => {
  incidentStoreContract(freshStore);
});
