/**
 * The fault proxy itself (support/fault-proxy.ts), against moto: it names operations as AWS routes
 * them, injects each fault in the shape the SDK expects of that protocol (so the SDK and the product
 * classify it as they would AWS's own), lets writes land before a lost answer, repeats its faults for
 * a seed, and forwards to loopback only.
 */
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isTransientAwsFailure } from '../../lambda/adapters/aws/aws-errors';
import { motoClientConfig, motoEndpoint } from './support/aws-clients';
import { startFaultProxy, type AppliedFault, type FaultProxy } from './support/fault-proxy';
import { sameRealmErrors } from './support/remediation-loop';
import { resetMoto } from './support/moto';

interface SdkErrorShape {
  name?: string;
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** The error a call fails with (the test fails if it does not). */
async function failureOf(call: Promise<unknown>): Promise<SdkErrorShape> {
  try {
    await call;
  } catch (error) {
    return error as SdkErrorShape;
  }
  throw new Error('the call succeeded');
}

describe('the fault proxy in front of moto', () => {
  let proxy: FaultProxy;
  const clients: { destroy(): void }[] = [];

  /** Clients through the proxy; one attempt unless told otherwise. */
  function through<T extends { destroy(): void }>(
    make: (config: ReturnType<typeof motoClientConfig>) => T,
  ): T {
    const client = make(motoClientConfig(proxy.endpoint));
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    proxy = await startFaultProxy({ upstream: motoEndpoint(), seed: 7, timeoutHoldMs: 2_000 });
  });

  afterEach(() => {
    proxy.setRates({});
    proxy.recover();
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await proxy.close();
  });

  it('forwards to loopback only', async () => {
    await expect(startFaultProxy({ upstream: 'http://198.51.100.7:5000', seed: 1 })).rejects.toThrow(
      /loopback/,
    );
    await expect(startFaultProxy({ upstream: 'https://127.0.0.1:5000', seed: 1 })).rejects.toThrow(
      /loopback/,
    );
  });

  it('names the operation of JSON (X-Amz-Target) and query (Action=) protocols, by service', async () => {
    const before = proxy.log.length;
    await through((config) => new DynamoDBClient(config)).send(new ListTablesCommand({}));
    await through((config) => new SQSClient(config)).send(new ListQueuesCommand({}));
    await through((config) => new EventBridgeClient(config)).send(new ListRulesCommand({}));
    await through((config) => new IAMClient(config)).send(new ListUsersCommand({}));
    await through((config) => new SNSClient(config)).send(new ListTopicsCommand({}));
    expect(proxy.log.slice(before).map((call) => [call.operation, call.forwarded, call.fault])).toEqual([
      ['dynamodb:ListTables', true, null],
      ['sqs:ListQueues', true, null],
      ['events:ListRules', true, null],
      ['iam:ListUsers', true, null],
      ['sns:ListTopics', true, null],
    ]);
  });

  it('throttles in the protocol shape: the SDK sees ThrottlingException (JSON) and Throttling (query), transient', async () => {
    proxy.setRates({ 'dynamodb:ListTables': { throttle: 1 }, 'iam:*': { throttle: 1 } });
    const json = await failureOf(
      through((config) => new DynamoDBClient(config)).send(new ListTablesCommand({})),
    );
    const query = await failureOf(through((config) => new IAMClient(config)).send(new ListUsersCommand({})));
    expect(json).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(query).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(isTransientAwsFailure(json)).toBe(true);
    expect(isTransientAwsFailure(query)).toBe(true);
  });

  it("gets a throttled call retried by the SDK's own strategy, as AWS's throttling is", async () => {
    proxy.setRates({ 'dynamodb:ListTables': { throttle: 1 } });
    const dynamodb = through((config) => new DynamoDBClient({ ...config, maxAttempts: 2 }));
    const error = await failureOf(dynamodb.send(new ListTablesCommand({})));
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 2 } });
  });

  it('answers 500s in the protocol shape: a server fault', async () => {
    proxy.setRates({ '*': { serverError: 1 } });
    const json = await failureOf(
      through((config) => new DynamoDBClient(config)).send(new ListTablesCommand({})),
    );
    const query = await failureOf(through((config) => new IAMClient(config)).send(new ListUsersCommand({})));
    expect(json).toMatchObject({ name: 'InternalServerError', $fault: 'server' });
    expect(query).toMatchObject({ name: 'InternalFailure', $fault: 'server' });
    expect(proxy.log.slice(-2).map((call) => call.forwarded)).toEqual([false, false]);
  });

  it('drops the connection after the write reached moto: the call fails, the topic exists', async () => {
    proxy.setRates({ 'sns:CreateTopic': { drop: 1 } });
    const sns = through((config) => new SNSClient(config));
    sameRealmErrors(sns.middlewareStack);
    const error = await failureOf(sns.send(new CreateTopicCommand({ Name: 'dropped-answer' })));
    expect(isTransientAwsFailure(error)).toBe(true);
    expect(proxy.log.at(-1)).toMatchObject({ operation: 'sns:CreateTopic', forwarded: true, fault: 'drop' });
    proxy.setRates({});
    const topics = await sns.send(new ListTopicsCommand({}));
    expect(topics.Topics?.map((topic) => topic.TopicArn)).toContainEqual(
      expect.stringMatching(/:dropped-answer$/),
    );
  });

  it("holds a timed-out answer past the client's timeout, after the write reached moto", async () => {
    proxy.setRates({ 'dynamodb:CreateTable': { timeout: 1 } });
    const dynamodb = through(
      (config) =>
        new DynamoDBClient({
          ...config,
          requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
        }),
    );
    sameRealmErrors(dynamodb.middlewareStack);
    const error = await failureOf(
      dynamodb.send(
        new CreateTableCommand({
          TableName: 'timed-out-answer',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      ),
    );
    expect(error.name).toBe('TimeoutError');
    expect(isTransientAwsFailure(error)).toBe(true);
    proxy.setRates({});
    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toContain('timed-out-answer');
  });

  it("lets the SDK's retries absorb a lost answer: two attempts of one invocation, both reached moto", async () => {
    const sns = through((config) => new SNSClient({ ...config, maxAttempts: 3 }));
    const before = proxy.log.length;
    proxy.armFailure(1, 'lost-answer');
    const created = await sns.send(new CreateTopicCommand({ Name: 'retried-after-lost-answer' }));
    expect(created.TopicArn).toMatch(/:retried-after-lost-answer$/);
    const calls = proxy.log.slice(before);
    expect(calls.map((call) => [call.attempt, call.forwarded, call.fault])).toEqual([
      [1, true, 'armed-lost-answer'],
      [2, true, null],
    ]);
    expect(new Set(calls.map((call) => call.invocationId)).size).toBe(1);
    expect(proxy.forwardedCalls('sns:CreateTopic').slice(-2)).toHaveLength(2);
  });

  it('refuses an armed call with an error no SDK retries, and counts only the calls it is told to', async () => {
    const iam = through((config) => new IAMClient({ ...config, maxAttempts: 3 }));
    const dynamodb = through((config) => new DynamoDBClient(config));
    proxy.armFailure(2, 'reject', (operation) => operation.startsWith('dynamodb:'));
    await dynamodb.send(new ListTablesCommand({}));
    await iam.send(new ListUsersCommand({}));
    const error = await failureOf(iam.send(new ListUsersCommand({})));
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403, attempts: 1 } });
    expect(isTransientAwsFailure(error)).toBe(false);
    expect(proxy.armedFailureFired()).toBe(true);
    await expect(iam.send(new ListUsersCommand({}))).resolves.toBeDefined();
  });

  it("dates its answers with the test's clock: a faked clock ahead of moto's is no clock skew to the SDK", async () => {
    jest.useFakeTimers({
      now: Date.now() + 6 * 3_600_000,
      doNotFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'nextTick'],
    });
    try {
      const iam = through((config) => new IAMClient({ ...config, maxAttempts: 3 }));
      proxy.armFailure(1, 'reject');
      const error = await failureOf(iam.send(new ListUsersCommand({})));
      // A skew the SDK corrects makes any error retryable: the refusal would have been tried again.
      expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { attempts: 1 } });
    } finally {
      jest.useRealTimers();
    }
  });

  it('after a crash refuses every call until recover(): nothing after it reaches moto', async () => {
    const sns = through((config) => new SNSClient(config));
    proxy.armFailure(1, 'crash');
    await failureOf(sns.send(new CreateTopicCommand({ Name: 'crashed-after-this' })));
    const afterCrash = proxy.log.length;
    await failureOf(sns.send(new CreateTopicCommand({ Name: 'never-reached' })));
    await failureOf(sns.send(new ListTopicsCommand({})));
    expect(proxy.log.slice(afterCrash).map((call) => [call.forwarded, call.fault])).toEqual([
      [false, 'crashed'],
      [false, 'crashed'],
    ]);
    proxy.recover();
    const names = (await sns.send(new ListTopicsCommand({}))).Topics?.map((topic) => topic.TopicArn) ?? [];
    expect(names).toContainEqual(expect.stringMatching(/:crashed-after-this$/));
    expect(names).not.toContainEqual(expect.stringMatching(/:never-reached$/));
  });

  it('repeats its faults for a seed, per operation, whatever other operations do; another seed differs', async () => {
    const rates = { '*': { throttle: 0.2, serverError: 0.1, latency: 0.2 } };
    async function faultsOf(seed: number, interleave: boolean): Promise<(string | null)[]> {
      const other = await startFaultProxy({
        upstream: motoEndpoint(),
        seed,
        rates,
        latencyMs: { min: 1, max: 3 },
      });
      const dynamodb = new DynamoDBClient(motoClientConfig(other.endpoint));
      const iam = new IAMClient(motoClientConfig(other.endpoint));
      try {
        for (let index = 0; index < 30; index++) {
          await dynamodb.send(new ListTablesCommand({})).catch(() => undefined);
          if (interleave) await iam.send(new ListUsersCommand({})).catch(() => undefined);
        }
        return other.log.filter((call) => call.operation === 'dynamodb:ListTables').map((call) => call.fault);
      } finally {
        dynamodb.destroy();
        iam.destroy();
        await other.close();
      }
    }
    const first = await faultsOf(11, false);
    expect(await faultsOf(11, true)).toEqual(first);
    expect(await faultsOf(12, false)).not.toEqual(first);
    expect(first.filter((fault) => fault !== null).length).toBeGreaterThan(0);
  });

  it('counts what it injected, by kind and by operation', () => {
    const stats = proxy.stats();
    expect(stats.requests).toBe(proxy.log.length);
    expect(stats.faults).toBe(proxy.log.filter((call) => call.fault !== null).length);
    for (const [operation, counted] of Object.entries(stats.byOperation)) {
      const calls = proxy.log.filter((call) => call.operation === operation);
      expect(counted.requests).toBe(calls.length);
      expect(counted.forwarded).toBe(calls.filter((call) => call.forwarded).length);
    }
    // Every kind this file injected, each counted.
    const kinds: AppliedFault[] = [
      'throttle',
      'server-error',
      'drop',
      'timeout',
      'armed-lost-answer',
      'armed-reject',
      'armed-crash',
      'crashed',
    ];
    const counted = Object.fromEntries(kinds.map((kind) => [kind, (stats.injected[kind] ?? 0) > 0]));
    expect(counted).toEqual(Object.fromEntries(kinds.map((kind) => [kind, true])));
  });
});
