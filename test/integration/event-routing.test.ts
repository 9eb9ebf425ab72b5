/**
 * The denial rule in moto's EventBridge: the rule is created on the default bus with the very pattern
 * the CDK stack synthesizes (passRoleDenialEventPatternJson()), targets a moto SQS queue, and every
 * CloudTrail record we hold is put as the event CloudTrail would put on the bus. What reaches the
 * queue is then fed to the real diagnose handler, over the real DynamoDB store and Powertools'
 * DynamoDB idempotency layer in moto.
 *
 * moto's matcher implements every operator the pattern uses (exact strings, `prefix`, `wildcard`,
 * `$or` inside `detail`); it evaluates them itself, so what this file shows is the pattern's logic on
 * our records, not AWS's matcher. Two things moto does not do as AWS does, neither of which the
 * pattern depends on: AWS refuses PutEvents with a source starting `aws.` from an account (only AWS
 * services may use it; moto accepts it, which is what lets this test play CloudTrail), and moto
 * delivers to the queue without evaluating its queue policy (so none is set here; the CDK tests
 * assert the deployed one).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  DescribeRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { readDenials } from '../../lambda/core/denial';
import { createDiagnoseHandler } from '../../lambda/handlers/diagnose/handler';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  passRoleDenialEventPatternJson,
} from '../../lib/denial-event-patterns';
import {
  FakeDecoder,
  fixture,
  lambdaContext,
  RecordingLogger,
  RecordingMetrics,
  SEED_RECORD,
  seedDiagnoser,
  sqsRecord,
} from '../handlers/diagnose/support';
import { createMotoClients, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { ownAccountOnly } from '../support/diagnose-accounts';
import { createIdempotencyTable, createProposalsTable } from './support/proposal-tables';
import { createQueue, receiveAll, type TestQueue } from './support/sqs-queues';

const RULE_NAME = 'passrole-denials';
const FIXTURES = join(__dirname, '..', 'fixtures', 'cloudtrail');
/** PutEvents takes at most 10 entries a call. */
const PUT_EVENTS_MAX_ENTRIES = 10;

type CloudTrailRecord = Record<string, unknown>;

/** One event put on the bus, named after where its record comes from. */
interface BusEvent {
  label: string;
  source: string;
  detailType: string;
  record: CloudTrailRecord;
}

/** CloudTrail's events on EventBridge carry `aws.<service>`: glue.amazonaws.com -> aws.glue. */
function sourceOf(record: CloudTrailRecord): string {
  return `aws.${String(record['eventSource']).split('.')[0]}`;
}

function cloudTrailEvent(label: string, record: CloudTrailRecord): BusEvent {
  return { label, source: sourceOf(record), detailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE, record };
}

function fixtureFiles(directory: string): string[] {
  return readdirSync(join(FIXTURES, directory))
    .filter((file) => file.endsWith('.json'))
    .sort();
}

const ENVELOPE = '22-eventbridge-envelope-lambda-UpdateFunctionConfiguration.json';

/**
 * Every record we hold, as EventBridge would get it: the single PassRole records; each record of the
 * log file on its own (CloudTrail puts one event per record, never a log file); the envelope's own
 * source, detail-type and detail; the published real records; and a few made here.
 */
function busEvents(): BusEvent[] {
  const events: BusEvent[] = [];
  for (const file of fixtureFiles('passrole')) {
    if (file.endsWith('-decoded-authorization-message.json')) continue; // sts output, not a record
    const label = `passrole/${file}`;
    // A log file (21, 23): CloudTrail puts one event per record.
    if (Array.isArray(fixture('passrole', file)['Records'])) {
      const records = fixture('passrole', file)['Records'] as CloudTrailRecord[];
      records.forEach((record, index) =>
        events.push(cloudTrailEvent(`${label}#${index} ${String(record['eventName'])}`, record)),
      );
    } else if (file === ENVELOPE) {
      const envelope = fixture('passrole', file);
      events.push({
        label,
        source: String(envelope['source']),
        detailType: String(envelope['detail-type']),
        record: envelope['detail'] as CloudTrailRecord,
      });
    } else {
      events.push(cloudTrailEvent(label, fixture('passrole', file)));
    }
  }
  for (const file of fixtureFiles('real'))
    events.push(cloudTrailEvent(`real/${file}`, fixture('real', file)));

  events.push(cloudTrailEvent('seed denial', structuredClone(SEED_RECORD)));
  const { errorCode: _code, errorMessage: _message, ...succeeded } = structuredClone(SEED_RECORD);
  events.push(cloudTrailEvent('seed call succeeded', { ...succeeded, eventID: 'made-here-seed-success' }));
  // The other spelling of EC2's error code, on an encoded-only role-passing call.
  events.push(
    cloudTrailEvent('EC2 AssociateIamInstanceProfile, errorCode UnauthorizedOperation', {
      ...fixture('passrole', '05-ec2-AssociateIamInstanceProfile-encoded-only.json'),
      errorCode: 'UnauthorizedOperation',
      eventID: 'made-here-ec2-unauthorized-operation',
    }),
  );
  // The seed denial under another detail-type: the rule takes CloudTrail's API calls only.
  events.push({
    label: 'seed denial as another detail-type',
    source: 'aws.glue',
    detailType: 'AWS Service Event via CloudTrail',
    record: { ...structuredClone(SEED_RECORD), eventID: 'made-here-service-event' },
  });
  return events;
}

/** The labels of the events this test expects in the queue, each for a stated reason. */
const PASSROLE_DENIALS_ROUTED = [
  'passrole/01-glue-UpdateJob-no-identity-based-policy-IAMUser-mfa.json',
  'passrole/02-lambda-CreateFunction20150331-AssumedRole-service-role-path.json',
  'passrole/03-ecs-RegisterTaskDefinition-AssumedRole-two-roles.json',
  'passrole/04-ec2-RunInstances-Client.UnauthorizedOperation-plain-and-encoded.json',
  'passrole/06-states-CreateStateMachine-IdentityCenter-AWSReservedSSO.json',
  'passrole/07-ec2-RunInstances-service-linked-role-autoscaling.json',
  'passrole/08-cloudformation-CreateStack-Root-scp.json',
  'passrole/09-codebuild-CreateProject-FederatedUser.json',
  'passrole/11-sagemaker-CreateTrainingJob-explicit-deny-scp-with-arn.json',
  'passrole/12-codepipeline-CreatePipeline-permissions-boundary.json',
  'passrole/13-glue-CreateJob-message-cut-at-1KB-inside-role.json',
  'passrole/15-scheduler-CreateSchedule-short-resource-role-slash.json',
  'passrole/16-pipes-CreatePipe-short-resource-role-space.json',
  'passrole/17-events-PutTargets-no-resource-role-from-parameters.json',
  'passrole/18-elasticmapreduce-RunJobFlow-no-resource-several-roles.json',
  'passrole/19-elasticmapreduce-RunJobFlow-ec2-role-via-jobFlowRole.json',
  'passrole/20-batch-CreateComputeEnvironment-requestParameters-null-no-sessionIssuer.json',
  'passrole/21-log-file-several-records.json#0 UpdateFunctionConfiguration20150331v2',
  'passrole/21-log-file-several-records.json#3 CreateCrawler',
  'passrole/22-eventbridge-envelope-lambda-UpdateFunctionConfiguration.json',
  'seed denial',
];

/**
 * EC2 role-passing calls refused with (Client.)UnauthorizedOperation arrive whatever their message,
 * by design: an encoded-only message names no action until the function decodes it. 05 decodes to a
 * PassRole denial; 14 is cut at 1 KB and cannot be decoded; the real RunInstances record 01 was
 * denied ec2:RunInstances itself, so the function reads it and acknowledges it as not applicable.
 */
const EC2_ROLE_PASSING_CALLS_ROUTED = [
  'passrole/05-ec2-AssociateIamInstanceProfile-encoded-only.json',
  'passrole/14-ec2-RunInstances-encoded-only-cut-at-1KB.json',
  'EC2 AssociateIamInstanceProfile, errorCode UnauthorizedOperation',
  'real/01-ec2-RunInstances-Client.UnauthorizedOperation-AssumedRole-stratus.json',
  // A log file of two RunInstances denials that name only the instance profile passed.
  'passrole/23-ec2-RunInstances-instance-profile-message-names-no-role.json#0 RunInstances',
  'passrole/23-ec2-RunInstances-instance-profile-message-names-no-role.json#1 RunInstances',
];

/**
 * Lambda answers a role of another account with "Cross-account pass role is not allowed.", which
 * names no iam:PassRole for the wildcard to find: the pattern's third branch routes it.
 */
const CROSS_ACCOUNT_DENIAL = 'passrole/10-lambda-CreateFunction20150331-cross-account-role.json';

async function putOnDefaultBus(clients: MotoClients, events: BusEvent[]): Promise<void> {
  for (let first = 0; first < events.length; first += PUT_EVENTS_MAX_ENTRIES) {
    const chunk = events.slice(first, first + PUT_EVENTS_MAX_ENTRIES);
    const output = await clients.eventBridge.send(
      new PutEventsCommand({
        Entries: chunk.map((event) => ({
          Source: event.source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.record),
        })),
      }),
    );
    expect(output.FailedEntryCount ?? 0).toBe(0);
  }
}

interface Arrival {
  message: Message;
  envelope: { source: string; 'detail-type': string; detail: CloudTrailRecord };
}

describe('the denial rule with the synthesized pattern, in moto EventBridge', () => {
  let clients: MotoClients;
  let queue: TestQueue;
  let events: BusEvent[];
  let arrivals: Arrival[];
  const labelOf = new Map<string, string>();

  const arrivedLabels = (): string[] =>
    arrivals.map((arrival) => labelOf.get(String(arrival.envelope.detail['eventID'])) ?? '(unknown)').sort();

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    queue = await createQueue(clients.sqs, 'passrole-denials');
    await clients.eventBridge.send(
      new PutRuleCommand({
        Name: RULE_NAME,
        EventPattern: passRoleDenialEventPatternJson(),
        State: 'ENABLED',
      }),
    );
    await clients.eventBridge.send(
      new PutTargetsCommand({ Rule: RULE_NAME, Targets: [{ Id: 'denial-queue', Arn: queue.arn }] }),
    );

    events = busEvents();
    for (const event of events) labelOf.set(String(event.record['eventID']), event.label);
    expect(labelOf.size).toBe(events.length);
    await putOnDefaultBus(clients, events);
    arrivals = (await receiveAll(clients.sqs, queue.url)).map((message) => ({
      message,
      envelope: JSON.parse(message.Body ?? '') as Arrival['envelope'],
    }));
  });

  afterAll(() => clients.destroy());

  it('holds the pattern exactly as synthesized: moto accepted prefix, wildcard and $or', async () => {
    const rule = await clients.eventBridge.send(new DescribeRuleCommand({ Name: RULE_NAME }));
    expect(JSON.parse(rule.EventPattern ?? 'null')).toEqual(JSON.parse(passRoleDenialEventPatternJson()));
  });

  it('routes every PassRole denial and the EC2 role-passing calls, and nothing else', () => {
    expect(arrivedLabels()).toEqual(
      [...PASSROLE_DENIALS_ROUTED, CROSS_ACCOUNT_DENIAL, ...EC2_ROLE_PASSING_CALLS_ROUTED].sort(),
    );
    // Each arrived once, though an EC2 denial naming iam:PassRole (04, 07) matches both branches.
    expect(new Set(arrivals.map((arrival) => arrival.envelope.detail['eventID'])).size).toBe(arrivals.length);
  });

  it('leaves out successful calls, other denials and other detail-types', () => {
    const arrived = new Set(arrivedLabels());
    const filtered = events.map((event) => event.label).filter((label) => !arrived.has(label));
    expect(filtered.sort()).toEqual(
      [
        // The log file's successful GetFunction and its denied s3:PutObject.
        'passrole/21-log-file-several-records.json#1 GetFunction20150331v2',
        'passrole/21-log-file-several-records.json#2 PutObject',
        // Published real denials of other actions: sts, EC2 (not a role-passing call), organizations,
        // lambda, EC2 Instance Connect, S3 ("Access Denied" names no action).
        'real/02-sts-AssumeRole-AccessDenied-IAMUser-stratus.json',
        'real/03-ec2-DescribeInstanceAttribute-Client.UnauthorizedOperation-full-encoded-msg-AssumedRole-panther.json',
        'real/04-organizations-LeaveOrganization-AccessDenied-no-identity-based-policy-AssumedRole-panther.json',
        'real/05-lambda-ListFunctions-AccessDenied-IAMUser-panther.json',
        'real/06-ec2-instance-connect-SendSSHPublicKey-AccessDenied-AssumedRole-panther.json',
        'real/07-s3-CreateBucket-AccessDenied-IdentityCenter-AWSReservedSSO-pyCloudTrailProcesser.json',
        'seed call succeeded',
        'seed denial as another detail-type',
      ].sort(),
    );
  });

  it("routes Lambda's cross-account refusal, a PassRole denial whose message never says iam:PassRole", () => {
    expect(arrivedLabels()).toContain(CROSS_ACCOUNT_DENIAL);
    const [outcome] = readDenials(
      fixture('passrole', CROSS_ACCOUNT_DENIAL.replace('passrole/', '')),
      'fixture 10',
    );
    expect(outcome?.kind).toBe('denial');
  });

  it('delivers the EventBridge envelope: CloudTrail source and detail-type, the record as detail', () => {
    const seed = arrivals.find((arrival) => arrival.envelope.detail['eventID'] === SEED_RECORD['eventID']);
    expect(seed?.envelope).toMatchObject({
      source: 'aws.glue',
      'detail-type': CLOUDTRAIL_API_CALL_DETAIL_TYPE,
      detail: SEED_RECORD,
    });
  });

  describe('what arrived, through the diagnose handler', () => {
    let response: SQSBatchResponse;
    let logger: RecordingLogger;
    let metrics: RecordingMetrics;
    let store: DynamoDbIncidentStore;

    const acknowledgedNotApplicable = () =>
      logger.lines
        .filter((line) => line.message === 'record acknowledged: not an iam:PassRole denial')
        .map((line) => ({
          label: labelOf.get(String(line.attributes['eventId'])),
          code: line.attributes['code'],
        }))
        .sort((left, right) => String(left.label).localeCompare(String(right.label)));

    beforeAll(async () => {
      await createProposalsTable(clients.dynamodb, 'proposals');
      await createIdempotencyTable(clients.dynamodb, 'idempotency');
      const decodedMessages = new Map(
        ['04', '05'].map((number) => {
          const decoded = fixture('passrole', `${number}-decoded-authorization-message.json`);
          return [String(decoded['blob']), String(decoded['decodedMessage'])];
        }),
      );
      store = new DynamoDbIncidentStore(clients.dynamodb, 'proposals');
      logger = new RecordingLogger();
      metrics = new RecordingMetrics();
      const handler = createDiagnoseHandler({
        // The seed account offline: denials of principals it does not hold are unprocessable, and
        // acknowledged as such; the point here is which records the function takes for denials.
        ...ownAccountOnly(seedDiagnoser()),
        decoder: new FakeDecoder(decodedMessages),
        store,
        notifier: new InMemoryNotifier(),
        idempotencyStore: new DynamoDBPersistenceLayer({
          tableName: 'idempotency',
          awsSdkV3Client: clients.dynamodb,
        }),
        logger,
        metrics,
        settings: { proposalTtlHours: 72, renotifyAfterHours: 24, reviewBaseUrl: null },
      });
      const records = arrivals.map(({ message }) => sqsRecord(message.MessageId ?? '', message.Body ?? ''));
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (let first = 0; first < records.length; first += 10) {
        const batch = await handler({ Records: records.slice(first, first + 10) }, lambdaContext());
        failures.push(...batch.batchItemFailures);
      }
      response = { batchItemFailures: failures };
    });

    it('acknowledges every record: none goes back to the queue', () => {
      expect(response.batchItemFailures).toEqual([]);
      expect(metrics.total('InvalidRecords')).toBe(0);
    });

    it('acknowledges the EC2 calls that are not PassRole denials as not applicable, with the code', () => {
      expect(acknowledgedNotApplicable()).toEqual([
        {
          label: 'passrole/14-ec2-RunInstances-encoded-only-cut-at-1KB.json',
          code: 'encoded-message-cut',
        },
        {
          label: 'real/01-ec2-RunInstances-Client.UnauthorizedOperation-AssumedRole-stratus.json',
          code: 'not-passrole',
        },
      ]);
    });

    it('takes every other arrival for an iam:PassRole denial, the decoded EC2 ones included', () => {
      expect(metrics.total('DenialsSeen')).toBe(arrivals.length - 2);
      const seen = new Set(
        logger.lines
          .filter(
            (line) =>
              line.attributes['eventId'] !== undefined && line.attributes['principalArn'] !== undefined,
          )
          .map((line) => labelOf.get(String(line.attributes['eventId']))),
      );
      expect(seen).toContain('passrole/05-ec2-AssociateIamInstanceProfile-encoded-only.json');
      expect(seen).toContain('EC2 AssociateIamInstanceProfile, errorCode UnauthorizedOperation');
    });

    it('stores one proposal for the Glue incident in DynamoDB: fixture 01 opened it, the seed denial repeated it', async () => {
      const created = logger.lines.filter((line) => line.message === 'proposal created');
      expect(created.map((line) => labelOf.get(String(line.attributes['eventId'])))).toEqual([
        'passrole/01-glue-UpdateJob-no-identity-based-policy-IAMUser-mfa.json',
      ]);
      const record = await store.get(String(created[0]?.attributes['proposalId']));
      expect(record).toMatchObject({
        status: 'pending',
        occurrenceCount: 2,
        firstEventId: fixture('passrole', '01-glue-UpdateJob-no-identity-based-policy-IAMUser-mfa.json')[
          'eventID'
        ],
        lastEventId: SEED_RECORD['eventID'],
        notificationCount: 1,
        proposal: {
          policyName: 'AllowPassEtlNightlyRuntimeToGlue',
          target: { type: 'group', name: 'GlueAccess' },
        },
      });
      expect(metrics.total('DuplicatesSuppressed')).toBe(1);
    });
  });
});
