/**
 * The team-channel message through moto's SNS: the seed denial is diagnosed for real (snapshot reader,
 * local simulator), rendered by the real renderer and published by the real SnsNotifier to a moto topic
 * with an SQS subscription (raw delivery off, so the queue holds SNS's notification envelope).
 *
 * With MessageStructure 'json', AWS delivers to each subscription the member named after its protocol,
 * else `default` (SNS Publish API reference, MessageStructure). The notifier sends `default`, `email`
 * and `https` (AWS Chatbot) and no `sqs` member, so an SQS subscriber gets `default`; moto picks the
 * member the same way (`structured[protocol] or structured['default']`), so that is asserted here. The
 * `email` and `https` members are asserted as the notifier put them on the wire: moto delivers
 * neither anywhere a test can read.
 */
import { join } from 'node:path';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  PublishCommand,
  SubscribeCommand,
  type PublishCommandInput,
} from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../lambda/adapters/aws/sns-notifier';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';
import { readDenials } from '../../lambda/core/denial';
import { createDiagnoser } from '../../lambda/core/diagnose';
import { AwsCallError } from '../../lambda/core/errors';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../../lambda/core/incident';
import {
  chatbotNotificationProblems,
  renderMessage,
  type RenderedMessage,
} from '../../lambda/core/render/message';
import {
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  createMotoClients,
  motoEndpoint,
  type MotoClients,
} from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createQueue, receiveAll, type TestQueue } from './support/sqs-queues';
import { SEED_RECORD } from '../handlers/diagnose/support';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';

const SEED_ACCOUNT_FILE = join(__dirname, '../../examples/seed/account.json');
const CREATED_AT = new Date('2026-06-17T02:05:00Z');
const POLICY_NAME = 'AllowPassEtlNightlyRuntimeToGlue';
const GROUP_NAME = 'GlueAccess';

/** The seed denial diagnosed offline, as the function would store it. */
async function seedProposalRecord(): Promise<IncidentRecord> {
  const [outcome] = readDenials(structuredClone(SEED_RECORD), 'examples/seed/denial.json');
  if (outcome?.kind !== 'denial') throw new Error('the seed event is not a PassRole denial');
  const reader = await SnapshotAccountReader.fromFile(SEED_ACCOUNT_FILE);
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  });
  const diagnosis = await diagnoser.diagnose(outcome.denial);
  return newIncidentRecord({
    id: 'proposal-seed',
    incidentKey: incidentKeyOf(outcome.denial),
    diagnosis: { ...diagnosis, denial: outcome.denial },
    now: CREATED_AT,
    ttlHours: 72,
  });
}

/** SNS's notification envelope, as an SQS subscription without raw delivery receives it. */
interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
}

describe('SnsNotifier against moto SNS, read by an SQS subscription', () => {
  let clients: MotoClients;
  let topicArn: string;
  let queue: TestQueue;
  let subscriptionArn: string;
  /** The Publish requests the notifier sent, as it built them. */
  const published: PublishCommandInput[] = [];
  let record: IncidentRecord;
  let first: RenderedMessage;
  let reminder: RenderedMessage;
  let delivered: SnsEnvelope[];

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    clients.sns.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PublishCommand')
          published.push(structuredClone(args.input as PublishCommandInput));
        return next(args);
      },
      { step: 'initialize', name: 'recordPublishInput' },
    );
    topicArn =
      (await clients.sns.send(new CreateTopicCommand({ Name: 'passrole-doctor-proposals' }))).TopicArn ?? '';
    queue = await createQueue(clients.sqs, 'team-channel-probe');
    subscriptionArn =
      (
        await clients.sns.send(
          new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queue.arn }),
        )
      ).SubscriptionArn ?? '';

    record = await seedProposalRecord();
    first = renderMessage({ kind: 'new', record, reviewBaseUrl: 'https://review.example.com' });
    reminder = renderMessage({
      kind: 'reminder',
      record: { ...record, occurrenceCount: 3, notifiedAt: CREATED_AT.toISOString(), notificationCount: 1 },
      reviewBaseUrl: 'https://review.example.com',
    });
    const notifier = new SnsNotifier(clients.sns, topicArn);
    await notifier.publish(first);
    await notifier.publish(reminder);
    delivered = (await receiveAll(clients.sqs, queue.url)).map(
      (message) => JSON.parse(message.Body ?? '') as SnsEnvelope,
    );
  });

  afterAll(() => clients.destroy());

  it('diagnosed the seed into a verified proposal on the group (the message below is about it)', () => {
    expect(record.status).toBe('pending');
    expect(record.proposal).toMatchObject({
      policyName: POLICY_NAME,
      target: { type: 'group', name: GROUP_NAME },
      verified: true,
    });
  });

  it('subscribes the queue without raw delivery, so it receives the SNS envelope', async () => {
    const attributes = await clients.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }),
    );
    expect(attributes.Attributes?.['RawMessageDelivery'] ?? 'false').toBe('false');
    expect(attributes.Attributes?.['Protocol']).toBe('sqs');
  });

  it("delivers both messages in order with their subjects, each under SNS's 100 characters", () => {
    expect(delivered.map((envelope) => envelope.Subject)).toEqual([first.subject, reminder.subject]);
    for (const envelope of delivered) {
      expect(envelope).toMatchObject({ Type: 'Notification', TopicArn: topicArn });
      expect(envelope.Subject?.length).toBeLessThan(100);
    }
    expect(first.subject).toMatch(/mei\.tanaka.*etl-nightly-runtime/);
    expect(reminder.subject).toContain('Reminder (3x)');
  });

  it('gives the SQS subscriber the default member: the short text, not the email or the Chatbot JSON', () => {
    expect(delivered.map((envelope) => envelope.Message)).toEqual([first.text, reminder.text]);
    const [text] = delivered.map((envelope) => envelope.Message);
    expect(text).toContain(`Proposed: inline policy ${POLICY_NAME} on group ${GROUP_NAME}`);
    expect(text).toContain('https://review.example.com/proposals/proposal-seed');
  });

  it('publishes one MessageStructure json message with default, email and https members', () => {
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({
      TopicArn: topicArn,
      Subject: first.subject,
      MessageStructure: 'json',
    });
    const members = JSON.parse(published[0]?.Message ?? '{}') as Record<string, string>;
    expect(Object.keys(members).sort()).toEqual(['default', 'email', 'https']);
    expect(members['default']).toBe(first.text);
    expect(members['email']).toBe(first.email);
  });

  it('puts a valid AWS Chatbot custom notification in the https member, threaded by incident', () => {
    const members = JSON.parse(published[0]?.Message ?? '{}') as Record<string, string>;
    const chatbot = JSON.parse(members['https'] ?? 'null') as unknown;
    expect(chatbotNotificationProblems(chatbot)).toEqual([]);
    expect(chatbot).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { threadId: record.incidentKey, eventType: 'PassRoleProposal' },
    });
    const reminderChatbot = JSON.parse(
      (JSON.parse(published[1]?.Message ?? '{}') as Record<string, string>)['https'] ?? 'null',
    ) as unknown;
    expect(chatbotNotificationProblems(reminderChatbot)).toEqual([]);
    expect(reminderChatbot).toMatchObject({
      metadata: { threadId: record.incidentKey, eventType: 'PassRoleReminder' },
    });
  });

  it('puts a plain-text report naming the policy and the group in the email member', () => {
    const members = JSON.parse(published[0]?.Message ?? '{}') as Record<string, string>;
    expect(members['email']).toContain(POLICY_NAME);
    expect(members['email']).toContain(`group ${GROUP_NAME} (2 members)`);
    expect(members['email']).toContain('"iam:PassedToService": "glue.amazonaws.com"');
  });

  it('fails for good (not a retry) when the topic does not exist', async () => {
    const missing = `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:no-such-topic`;
    await expect(new SnsNotifier(clients.sns, missing).publish(first)).rejects.toBeInstanceOf(AwsCallError);
  });

  it('lets moto apply the documented member choice: an sqs member would win over default', async () => {
    await clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for every protocol', sqs: 'for SQS subscribers' }),
      }),
    );
    const [envelope] = (await receiveAll(clients.sqs, queue.url)).map(
      (message) => JSON.parse(message.Body ?? '') as SnsEnvelope,
    );
    expect(envelope?.Message).toBe('for SQS subscribers');
  });
});
