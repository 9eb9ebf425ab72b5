/** SDK v3 clients pointed at the run's moto_server, with fake credentials and a fixed region. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';

export { MOTO_ACCOUNT_ID } from './moto';

export const MOTO_REGION = 'us-east-1';

/** The endpoint globalSetup published; fails loudly when the suite runs without it. */
export function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (endpoint === undefined || endpoint === '') {
    throw new Error(
      'MOTO_ENDPOINT is not set: run integration tests with `npm run test:integration` (its globalSetup starts moto)',
    );
  }
  return endpoint;
}

/** Explicit settings so no real credentials, profile or region from the environment are ever used. */
export function motoClientConfig(endpoint: string = motoEndpoint()) {
  return {
    endpoint,
    region: MOTO_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    // Fail fast: the emulator is local, a retry only hides a broken request.
    maxAttempts: 1,
  };
}

export interface MotoClients {
  iam: IAMClient;
  sts: STSClient;
  sns: SNSClient;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  eventBridge: EventBridgeClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

export function createMotoClients(endpoint: string = motoEndpoint()): MotoClients {
  const config = motoClientConfig(endpoint);
  const clients = {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    dynamodb: new DynamoDBClient(config),
    eventBridge: new EventBridgeClient(config),
  };
  return {
    ...clients,
    destroy: () => {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
