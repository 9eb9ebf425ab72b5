/**
 * The diagnose pipeline's figures against moto (`npx tsx bench/pipeline.ts`, or runPipelineBench()
 * from bench/run.ts). Everything runs in this one process but moto: CloudTrail's events are put on
 * moto's default EventBridge bus, the denial rule (the synthesized pattern) routes them to the denial
 * queue, two diagnose containers (the function's wiring: DynamoDbIncidentStore and Powertools
 * idempotency on moto's DynamoDB, TargetedAccountReader on moto's IAM, SnsNotifier; the local simulator,
 * as moto has no SimulatePrincipalPolicy) take batches of up to 10 as the event source mapping would
 * with maxConcurrency 2, and the team-channel message is read from the topic's SQS subscription.
 *
 * - latency: p50/p95 from PutEvents to the message on the subscription, one new incident at a time,
 *   split into the bus's part (PutEvents: moto routes synchronously to the queue) and the rest
 * - throughput: a burst of new incidents put on the bus at once, incidents per second from the first
 *   PutEvents to the last message; and a larger burst sent straight to the denial queue (the events
 *   EventBridge would deliver), which measures the function's side alone
 * - IAM calls per new incident (counted per diagnosis by an SDK middleware)
 * - memory: peak RSS and heap of this process (and moto's RSS) while a storm of duplicates and new
 *   incidents, sent straight to the denial queue, goes through
 *
 * moto's EventBridge builds a JSONPath parser (PLY yacc tables) eight times for every event it
 * delivers to a target, even without an input transformer: a few hundred ms of moto's CPU per routed
 * event, so the storm skips the bus. moto serves DynamoDB one request at a time here (the connection
 * is shared, see test/integration/support/serialized-dynamodb.ts). These are moto's figures: they
 * compare runs of this code, they do not predict Lambda's on AWS.
 */
import { readFileSync } from 'node:fs';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  passRoleDenialEventPatternJson,
} from '../lib/denial-event-patterns';
import { createMotoClients, MOTO_REGION, type MotoClients } from '../test/integration/support/aws-clients';
import {
  createDiagnoseContainer,
  createSharedDynamoDbAgent,
  seedGroupMembers,
  seededRandom,
  shuffled,
  type DiagnoseContainer,
} from '../test/integration/support/diagnose-containers';
import { startMoto, type MotoServer } from '../test/integration/support/moto';
import { createIdempotencyTable, createProposalsTable } from '../test/integration/support/proposal-tables';
import { seedGlueAccount } from '../test/integration/support/seed-account';
import { createQueue, type TestQueue } from '../test/integration/support/sqs-queues';
import { diagnoseContext, printBenchLines, stats } from './support';

const SEED_EVENT = JSON.parse(readFileSync(`${__dirname}/../examples/seed/denial.json`, 'utf8')) as Record<
  string,
  unknown
>;
const CONTAINERS = 2;
const BATCH_SIZE = 10;
const PUT_EVENTS_MAX_ENTRIES = 10;
const LATENCY_INCIDENTS = 15;
const BUS_BURST_INCIDENTS = 20;
const QUEUE_BURST_INCIDENTS = 40;
const STORM_DUPLICATES = 500;
const STORM_INCIDENTS = 20;
/** Handed-back records come back after this (the function's queue uses six times its timeout). */
const VISIBILITY_TIMEOUT_SECONDS = 2;
const MEMORY_SAMPLE_MS = 25;
const RULE_NAME = 'passrole-denials';

type CloudTrailRecord = Record<string, unknown>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** The seed denial by `user` (a distinct incident per user), as its own CloudTrail event. */
function denialBy(user: string, eventId: string): CloudTrailRecord {
  return JSON.parse(
    JSON.stringify({ ...SEED_EVENT, eventID: eventId }).replaceAll('user/mei.tanaka', `user/${user}`),
  ) as CloudTrailRecord;
}

/** RSS of moto's process, from /proc (Linux); null elsewhere. */
function motoRss(moto: MotoServer): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${moto.pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface Pipeline {
  moto: MotoServer;
  clients: MotoClients;
  containers: DiagnoseContainer[];
  denialQueue: TestQueue;
  subscriber: TestQueue;
  /** When each event went on the bus (or the queue), by the user whose denial it is. */
  putAt: Map<string, number>;
  /** When PutEvents returned, by user: moto has routed the event to the queue by then. */
  routedAt: Map<string, number>;
  /** When the first message about each user reached the subscription. */
  arrivedAt: Map<string, number>;
  deniedRecordsDone: number;
  handedBack: number;
  stop(): Promise<void>;
}

/** A mutex: moto's ReceiveMessage is not atomic, so two pollers could take the same message. */
function serialized(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

function sqsRecordOf(message: Message, queue: TestQueue): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: message.Attributes?.['SentTimestamp'] ?? '0',
      SenderId: message.Attributes?.['SenderId'] ?? 'events.amazonaws.com',
      ApproximateFirstReceiveTimestamp: message.Attributes?.['ApproximateFirstReceiveTimestamp'] ?? '0',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: MOTO_REGION,
  };
}

async function startPipeline(users: string[]): Promise<Pipeline> {
  const moto = await startMoto();
  const clients = createMotoClients(moto.endpoint);
  await seedGlueAccount(clients.iam);
  await seedGroupMembers(clients.iam, users, 'GlueAccess');
  await createProposalsTable(clients.dynamodb, 'proposals');
  await createIdempotencyTable(clients.dynamodb, 'idempotency');
  const topicArn =
    (await clients.sns.send(new CreateTopicCommand({ Name: 'passrole-doctor' }))).TopicArn ?? '';
  const subscriber = await createQueue(clients.sqs, 'team-channel');
  await clients.sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: subscriber.arn }),
  );
  const denialQueue = await createQueue(clients.sqs, 'passrole-denials');
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: denialQueue.url,
      Attributes: { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS) },
    }),
  );
  await clients.eventBridge.send(
    new PutRuleCommand({ Name: RULE_NAME, EventPattern: passRoleDenialEventPatternJson(), State: 'ENABLED' }),
  );
  await clients.eventBridge.send(
    new PutTargetsCommand({ Rule: RULE_NAME, Targets: [{ Id: 'denial-queue', Arn: denialQueue.arn }] }),
  );

  const dynamoDbAgent = createSharedDynamoDbAgent();
  const containers = Array.from({ length: CONTAINERS }, () =>
    createDiagnoseContainer({
      endpoint: moto.endpoint,
      proposalsTable: 'proposals',
      idempotencyTable: 'idempotency',
      topicArn,
      dynamoDbAgent,
    }),
  );
  const pipeline: Pipeline = {
    moto,
    clients,
    containers,
    denialQueue,
    subscriber,
    putAt: new Map(),
    routedAt: new Map(),
    arrivedAt: new Map(),
    deniedRecordsDone: 0,
    handedBack: 0,
    stop: async () => undefined,
  };

  let running = true;
  const receiving = serialized();
  // The event source mapping: each container long-polls for a batch, runs it, deletes what succeeded.
  const pollers = containers.map(async (container) => {
    while (running) {
      const received = await receiving(() =>
        clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: denialQueue.url,
            MaxNumberOfMessages: BATCH_SIZE,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        ),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) continue;
      const response = await container.handler(
        { Records: messages.map((message) => sqsRecordOf(message, denialQueue)) },
        diagnoseContext(MOTO_REGION),
      );
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      pipeline.handedBack += failed.size;
      const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
      pipeline.deniedRecordsDone += done.length;
      if (done.length > 0) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: denialQueue.url,
            Entries: done.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
    }
  });
  // The team channel: note when each incident's first message arrives.
  const reader = (async () => {
    while (running) {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: subscriber.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = received.Messages ?? [];
      const now = performance.now();
      for (const message of messages) {
        const text = String((JSON.parse(message.Body ?? '{}') as { Message?: unknown }).Message);
        const user = /iam:PassRole denied: (\S+) cannot pass/.exec(text)?.[1];
        if (user !== undefined && !pipeline.arrivedAt.has(user)) pipeline.arrivedAt.set(user, now);
      }
      if (messages.length > 0) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: subscriber.url,
            Entries: messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
    }
  })();

  pipeline.stop = async () => {
    running = false;
    await Promise.all([...pollers, reader]);
    for (const container of containers) container.destroy();
    dynamoDbAgent.destroy();
    clients.destroy();
    await moto.stop();
  };
  return pipeline;
}

/** Puts the records on the bus as CloudTrail would (10 per PutEvents), noting when each user's went. */
async function putOnBus(
  pipeline: Pipeline,
  records: { user: string; record: CloudTrailRecord }[],
): Promise<void> {
  for (let first = 0; first < records.length; first += PUT_EVENTS_MAX_ENTRIES) {
    const chunk = records.slice(first, first + PUT_EVENTS_MAX_ENTRIES);
    const started = performance.now();
    const output = await pipeline.clients.eventBridge.send(
      new PutEventsCommand({
        Entries: chunk.map(({ record }) => ({
          Source: 'aws.glue',
          DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
          Detail: JSON.stringify(record),
        })),
      }),
    );
    if ((output.FailedEntryCount ?? 0) > 0)
      throw new Error(`PutEvents failed ${output.FailedEntryCount} entries`);
    const routed = performance.now();
    for (const { user } of chunk) {
      if (!pipeline.putAt.has(user)) pipeline.putAt.set(user, started);
      if (!pipeline.routedAt.has(user)) pipeline.routedAt.set(user, routed);
    }
  }
}

/** The EventBridge event the rule would deliver for `record`, sent straight to the denial queue. */
async function sendToQueue(
  pipeline: Pipeline,
  records: { user: string; record: CloudTrailRecord }[],
): Promise<void> {
  for (let first = 0; first < records.length; first += BATCH_SIZE) {
    const chunk = records.slice(first, first + BATCH_SIZE);
    const started = performance.now();
    await pipeline.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: pipeline.denialQueue.url,
        Entries: chunk.map(({ record }, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify({
            version: '0',
            id: `bench-${String(record['eventID'])}`,
            'detail-type': CLOUDTRAIL_API_CALL_DETAIL_TYPE,
            source: 'aws.glue',
            account: '123456789012',
            time: new Date().toISOString(),
            region: MOTO_REGION,
            resources: [],
            detail: record,
          }),
        })),
      }),
    );
    for (const { user } of chunk) if (!pipeline.putAt.has(user)) pipeline.putAt.set(user, started);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`pipeline bench: timed out waiting for ${what}`);
    await sleep(2);
  }
}

function between(from: Map<string, number>, to: Map<string, number>, users: string[]): number[] {
  return users.map((user) => (to.get(user) ?? Number.NaN) - (from.get(user) ?? Number.NaN));
}

function latencies(pipeline: Pipeline, users: string[]): number[] {
  return between(pipeline.putAt, pipeline.arrivedAt, users);
}

function iamFigures(containers: DiagnoseContainer[]): string {
  const perDiagnosis = containers.flatMap((container) => container.diagnoser.callsPerDiagnosis);
  const calls = containers.flatMap((container) => container.iamCalls);
  const byCommand: Record<string, number> = {};
  for (const call of calls) {
    const name = call.command.replace(/Command$/, '');
    byCommand[name] = (byCommand[name] ?? 0) + 1;
  }
  const outside = calls.length - perDiagnosis.reduce((sum, count) => sum + count, 0);
  return (
    `IAM calls per new incident (moto, ${perDiagnosis.length} diagnoses): max ${Math.max(...perDiagnosis)}, ` +
    `mean ${(calls.length / Math.max(1, perDiagnosis.length)).toFixed(2)} (${Object.entries(byCommand)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}); ${outside} made outside a diagnosis; budget <= 32 (the storm test's)`
  );
}

export async function runPipelineBench(): Promise<string[]> {
  const names = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  const latencyUsers = names('latency-user', LATENCY_INCIDENTS + 1);
  const busBurstUsers = names('bus-burst-user', BUS_BURST_INCIDENTS);
  const queueBurstUsers = names('queue-burst-user', QUEUE_BURST_INCIDENTS);
  const stormUsers = names('storm-user', STORM_INCIDENTS);
  const pipeline = await startPipeline([
    ...latencyUsers,
    ...busBurstUsers,
    ...queueBurstUsers,
    ...stormUsers,
  ]);
  const lines: string[] = [];
  const incidents = (users: string[], prefix: string) =>
    users.map((user, index) => ({ user, record: denialBy(user, `${prefix}-${index}`) }));
  const allArrived = (users: string[]) => () => users.every((user) => pipeline.arrivedAt.has(user));
  const lastArrival = (users: string[]) =>
    Math.max(...users.map((user) => pipeline.arrivedAt.get(user) ?? 0));
  try {
    // One at a time: the first runs in cold containers (AWS managed policies fetched, modules warm up).
    for (const [index, user] of latencyUsers.entries()) {
      await putOnBus(pipeline, [{ user, record: denialBy(user, `latency-${index}`) }]);
      await until(() => pipeline.arrivedAt.has(user), `the message about ${user}`);
    }
    const [cold = Number.NaN, ...warm] = latencies(pipeline, latencyUsers);
    const warmUsers = latencyUsers.slice(1);
    const endToEnd = stats(warm);
    const onBus = stats(between(pipeline.putAt, pipeline.routedAt, warmUsers));
    const afterBus = stats(between(pipeline.routedAt, pipeline.arrivedAt, warmUsers));
    lines.push(
      `pipeline on moto (EventBridge rule -> SQS -> ${CONTAINERS} diagnose containers -> SNS -> SQS subscription, one process), ` +
        `one new incident at a time, event on the bus to message on the subscription: p50 ${endToEnd.median.toFixed(0)} ms, ` +
        `p95 ${endToEnd.p95.toFixed(0)} ms over ${warm.length} incidents (first, cold containers: ${cold.toFixed(0)} ms); ` +
        `of which moto's PutEvents (routing to the queue) p50 ${onBus.median.toFixed(0)} ms, and queue to subscription ` +
        `(diagnosis, DynamoDB, SNS) p50 ${afterBus.median.toFixed(0)} ms, p95 ${afterBus.p95.toFixed(0)} ms`,
    );

    // A burst on the bus: every event put at once, as fast as PutEvents takes them.
    const busStart = performance.now();
    await putOnBus(pipeline, incidents(busBurstUsers, 'bus-burst'));
    await until(allArrived(busBurstUsers), 'the burst on the bus');
    const busSeconds = (lastArrival(busBurstUsers) - busStart) / 1000;
    const inBusBurst = stats(latencies(pipeline, busBurstUsers));
    // A burst on the queue: the function's side alone, without moto's EventBridge.
    const queueStart = performance.now();
    await sendToQueue(pipeline, incidents(queueBurstUsers, 'queue-burst'));
    await until(allArrived(queueBurstUsers), 'the burst on the queue');
    const queueSeconds = (lastArrival(queueBurstUsers) - queueStart) / 1000;
    lines.push(
      `pipeline throughput on moto: ${(BUS_BURST_INCIDENTS / busSeconds).toFixed(1)} new incidents/s end to end ` +
        `(${BUS_BURST_INCIDENTS} put on the bus at once, last message after ${busSeconds.toFixed(1)} s; event to message ` +
        `p50 ${inBusBurst.median.toFixed(0)} ms, p95 ${inBusBurst.p95.toFixed(0)} ms); the function's side alone ` +
        `${(QUEUE_BURST_INCIDENTS / queueSeconds).toFixed(1)} new incidents/s (${QUEUE_BURST_INCIDENTS} sent straight to the denial queue, ` +
        `last message after ${queueSeconds.toFixed(1)} s)`,
    );

    // A storm on the queue: duplicates of one incident with new incidents among them; memory sampled throughout.
    const storm = shuffled(
      [
        ...Array.from({ length: STORM_DUPLICATES }, (_, index) => ({
          user: 'mei.tanaka',
          record: { ...SEED_EVENT, eventID: `storm-duplicate-${index}` },
        })),
        ...incidents(stormUsers, 'storm-new'),
      ],
      seededRandom(17),
    );
    const peak = { rss: 0, heap: 0, moto: 0 };
    const sample = (): void => {
      const usage = process.memoryUsage();
      peak.rss = Math.max(peak.rss, usage.rss);
      peak.heap = Math.max(peak.heap, usage.heapUsed);
      peak.moto = Math.max(peak.moto, motoRss(pipeline.moto) ?? 0);
    };
    const sampler = setInterval(sample, MEMORY_SAMPLE_MS);
    const doneBefore = pipeline.deniedRecordsDone;
    const stormStart = performance.now();
    try {
      await sendToQueue(pipeline, storm);
      await until(() => pipeline.deniedRecordsDone - doneBefore >= storm.length, 'the storm', 600_000);
      await until(allArrived([...stormUsers, 'mei.tanaka']), 'the storm incidents');
    } finally {
      clearInterval(sampler);
    }
    sample();
    const stormSeconds = (performance.now() - stormStart) / 1000;
    lines.push(
      `storm on moto: ${STORM_DUPLICATES} duplicates of one incident + ${STORM_INCIDENTS} new incidents sent to the denial queue, ` +
        `${(storm.length / stormSeconds).toFixed(0)} denials/s (${stormSeconds.toFixed(1)} s; ${pipeline.handedBack} records handed back in the whole run); ` +
        `peak memory of the bench process (both containers, SDK clients, pollers) RSS ${mib(peak.rss)} MiB, heap ${mib(peak.heap)} MiB; ` +
        `moto_server RSS ${peak.moto > 0 ? `${mib(peak.moto)} MiB` : 'unknown'}`,
    );
    lines.push(iamFigures(pipeline.containers));
  } finally {
    await pipeline.stop();
  }
  return lines;
}

if (require.main === module) printBenchLines(runPipelineBench);
