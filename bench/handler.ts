/**
 * The diagnose function's figures (`npx tsx bench/handler.ts`, or runHandlerBench() from bench/run.ts):
 * - handler overhead per record with AWS mocked (IAM through aws-sdk-client-mock answering at once,
 *   the proposal store, idempotency and topic in memory, Powertools Logger and Metrics writing their
 *   lines to a muted stdout): median and p95, for a new incident and for a repeat; target <= 10 ms
 * - a storm of 10,000 denials of one incident in SQS batches of 10 across 2 concurrent containers
 *   (maxConcurrency 2), records handed back redelivered: exactly 1 proposal, 1 message, and the IAM
 *   calls in all (target <= 32, one diagnosis's budget since the targeted reads)
 * - peak memory (RSS and heap) of the process while it ran
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IAMClient,
  SimulatePrincipalPolicyCommand,
  type SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { TargetedAccountReader } from '../lambda/adapters/aws/targeted-account-reader';
import { AwsPolicySimulator } from '../lambda/adapters/aws/aws-policy-simulator';
import { InMemoryIdempotencyStore } from '../lambda/adapters/memory/in-memory-idempotency-store';
import { InMemoryNotifier } from '../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../lambda/adapters/memory/in-memory-incident-store';
import { createDiagnoser } from '../lambda/core/diagnose';
import { createDiagnoseHandler, type DiagnoseHandler } from '../lambda/handlers/diagnose/handler';
import { seedAuthorizationDetails, seedSimulationAnswer } from './seed-iam';
import { fakeIamFromSnapshot } from '../test/support/iam-snapshot-fake';
import { ownAccountOnly } from '../test/support/diagnose-accounts';
import { diagnoseContext, printBenchLines, stats } from './support';
import { defaultEscalationDependencies } from '../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../lambda/adapters/memory/in-memory-authorization-record-reader';

const ROOT = join(__dirname, '..');
const SEED_EVENT = JSON.parse(readFileSync(join(ROOT, 'examples/seed/denial.json'), 'utf8')) as Record<
  string,
  unknown
>;
const REGION = 'ap-northeast-1';
const STORM_RECORDS = 10_000;
const BATCH_SIZE = 10;
const CONCURRENCY = 2;

// ---------------------------------------------------------------- memory

const peak = { rss: 0, heap: 0 };
function sampleMemory(): void {
  const usage = process.memoryUsage();
  peak.rss = Math.max(peak.rss, usage.rss);
  peak.heap = Math.max(peak.heap, usage.heapUsed);
}

// ---------------------------------------------------------------- mocked IAM

/** IAM answering the seed scenario at once; returns the mock, whose calls() are the IAM calls made. */
function mockIam(): ReturnType<typeof mockClient> {
  const iamMock = fakeIamFromSnapshot(IAMClient, seedAuthorizationDetails());
  iamMock
    .on(SimulatePrincipalPolicyCommand)
    .callsFake(async (input: SimulatePrincipalPolicyCommandInput) => seedSimulationAnswer(input));
  return iamMock;
}

// ---------------------------------------------------------------- the handler, as the function wires it

interface Container {
  handler: DiagnoseHandler;
  store: InMemoryIncidentStore;
  notifier: InMemoryNotifier;
}

interface Shared {
  store: InMemoryIncidentStore;
  notifier: InMemoryNotifier;
  idempotencyStore: InMemoryIdempotencyStore;
}

function sharedState(): Shared {
  return {
    store: new InMemoryIncidentStore(),
    notifier: new InMemoryNotifier(),
    idempotencyStore: new InMemoryIdempotencyStore(),
  };
}

/** One Lambda container: its own clients and Powertools objects, the account's shared tables and topic. */
function container(shared: Shared, clock: () => Date = () => new Date()): Container {
  const iam = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const reader = new TargetedAccountReader(iam);
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new AwsPolicySimulator(iam),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  });
  const handler = createDiagnoseHandler({
    ...ownAccountOnly(diagnoser),
    decoder: { decode: async () => null },
    store: shared.store,
    notifier: shared.notifier,
    idempotencyStore: shared.idempotencyStore,
    logger: new Logger({ serviceName: 'passrole-doctor', logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: 'PassRoleDoctor', serviceName: 'passrole-doctor' }),
    settings: { proposalTtlHours: 72, renotifyAfterHours: 24, reviewBaseUrl: 'https://review.example.com' },
    clock,
  });
  return { handler, store: shared.store, notifier: shared.notifier };
}

let messageIds = 0;
function sqsEvent(eventIds: string[]): SQSEvent {
  return {
    Records: eventIds.map((eventId) => ({
      messageId: `m-${++messageIds}`,
      receiptHandle: 'r',
      body: JSON.stringify({
        version: '0',
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.glue',
        detail: { ...SEED_EVENT, eventID: eventId },
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:123456789012:denials`,
      awsRegion: REGION,
    })),
  };
}

/** Powertools writes its log lines and EMF blobs to stdout: muted while measuring, counted. */
async function muted<T>(work: () => Promise<T>): Promise<{ result: T; linesWritten: number }> {
  const write = process.stdout.write.bind(process.stdout);
  let linesWritten = 0;
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    linesWritten += String(chunk).split('\n').length - 1;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), linesWritten };
  } finally {
    process.stdout.write = write;
  }
}

// ---------------------------------------------------------------- the measurements

async function overheadPerRecord(): Promise<string[]> {
  const iamMock = mockIam();
  let now = Date.parse('2026-06-17T02:05:00Z');
  const shared = sharedState();
  const { handler } = container(shared, () => new Date(now));
  const newIncident: number[] = [];
  const repeat: number[] = [];
  let eventNumber = 0;
  await muted(async () => {
    for (let i = 0; i < 600; i++) {
      // Past the proposal's 72 h: the next denial opens a new incident and is diagnosed again.
      now += 73 * 3_600_000;
      let start = performance.now();
      await handler(sqsEvent([`overhead-${++eventNumber}`]), diagnoseContext(REGION));
      const created = performance.now() - start;
      start = performance.now();
      await handler(sqsEvent([`overhead-${++eventNumber}`]), diagnoseContext(REGION));
      const repeated = performance.now() - start;
      if (i >= 100) {
        newIncident.push(created);
        repeat.push(repeated);
      }
      if (i % 50 === 0) sampleMemory();
    }
  });
  iamMock.restore();
  const created = stats(newIncident);
  const repeated = stats(repeat);
  return [
    `handler overhead per record, AWS mocked (Powertools on, in-memory table, idempotency and topic): ` +
      `new incident (diagnosis with the targeted IAM reads mocked, store, publish) median ${created.median.toFixed(2)} ms, p95 ${created.p95.toFixed(2)} ms; ` +
      `repeat median ${repeated.median.toFixed(2)} ms, p95 ${repeated.p95.toFixed(2)} ms over ${newIncident.length} runs each; target <= 10 ms median`,
  ];
}

async function storm(): Promise<string[]> {
  const iamMock = mockIam();
  const shared = sharedState();
  const containers = Array.from({ length: CONCURRENCY }, () => container(shared));
  const batches: string[][] = [];
  let deliveries = 0;
  for (let first = 0; first < STORM_RECORDS; first += BATCH_SIZE) {
    batches.push(Array.from({ length: BATCH_SIZE }, (_, index) => `storm-${first + index}`));
  }
  let next = 0;
  let handedBack = 0;
  const start = performance.now();
  const { linesWritten } = await muted(() =>
    Promise.all(
      containers.map(async ({ handler }) => {
        // Each container takes the next batch when it is free, as the SQS event source does; records
        // handed back come round again at the end of the queue (after the visibility timeout).
        while (next < batches.length) {
          const batch = batches[next++];
          if (!batch) break;
          const event = sqsEvent(batch);
          deliveries++;
          const response = await handler(event, diagnoseContext(REGION));
          const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
          if (failed.size > 0) {
            handedBack += failed.size;
            batches.push(batch.filter((_, index) => failed.has(event.Records[index]?.messageId ?? '')));
          }
          if (next % 100 === 0) sampleMemory();
        }
      }),
    ),
  );
  const elapsed = performance.now() - start;
  const iamCalls = iamMock.calls().length;
  const byCommand = iamMock.calls().reduce<Record<string, number>>((counts, call) => {
    const name = (call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
    return { ...counts, [name]: (counts[name] ?? 0) + 1 };
  }, {});
  iamMock.restore();
  const records = shared.store.all();
  return [
    `storm: ${STORM_RECORDS} denials of one incident in SQS batches of ${BATCH_SIZE} (${deliveries} invocations), ${CONCURRENCY} concurrent containers: ` +
      `${records.length} proposal (occurrence count ${records[0]?.occurrenceCount ?? 0}), ${shared.notifier.messages.length} message, ` +
      `${handedBack} records handed back and redelivered, ${iamCalls} IAM calls in all (${Object.entries(
        byCommand,
      )
        .map(([name, count]) => `${name} ${count}`)
        .join(
          ', ',
        )}); ${(elapsed / 1000).toFixed(1)} s, ${linesWritten} log/EMF lines; targets: 1 proposal, 1 message, <= 32 IAM calls (one diagnosis: the storm test's budget)`,
  ];
}

export async function runHandlerBench(): Promise<string[]> {
  sampleMemory();
  const lines = [...(await overheadPerRecord()), ...(await storm())];
  sampleMemory();
  lines.push(
    `handler bench peak memory: RSS ${(peak.rss / 1024 / 1024).toFixed(0)} MiB, heap ${(peak.heap / 1024 / 1024).toFixed(0)} MiB`,
  );
  return lines;
}

if (require.main === module) printBenchLines(runHandlerBench);
