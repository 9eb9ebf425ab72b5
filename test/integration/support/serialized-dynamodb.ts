/**
 * A DynamoDB client for moto whose requests reach the emulator one at a time.
 *
 * moto_server handles requests on threads without locking its backends, and its conditional writes
 * are check-then-write: UpdateItem/PutItem with a condition and TransactWriteItems (which deep-copies
 * the table and restores the copy when a condition fails) are not atomic under concurrent requests.
 * Racing them there gives HTTP 500s ("dictionary changed size during iteration"), two winners, or a
 * rollback that erases another request's write; measured on moto 5.2.1 over 200 races of two
 * TransactWriteItems: 110 errors, 2 double creations, 5 lost writes. DynamoDB serializes conflicting
 * writes itself. With one connection, calls a test starts together are still concurrent for the code
 * under test (each is issued before the others finish) while moto sees them in sequence, as DynamoDB
 * would order them.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { motoClientConfig } from './aws-clients';

export interface SerializedDynamoDb {
  client: DynamoDBClient;
  /** Closes the client and its one connection. */
  destroy(): void;
}

export function createSerializedDynamoDbClient(): SerializedDynamoDb {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const client = new DynamoDBClient({ ...motoClientConfig(), requestHandler: { httpAgent: agent } });
  return {
    client,
    destroy: () => {
      client.destroy();
      agent.destroy();
    },
  };
}
