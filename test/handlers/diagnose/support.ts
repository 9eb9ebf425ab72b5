/** Shared by the diagnose handler's tests: the seed scenario, SQS events, recording observability. */
import { readFileSync } from 'node:fs';
import { linkMacOf } from '../../support/link-tokens';
import { join } from 'node:path';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { InMemoryIdempotencyStore } from '../../../lambda/adapters/memory/in-memory-idempotency-store';
import { InMemoryNotifier } from '../../../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { createDiagnoser, type Diagnoser } from '../../../lambda/core/diagnose';
import type { Denial, Diagnosis } from '../../../lambda/core/model';
import type { AuthorizationMessageDecoder } from '../../../lambda/ports/authorization-message-decoder';
import type { AccountReader } from '../../../lambda/ports/account-reader';
import {
  createDiagnoseHandler,
  type DiagnoseHandler,
  type DiagnoseHandlerDependencies,
} from '../../../lambda/handlers/diagnose/handler';
import type { DimensionedMetrics, SingleMetric } from '../../../lambda/ports/observability';
import { DimensionedRecorder, ownAccountOnly } from '../../support/diagnose-accounts';
import { RecordingLogger } from '../../support/recording-logger';
import type { EscalationReader } from '../../../lambda/ports/escalation-reader';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import type { InstanceProfileResolver } from '../../../lambda/ports/instance-profile-resolver';

// Still exported from here, where tests (some under test/integration) import it.
export { RecordingLogger } from '../../support/recording-logger';

const ROOT = join(__dirname, '..', '..', '..');
export const SEED_ACCOUNT: unknown = JSON.parse(
  readFileSync(join(ROOT, 'examples/seed/account.json'), 'utf8'),
);
export const SEED_RECORD = JSON.parse(
  readFileSync(join(ROOT, 'examples/seed/denial.json'), 'utf8'),
) as Record<string, unknown>;
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'cloudtrail');

export function fixture(...path: string[]): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, ...path), 'utf8')) as Record<string, unknown>;
}

/** The seed denial (Glue UpdateJob by mei.tanaka) with another eventID: same incident, new event. */
export function seedRecord(
  eventId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...structuredClone(SEED_RECORD), eventID: eventId, ...overrides };
}

export function envelope(record: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: `envelope-${String(record['eventID'])}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${String(record['eventSource']).split('.')[0]}`,
    account: '123456789012',
    time: record['eventTime'],
    region: record['awsRegion'],
    resources: [],
    detail: record,
  };
}

export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1781661877000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1781661877000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ap-northeast-1:123456789012:passrole-denials',
    awsRegion: 'ap-northeast-1',
  };
}

/** An SQS event whose bodies are EventBridge envelopes of the given records (strings are sent as is). */
export function sqsEvent(...bodies: (Record<string, unknown> | string)[]): SQSEvent {
  return {
    Records: bodies.map((body, index) =>
      sqsRecord(`message-${index + 1}`, typeof body === 'string' ? body : JSON.stringify(envelope(body))),
    ),
  };
}

export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'diagnose',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:diagnose',
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/diagnose',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export class RecordingMetrics implements DimensionedMetrics {
  readonly published: Record<string, number>[] = [];
  /** The metrics published with dimensions of their own (organization mode's counts by account). */
  readonly dimensioned = new DimensionedRecorder();
  private pending: Record<string, number> = {};
  readonly units: Record<string, string> = {};

  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void {
    this.units[name] = unit;
    this.pending[name] = (this.pending[name] ?? 0) + (unit === 'Count' ? value : 1);
  }
  publishStoredMetrics(): void {
    this.published.push(this.pending);
    this.pending = {};
  }
  singleMetric(): SingleMetric {
    return this.dimensioned.singleMetric();
  }
  /** Totals over every published invocation (for Milliseconds: how many samples). */
  total(name: string): number {
    return this.published.reduce((sum, batch) => sum + (batch[name] ?? 0), 0);
  }
}

/** Counts what reaches the account: every loadScope is at least one IAM call on AWS. */
export class CountingDiagnoser implements Diagnoser {
  calls = 0;
  constructor(private readonly inner: Diagnoser) {}
  async diagnose(denial: Denial): Promise<Diagnosis> {
    this.calls++;
    return this.inner.diagnose(denial);
  }
}

export function seedDiagnoser(
  reader?: AccountReader & EscalationReader,
  instanceProfiles?: InstanceProfileResolver,
): CountingDiagnoser {
  const seed = new SnapshotAccountReader(SEED_ACCOUNT, 'examples/seed/account.json');
  const accountReader = reader ?? seed;
  return new CountingDiagnoser(
    createDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      accountReader,
      simulator: new LocalPolicySimulator(),
      instanceProfiles: instanceProfiles ?? seed,
      escalation: defaultEscalationDependencies(accountReader),
    }),
  );
}

export class FakeDecoder implements AuthorizationMessageDecoder {
  readonly asked: string[] = [];
  constructor(private readonly decoded: ReadonlyMap<string, string> = new Map()) {}
  async decode(encodedMessage: string): Promise<string | null> {
    this.asked.push(encodedMessage);
    return this.decoded.get(encodedMessage) ?? null;
  }
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(private current: Date = new Date('2026-06-17T02:05:00Z')) {}
  now = (): Date => new Date(this.current);
  advanceHours(hours: number): void {
    this.current = new Date(this.current.getTime() + hours * 3_600_000);
  }
}

/** The link signing key the harness gives the handler. */
export const LINK_SIGNING_KEY = 'test-link-signing-key-'.padEnd(64, 'k');

export interface Harness {
  handler: DiagnoseHandler;
  diagnoser: CountingDiagnoser;
  store: InMemoryIncidentStore;
  notifier: InMemoryNotifier;
  idempotencyStore: InMemoryIdempotencyStore;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  clock: ManualClock;
  decoder: FakeDecoder;
}

export interface HarnessOptions {
  diagnoser?: CountingDiagnoser;
  store?: InMemoryIncidentStore;
  notifier?: InMemoryNotifier;
  idempotencyStore?: InMemoryIdempotencyStore;
  decoder?: FakeDecoder;
  clock?: ManualClock;
  settings?: Partial<DiagnoseHandlerDependencies['settings']>;
  /** Any other dependency replaced as is (a failing notifier, a wrapped store). */
  deps?: Partial<DiagnoseHandlerDependencies>;
}

/** The handler over in-memory ports and the real diagnoser on the seed account. */
export function harness(options: HarnessOptions = {}): Harness {
  const parts = {
    diagnoser: options.diagnoser ?? seedDiagnoser(),
    store: options.store ?? new InMemoryIncidentStore(),
    notifier: options.notifier ?? new InMemoryNotifier(),
    idempotencyStore: options.idempotencyStore ?? new InMemoryIdempotencyStore(),
    decoder: options.decoder ?? new FakeDecoder(),
    clock: options.clock ?? new ManualClock(),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
  };
  let ids = 0;
  const handler = createDiagnoseHandler({
    ...ownAccountOnly(parts.diagnoser),
    decoder: parts.decoder,
    store: parts.store,
    notifier: parts.notifier,
    idempotencyStore: parts.idempotencyStore,
    logger: parts.logger,
    metrics: parts.metrics,
    settings: { proposalTtlHours: 72, renotifyAfterHours: 24, reviewBaseUrl: null, ...options.settings },
    linkMac: linkMacOf(LINK_SIGNING_KEY),
    clock: parts.clock.now,
    newProposalId: () => `proposal-${++ids}`,
    ...options.deps,
  });
  return { handler, ...parts };
}
