/**
 * The diagnose function as Lambda containers against moto: each container builds its own clients,
 * Powertools objects and adapters, as index.ts does once per container, with the account's shared
 * tables and topic. The only stand-in is the simulator: moto has no SimulatePrincipalPolicy, so the
 * local simulator evaluates what TargetedAccountReader reads from moto's IAM.
 *
 * IAM calls are counted per container by an SDK middleware (command names, in order), and per
 * diagnosis: a container handles its records one at a time, so the calls made while its diagnoser
 * runs are that incident's.
 *
 * DynamoDB goes through one connection shared by every container (see serialized-dynamodb.ts: moto's
 * conditional writes are not atomic under concurrent requests; DynamoDB orders them itself).
 */
import { Agent } from 'node:http';
import type { LinkMacGenerator } from '../../../lambda/ports/link-mac';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient, AddUserToGroupCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { TargetedAccountReader } from '../../../lambda/adapters/aws/targeted-account-reader';
import { recordAwsCalls, type AwsCallRecord } from '../../../lambda/adapters/aws/aws-call-recorder';
import { DynamoDbIncidentStore } from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { SnsNotifier } from '../../../lambda/adapters/aws/sns-notifier';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser, type Diagnoser } from '../../../lambda/core/diagnose';
import type { Denial, Diagnosis } from '../../../lambda/core/model';
import {
  createDiagnoseHandler,
  type DiagnoseHandler,
  type DiagnoseHandlerSettings,
} from '../../../lambda/handlers/diagnose/handler';
import type { DimensionedMetrics, LogAttributes, SingleMetric } from '../../../lambda/ports/observability';
import { DimensionedRecorder, ownAccountOnly } from '../../support/diagnose-accounts';
import { KeyedLogger } from '../../support/recording-logger';
import { motoClientConfig } from './aws-clients';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';

/** Counts the IAM calls each diagnosis makes (the container runs one diagnosis at a time). */
export class MeteredDiagnoser implements Diagnoser {
  /** IAM calls of each diagnosis, in the order they finished. */
  readonly callsPerDiagnosis: number[] = [];

  constructor(
    private readonly inner: Diagnoser,
    private readonly iamCalls: readonly AwsCallRecord[],
  ) {}

  async diagnose(denial: Denial): Promise<Diagnosis> {
    const before = this.iamCalls.length;
    try {
      return await this.inner.diagnose(denial);
    } finally {
      this.callsPerDiagnosis.push(this.iamCalls.length - before);
    }
  }
}

/**
 * A logger port that counts lines by level and message instead of keeping them (a storm writes tens
 * of thousands), and keeps the first few warnings and errors whole for the failure message.
 */
export class CountingLogger extends KeyedLogger {
  readonly counts = new Map<string, number>();
  readonly problems: { level: string; message: string; attributes: LogAttributes }[] = [];

  protected record(level: string, message: string, attributes: LogAttributes): void {
    const key = `${level} ${message}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if ((level === 'warn' || level === 'error') && this.problems.length < 20) {
      this.problems.push({ level, message, attributes });
    }
  }
  /** DEBUG lines (the diagnosis, with policy documents) are neither counted nor kept. */
  override debug(): void {}
  count(level: string, message: string): number {
    return this.counts.get(`${level} ${message}`) ?? 0;
  }
}

/** Metrics summed over every invocation (EMF would publish them per invocation). */
export class SummingMetrics implements DimensionedMetrics {
  readonly totals = new Map<string, number>();
  /** The metrics published with dimensions of their own (organization mode's counts by account). */
  readonly dimensioned = new DimensionedRecorder();
  singleMetric(): SingleMetric {
    return this.dimensioned.singleMetric();
  }
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + (unit === 'Count' ? value : 1));
  }
  publishStoredMetrics(): void {}
  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}

export interface DiagnoseContainer {
  handler: DiagnoseHandler;
  /** Every IAM call this container made, by command name, in order. */
  iamCalls: AwsCallRecord[];
  diagnoser: MeteredDiagnoser;
  logger: CountingLogger;
  metrics: SummingMetrics;
  /** Closes the container's own clients (not the shared DynamoDB connection). */
  destroy(): void;
}

export interface DiagnoseContainerOptions {
  endpoint: string;
  proposalsTable: string;
  idempotencyTable: string;
  topicArn: string;
  /** The one connection to moto's DynamoDB every container shares (createSharedDynamoDbAgent). */
  dynamoDbAgent: Agent;
  settings?: Partial<DiagnoseHandlerSettings>;
  linkMac?: LinkMacGenerator;
}

/** One keep-alive connection for all DynamoDB requests of the run: moto sees them one at a time. */
export function createSharedDynamoDbAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

export function createDiagnoseContainer(options: DiagnoseContainerOptions): DiagnoseContainer {
  const config = motoClientConfig(options.endpoint);
  const iamAgent = new Agent({ keepAlive: true });
  const iam = new IAMClient({ ...config, requestHandler: { httpAgent: iamAgent } });
  const iamCalls = recordAwsCalls(iam);
  const dynamodb = new DynamoDBClient({ ...config, requestHandler: { httpAgent: options.dynamoDbAgent } });
  const sns = new SNSClient(config);
  const reader = new TargetedAccountReader(iam);
  const diagnoser = new MeteredDiagnoser(
    createDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      accountReader: reader,
      simulator: new LocalPolicySimulator(),
      instanceProfiles: reader,
      escalation: defaultEscalationDependencies(reader),
    }),
    iamCalls,
  );
  const logger = new CountingLogger();
  const metrics = new SummingMetrics();
  const handler = createDiagnoseHandler({
    ...ownAccountOnly(diagnoser),
    decoder: { decode: async () => null },
    store: new DynamoDbIncidentStore(dynamodb, options.proposalsTable),
    notifier: new SnsNotifier(sns, options.topicArn),
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: options.idempotencyTable,
      awsSdkV3Client: dynamodb,
    }),
    logger,
    metrics,
    settings: { proposalTtlHours: 72, renotifyAfterHours: 24, reviewBaseUrl: null, ...options.settings },
    linkMac: options.linkMac,
  });
  return {
    handler,
    iamCalls,
    diagnoser,
    logger,
    metrics,
    destroy: () => {
      iam.destroy();
      iamAgent.destroy();
      sns.destroy();
    },
  };
}

/**
 * Creates `names.length` IAM users in moto, each in `group`: two calls a user, `concurrency` users at
 * a time (moto handles creations of distinct users safely side by side; nothing reads IAM meanwhile).
 */
export async function seedGroupMembers(
  iam: IAMClient,
  names: readonly string[],
  group: string,
  concurrency = 4,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < names.length; index = next++) {
        const UserName = names[index] ?? '';
        await iam.send(new CreateUserCommand({ UserName }));
        await iam.send(new AddUserToGroupCommand({ UserName, GroupName: group }));
      }
    }),
  );
}

/** A deterministic PRNG (mulberry32), so a shuffled storm is the same storm on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher-Yates with the given random source; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
