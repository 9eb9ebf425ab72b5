/**
 * A denial storm against moto: 10,000 duplicate denials of one incident (the seed's: mei.tanaka may
 * not pass etl-nightly-runtime to Glue) plus 300 distinct incidents (300 users seeded in moto's IAM,
 * members of GlueAccess, each denied passing the same role), shuffled with a seeded PRNG and fed to
 * the real diagnose handler in SQS batches of 10 by two containers working side by side, as the
 * event source mapping's maxConcurrency 2 runs them.
 *
 * Everything is the function's own wiring (lambda/handlers/diagnose/index.ts) pointed at moto: the
 * DynamoDbIncidentStore and Powertools' DynamoDBPersistenceLayer on moto's DynamoDB, TargetedAccountReader
 * on moto's IAM, SnsNotifier on a moto topic whose SQS subscription the test reads. The simulator is
 * the local one (moto has no SimulatePrincipalPolicy). Records a container hands back (another
 * container is diagnosing the same new incident) are delivered again at the end of the queue, with
 * their receive count, as SQS would after the visibility timeout.
 *
 * The storm runs in two phases: the 300 new incidents and 8,001 denials of the seed's incident,
 * interleaved; then the remaining 2,000 duplicates alone, during which IAM must not be called at all.
 *
 * It is slow, and moto is why: every denial costs four DynamoDB requests (idempotency put and
 * update, the incident lookup, the occurrence update returning the ~7 KB record), about 56 ms of
 * moto_server's CPU in all (its generic response serializer walks the returned record; its model
 * deep-copies it), plus about 14 ms of Node's. 10,301 denials are about 12 CPU-minutes: at least
 * 6 minutes on 2 cores whatever the harness overlaps; 17.5 minutes measured on a loaded machine.
 */
import { paginateScan, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import type { SQSRecord } from 'aws-lambda';
import { readDenials } from '../../lambda/core/denial';
import { incidentKeyOf } from '../../lambda/core/incident';
import { METRIC } from '../../lambda/handlers/diagnose/handler';
import { envelope, lambdaContext, seedRecord, sqsRecord } from '../handlers/diagnose/support';
import { createMotoClients, motoEndpoint, type MotoClients } from './support/aws-clients';
import {
  createDiagnoseContainer,
  createSharedDynamoDbAgent,
  seedGroupMembers,
  seededRandom,
  shuffled,
  type DiagnoseContainer,
} from './support/diagnose-containers';
import { resetMoto } from './support/moto';
import { createIdempotencyTable, createProposalsTable } from './support/proposal-tables';
import { seedGlueAccount } from './support/seed-account';
import { createQueue, receiveAll } from './support/sqs-queues';

const DUPLICATES = 10_000;
const DISTINCT_INCIDENTS = 300;
/** The last duplicates, fed alone once every incident is open. */
const DUPLICATES_ONLY_PHASE = 2_000;
const BATCH_SIZE = 10;
const CONTAINERS = 2;
/** The denial queue's maxReceiveCount (lib/constructs/denial-routing.ts): a record received this often goes to the DLQ. */
const MAX_RECEIVE_COUNT = 5;
/**
 * The engine's budget of IAM calls for one diagnosis: at most 20 targeted reads of what the incident
 * involves, plus the escalation analysis's own (the roles that trust R; a target group this large is
 * not read member by member).
 */
const IAM_CALLS_PER_DIAGNOSIS_BUDGET = 32;
const SHUFFLE_SEED = 20260617;
/** The storm's setup and run: CPU-bound in moto (see above), slower still on a busy machine. */
const STORM_TIMEOUT_MS = 40 * 60_000;

type CloudTrailRecord = Record<string, unknown>;

/** The seed denial made by user `name` instead of mei.tanaka: a distinct incident. */
function userDenial(eventId: string, name: string): CloudTrailRecord {
  return JSON.parse(
    JSON.stringify(seedRecord(eventId)).replaceAll('user/mei.tanaka', `user/${name}`),
  ) as CloudTrailRecord;
}

function incidentKeyOfRecord(record: CloudTrailRecord): string {
  const [outcome] = readDenials(record, String(record['eventID']));
  if (outcome?.kind !== 'denial') throw new Error(`record ${String(record['eventID'])} is not a denial`);
  return incidentKeyOf(outcome.denial);
}

interface Delivery {
  record: SQSRecord;
  receiveCount: number;
}

interface Drained {
  invocations: number;
  handedBack: number;
  maxReceiveCount: number;
}

/**
 * The event source mapping: each container takes the next batch whenever it is free; a record it
 * hands back (batchItemFailures) comes round again at the end of the queue, received once more.
 */
async function drain(containers: DiagnoseContainer[], queue: Delivery[]): Promise<Drained> {
  const drained: Drained = { invocations: 0, handedBack: 0, maxReceiveCount: 1 };
  let next = 0;
  await Promise.all(
    containers.map(async (container) => {
      while (next < queue.length) {
        const batch = queue.slice(next, next + BATCH_SIZE);
        next += batch.length;
        const records = batch.map(({ record, receiveCount }) => ({
          ...record,
          attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) },
        }));
        drained.invocations++;
        const response = await container.handler({ Records: records }, lambdaContext());
        for (const failure of response.batchItemFailures) {
          const delivery = batch.find(({ record }) => record.messageId === failure.itemIdentifier);
          if (delivery === undefined) throw new Error(`unknown failed record ${failure.itemIdentifier}`);
          drained.handedBack++;
          drained.maxReceiveCount = Math.max(drained.maxReceiveCount, delivery.receiveCount + 1);
          queue.push({ record: delivery.record, receiveCount: delivery.receiveCount + 1 });
        }
      }
    }),
  );
  return drained;
}

function iamCallCount(containers: DiagnoseContainer[]): number {
  return containers.reduce((sum, container) => sum + container.iamCalls.length, 0);
}

function total(containers: DiagnoseContainer[], metric: string): number {
  return containers.reduce((sum, container) => sum + container.metrics.total(metric), 0);
}

interface StoredProposal {
  proposalId: string;
  incidentKey: string;
  status: string;
  occurrenceCount: number;
  notificationCount: number;
  proposal?: unknown;
}

describe('a storm of denials through the diagnose handler on moto', () => {
  let clients: MotoClients;
  let containers: DiagnoseContainer[];
  const dynamoDbAgent = createSharedDynamoDbAgent();
  let mixedPhase: Drained;
  let duplicatesPhase: Drained;
  let iamCallsInDuplicatesPhase: number;
  let expectedIncidents: Map<string, number>;
  let proposals: StoredProposal[];
  let messageProposalIds: string[];
  const seedIncident = incidentKeyOfRecord(seedRecord('key-probe'));

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    const users = Array.from({ length: DISTINCT_INCIDENTS }, (_, index) => `storm-user-${index + 1}`);
    await seedGroupMembers(clients.iam, users, 'GlueAccess');
    await createProposalsTable(clients.dynamodb, 'proposals');
    await createIdempotencyTable(clients.dynamodb, 'idempotency');
    const topic = await clients.sns.send(new CreateTopicCommand({ Name: 'passrole-doctor' }));
    const topicArn = topic.TopicArn ?? '';
    const subscriber = await createQueue(clients.sqs, 'team-channel');
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: subscriber.arn }),
    );

    containers = Array.from({ length: CONTAINERS }, () =>
      createDiagnoseContainer({
        endpoint: motoEndpoint(),
        proposalsTable: 'proposals',
        idempotencyTable: 'idempotency',
        topicArn,
        dynamoDbAgent,
      }),
    );

    // The storm: every denial a distinct CloudTrail event.
    const seedDenials = Array.from({ length: DUPLICATES + 1 }, (_, index) =>
      seedRecord(`storm-seed-${index}`),
    );
    const newIncidents = users.map((user, index) => userDenial(`storm-new-${index}`, user));
    expectedIncidents = new Map([[seedIncident, DUPLICATES + 1]]);
    for (const record of newIncidents) expectedIncidents.set(incidentKeyOfRecord(record), 1);
    const random = seededRandom(SHUFFLE_SEED);
    const mixed = shuffled(
      [...newIncidents, ...seedDenials.slice(0, seedDenials.length - DUPLICATES_ONLY_PHASE)],
      random,
    );
    const duplicatesOnly = seedDenials.slice(seedDenials.length - DUPLICATES_ONLY_PHASE);
    let messageNumber = 0;
    const deliveries = (records: CloudTrailRecord[]): Delivery[] =>
      records.map((record) => ({
        record: sqsRecord(`storm-message-${++messageNumber}`, JSON.stringify(envelope(record))),
        receiveCount: 1,
      }));

    mixedPhase = await drain(containers, deliveries(mixed));
    const iamCallsBefore = iamCallCount(containers);
    duplicatesPhase = await drain(containers, deliveries(duplicatesOnly));
    iamCallsInDuplicatesPhase = iamCallCount(containers) - iamCallsBefore;

    const documents = DynamoDBDocumentClient.from(clients.dynamodb);
    proposals = [];
    for await (const page of paginateScan(
      { client: documents },
      {
        TableName: 'proposals',
        FilterExpression: 'entityType = :proposal',
        ExpressionAttributeValues: { ':proposal': 'proposal' },
      },
    )) {
      proposals.push(...((page.Items ?? []) as StoredProposal[]));
    }
    messageProposalIds = (await receiveAll(clients.sqs, subscriber.url)).map((message) => {
      const text = String((JSON.parse(message.Body ?? '{}') as { Message?: unknown }).Message);
      return /Proposal ([0-9a-f-]{36})\.$/.exec(text)?.[1] ?? `(no proposal id in: ${text.slice(0, 80)})`;
    });
  }, STORM_TIMEOUT_MS);

  afterAll(() => {
    for (const container of containers ?? []) container.destroy();
    dynamoDbAgent.destroy();
    clients?.destroy();
  });

  const perDiagnosis = (): number[] =>
    containers.flatMap((container) => container.diagnoser.callsPerDiagnosis);
  const byCommand = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const call of containers.flatMap((container) => container.iamCalls)) {
      const name = call.command.replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  };

  afterAll(() => {
    if (proposals === undefined) return;
    const calls = perDiagnosis();
    const iam = iamCallCount(containers);
    console.log(
      `storm: ${DUPLICATES + 1 + DISTINCT_INCIDENTS} denials (${DUPLICATES} duplicates of one incident + ${DISTINCT_INCIDENTS} distinct incidents) ` +
        `in ${mixedPhase.invocations + duplicatesPhase.invocations} SQS batches of ${BATCH_SIZE} over ${CONTAINERS} containers: ` +
        `cases run ${DUPLICATES + 1 + DISTINCT_INCIDENTS}, faults injected 0, ` +
        `incidents lost ${[...expectedIncidents.keys()].filter((key) => !proposals.some((p) => p.incidentKey === key)).length}, ` +
        `policies double-applied 0 (nothing is applied here); ${proposals.length} proposals, ${messageProposalIds.length} messages; ` +
        `IAM calls ${iam} in all, per new incident max ${Math.max(...calls)} mean ${(iam / calls.length).toFixed(2)} ` +
        `(${Object.entries(byCommand())
          .map(([name, count]) => `${name} ${count}`)
          .join(
            ', ',
          )}), ${iamCallsInDuplicatesPhase} in the duplicates-only phase (${DUPLICATES_ONLY_PHASE} records); ` +
        `${mixedPhase.handedBack + duplicatesPhase.handedBack} records handed back and redelivered (max receive count ${Math.max(mixedPhase.maxReceiveCount, duplicatesPhase.maxReceiveCount)})`,
    );
  });

  it('stores exactly 301 proposals, one for every incident: none lost, none doubled', () => {
    expect(proposals).toHaveLength(DISTINCT_INCIDENTS + 1);
    const stored = new Map(proposals.map((proposal) => [proposal.incidentKey, proposal.occurrenceCount]));
    expect(stored.size).toBe(proposals.length);
    // Every denial counted once on its incident: 10,001 on the seed's, 1 on each new one.
    expect(stored).toEqual(expectedIncidents);
    expect(
      proposals.every((proposal) => proposal.status === 'pending' && proposal.proposal !== undefined),
    ).toBe(true);
  });

  it('publishes one message per incident to the topic, and no other', () => {
    expect(messageProposalIds).toHaveLength(DISTINCT_INCIDENTS + 1);
    expect(new Set(messageProposalIds)).toEqual(new Set(proposals.map((proposal) => proposal.proposalId)));
    expect(proposals.every((proposal) => proposal.notificationCount === 1)).toBe(true);
  });

  it('diagnoses each new incident once, within the IAM budget, and calls IAM for nothing else', () => {
    const calls = perDiagnosis();
    expect(calls).toHaveLength(DISTINCT_INCIDENTS + 1);
    expect(Math.max(...calls)).toBeLessThanOrEqual(IAM_CALLS_PER_DIAGNOSIS_BUDGET);
    expect(Math.min(...calls)).toBeGreaterThanOrEqual(1);
    // Every IAM call was made by a diagnosis: the duplicates cost none.
    expect(calls.reduce((sum, count) => sum + count, 0)).toBe(iamCallCount(containers));
  });

  it('makes no IAM call while only duplicates arrive', () => {
    expect(iamCallsInDuplicatesPhase).toBe(0);
    expect(duplicatesPhase.handedBack).toBe(0);
  });

  it('counts every duplicate, and hands back only records of an incident being diagnosed, never to the DLQ', () => {
    expect(total(containers, METRIC.proposalsCreated)).toBe(DISTINCT_INCIDENTS + 1);
    expect(total(containers, METRIC.duplicatesSuppressed)).toBe(DUPLICATES);
    expect(total(containers, METRIC.notificationsPublished)).toBe(DISTINCT_INCIDENTS + 1);
    expect(total(containers, METRIC.deferredDenials)).toBe(mixedPhase.handedBack);
    expect(total(containers, METRIC.errors)).toBe(0);
    expect(mixedPhase.maxReceiveCount).toBeLessThan(MAX_RECEIVE_COUNT);
    expect(containers.flatMap((container) => container.logger.problems)).toEqual([]);
  });
});
