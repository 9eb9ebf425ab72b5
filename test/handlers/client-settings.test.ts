import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { APPLY_TIMEOUT } from '../../lib/constructs/apply-function';
import { APPROVAL_TIMEOUT } from '../../lib/constructs/approval-function';
import { FUNCTION_TIMEOUT } from '../../lib/constructs/diagnose-function';
import {
  CONNECTION_TIMEOUT_MS,
  IAM_REQUEST_HANDLER,
  REQUEST_HANDLER,
  requestHandlerSettings,
} from '../../lambda/handlers/client-settings';

/** A loopback server that accepts connections and never answers: a hung AWS endpoint. */
async function silentServer(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const testClientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  // One attempt: the SDK would retry a timeout, which only repeats what is under test.
  maxAttempts: 1,
};

describe('client settings', () => {
  let server: Awaited<ReturnType<typeof silentServer>>;

  beforeAll(async () => {
    server = await silentServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('makes a DynamoDB call to an endpoint that never answers fail with a TimeoutError', async () => {
    const client = new DynamoDBClient({
      ...testClientConfig,
      endpoint: server.endpoint,
      requestHandler: requestHandlerSettings(200),
    });
    try {
      await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({
        name: 'TimeoutError',
        message: expect.stringContaining('200 ms requestTimeout') as unknown,
      });
    } finally {
      client.destroy();
    }
  });

  it('makes an IAM call to an endpoint that never answers fail with a TimeoutError', async () => {
    const client = new IAMClient({
      ...testClientConfig,
      endpoint: server.endpoint,
      requestHandler: requestHandlerSettings(200),
    });
    try {
      await expect(client.send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.destroy();
    }
  });

  it('throws on a request timeout instead of only warning, with a connection timeout, for every client', () => {
    for (const settings of [REQUEST_HANDLER, IAM_REQUEST_HANDLER]) {
      expect(settings).toMatchObject({
        throwOnRequestTimeout: true,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
      });
      // A lost connection fails fast, before the whole request's time is up.
      expect(settings.connectionTimeout).toBeLessThan(settings.requestTimeout);
    }
  });

  it('gives IAM longer than the other services: its account pages are built before it answers', () => {
    expect(IAM_REQUEST_HANDLER.requestTimeout).toBeGreaterThan(REQUEST_HANDLER.requestTimeout);
  });

  it('leaves each function time to retry a call that hung', () => {
    // Both timers start with the attempt, so the request timeout bounds a hung attempt, connecting included.
    const hungThenRetried = (settings: typeof REQUEST_HANDLER): number => 2 * settings.requestTimeout;
    expect(hungThenRetried(REQUEST_HANDLER)).toBeLessThan(APPROVAL_TIMEOUT.toMilliseconds());
    expect(hungThenRetried(IAM_REQUEST_HANDLER)).toBeLessThan(FUNCTION_TIMEOUT.toMilliseconds());
    expect(hungThenRetried(IAM_REQUEST_HANDLER)).toBeLessThan(APPLY_TIMEOUT.toMilliseconds());
  });
});
