/**
 * The whole loop on moto, every AWS call going to the emulator: the seed's account in IAM; the denial
 * rule with the synthesized pattern and its queue; the proposals and idempotency tables; the topic
 * with an SQS subscription standing for the team channel; a rule on the product's own events. The
 * seed's UpdateJob denial is put on the bus as CloudTrail would put it; what the queue delivers is
 * handed to the diagnose function; the message's review link is followed through the approval
 * function (page, then approve with the link's token), whose apply request runs the apply function
 * with `{proposalId}` as Lambda's async invoke would; then IAM, the record, the channel and the bus
 * are read back.
 */
import {
  GetGroupPolicyCommand,
  GetRoleCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
} from '@aws-sdk/client-iam';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { recordAwsCalls } from '../../lambda/adapters/aws/aws-call-recorder';
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import { EVENT_SOURCE } from '../../lambda/adapters/aws/eventbridge-publisher';
import { APPLY_ACTOR, PROPOSAL_APPLIED_DETAIL_TYPE } from '../../lambda/core/apply/apply-proposal';
import type { IncidentRecord } from '../../lambda/core/incident';
import { linkMayApproveProposal } from '../../lambda/core/render/escalation-labels';
import { APPLY_TIMEOUT } from '../../lib/constructs/apply-function';
import { FUNCTION_TIMEOUT } from '../../lib/constructs/diagnose-function';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  passRoleDenialEventPatternJson,
} from '../../lib/denial-event-patterns';
import { apiEvent, formPost } from '../handlers/approval/support';
import { SEED_RECORD } from '../handlers/diagnose/support';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createIdempotencyTable, createProposalsTable } from './support/proposal-tables';
import {
  createApplyFunction,
  createApprovalFunction,
  createDiagnoseFunction,
  createLoopClients,
  invocationContext,
  QueuedApplyInvocations,
  reviewLinkIn,
  snsEnvelopeOf,
  sqsEventOf,
  type LoopClients,
  type LoopResources,
  type SnsEnvelope,
} from './support/remediation-loop';
import { seedGlueAccount } from './support/seed-account';
import { createQueue, type TestQueue } from './support/sqs-queues';

const GROUP = 'GlueAccess';
const POLICY_NAME = 'AllowPassEtlNightlyRuntimeToGlue';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/etl-nightly-runtime`;

/** Every message the queue holds now, with its system attributes (moto delivers synchronously). */
async function receiveEverything(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  // Bounded: moto has delivered everything already, and received messages stay invisible.
  for (let round = 0; round < 100; round++) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const batch = received.Messages ?? [];
    if (batch.length === 0) return messages;
    messages.push(...batch);
  }
  throw new Error(`queue ${queueUrl} did not run dry`);
}

interface AppliedEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

describe('the whole loop on moto: denial on the bus -> proposal -> review link -> approve -> applied and verified', () => {
  let direct: MotoClients;
  let functionsClients: LoopClients;
  let resources: LoopResources;
  let denialQueue: TestQueue;
  let teamChannel: TestQueue;
  let productEvents: TestQueue;
  let store: DynamoDbIncidentStore;
  const awsCalls: { command: string }[][] = [];

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    direct = createMotoClients();
    functionsClients = createLoopClients(motoEndpoint());
    for (const client of Object.values(functionsClients)) {
      if (typeof client === 'object' && 'middlewareStack' in client) awsCalls.push(recordAwsCalls(client));
    }

    await seedGlueAccount(direct.iam);

    denialQueue = await createQueue(direct.sqs, 'passrole-denials');
    await direct.eventBridge.send(
      new PutRuleCommand({
        Name: 'passrole-denials',
        EventPattern: passRoleDenialEventPatternJson(),
        State: 'ENABLED',
      }),
    );
    await direct.eventBridge.send(
      new PutTargetsCommand({ Rule: 'passrole-denials', Targets: [{ Id: 'queue', Arn: denialQueue.arn }] }),
    );

    await createProposalsTable(direct.dynamodb, 'passrole-doctor-proposals');
    await createIdempotencyTable(direct.dynamodb, 'passrole-doctor-idempotency');

    const topicArn =
      (await direct.sns.send(new CreateTopicCommand({ Name: 'passrole-doctor-proposals' }))).TopicArn ?? '';
    teamChannel = await createQueue(direct.sqs, 'team-channel');
    await direct.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: teamChannel.arn }),
    );

    productEvents = await createQueue(direct.sqs, 'passrole-doctor-events');
    await direct.eventBridge.send(
      new PutRuleCommand({
        Name: 'passrole-doctor-events',
        EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }),
        State: 'ENABLED',
      }),
    );
    await direct.eventBridge.send(
      new PutTargetsCommand({
        Rule: 'passrole-doctor-events',
        Targets: [{ Id: 'queue', Arn: productEvents.arn }],
      }),
    );

    resources = {
      proposalsTable: 'passrole-doctor-proposals',
      idempotencyTable: 'passrole-doctor-idempotency',
      topicArn,
      // moto's default bus stands in for the stack's own (lib/constructs/proposal-events-bus.ts).
      eventBusName: 'default',
    };
    store = new DynamoDbIncidentStore(direct.dynamodb, resources.proposalsTable);
  });

  afterAll(() => {
    direct.destroy();
    functionsClients.destroy();
  });

  it("holds the seed's account: mei.tanaka in GlueAccess (AWSGlueConsoleFullAccess), the MFA group policy, the Glue role", async () => {
    const groups = await direct.iam.send(new ListGroupsForUserCommand({ UserName: 'mei.tanaka' }));
    expect(groups.Groups?.map((group) => group.GroupName).sort()).toEqual(['Developers', 'GlueAccess']);
    const attached = await direct.iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: GROUP }));
    expect(attached.AttachedPolicies?.map((policy) => policy.PolicyName)).toEqual([
      'AWSGlueConsoleFullAccess',
    ]);
    const mfa = await direct.iam.send(
      new GetGroupPolicyCommand({ GroupName: 'Developers', PolicyName: 'RequireMFA' }),
    );
    expect(decodeURIComponent(mfa.PolicyDocument ?? '')).toContain('aws:MultiFactorAuthPresent');
    const role = await direct.iam.send(new GetRoleCommand({ RoleName: 'etl-nightly-runtime' }));
    expect(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')).toContain('glue.amazonaws.com');
    const inline = await direct.iam.send(new ListGroupPoliciesCommand({ GroupName: GROUP }));
    expect(inline.PolicyNames).toEqual([]);
  });

  it('runs the loop end to end', async () => {
    // 1. CloudTrail puts the denial on the default bus; the rule routes it to the queue.
    const put = await direct.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.glue',
            DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
            Detail: JSON.stringify(SEED_RECORD),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount ?? 0).toBe(0);
    const delivered = await receiveEverything(direct.sqs, denialQueue.url);
    expect(delivered).toHaveLength(1);

    // 2. The diagnose function gets what the queue delivered, as the event source mapping hands it.
    const diagnose = createDiagnoseFunction(functionsClients, resources);
    const batch = await diagnose.handler(
      sqsEventOf(delivered, denialQueue.arn),
      invocationContext('diagnose', FUNCTION_TIMEOUT.toMilliseconds()),
    );
    expect(batch.batchItemFailures).toEqual([]);

    // 3. One pending proposal in DynamoDB: the seed's fix, verified before it was proposed.
    const items = await direct.dynamodb.send(new ScanCommand({ TableName: resources.proposalsTable }));
    const proposalItems = (items.Items ?? []).filter((item) => item['entityType']?.S === 'proposal');
    expect(proposalItems).toHaveLength(1);
    const proposalId = proposalItems[0]?.['proposalId']?.S ?? '';
    const pending = (await store.get(proposalId)) as IncidentRecord;
    expect(pending).toMatchObject({
      status: 'pending',
      occurrenceCount: 1,
      firstEventId: SEED_RECORD['eventID'],
      notificationCount: 1,
      diagnosis: { outcome: 'proposed', decision: 'explicitDeny' },
      proposal: {
        target: { type: 'group', name: GROUP, memberCount: 2 },
        policyName: POLICY_NAME,
        verified: true,
        document: {
          Statement: [
            expect.objectContaining({
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: ROLE_ARN,
              Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
            }) as unknown,
          ],
        },
      },
    });

    // 4. The team channel got the message; it carries the signed review link.
    const [proposalMessage, ...moreMessages] = (await receiveEverything(direct.sqs, teamChannel.url)).map(
      snsEnvelopeOf,
    );
    expect(moreMessages).toEqual([]);
    expect(proposalMessage?.Subject).toMatch(/mei\.tanaka.*etl-nightly-runtime/);
    expect(proposalMessage?.Message).toContain(`Proposed: inline policy ${POLICY_NAME} on group ${GROUP}`);
    const link = reviewLinkIn(proposalMessage?.Message ?? '');
    expect(link?.pathname).toBe(`/proposals/${proposalId}`);
    const token = link?.searchParams.get('token') ?? '';
    expect(token).not.toBe('');

    // 5. The review page, as the link opens it: read-only, with the approve form where the proposal's
    // analysis lets a link approve, and the reject form always.
    const applyInvocations = new QueuedApplyInvocations();
    const approval = createApprovalFunction(functionsClients, resources, applyInvocations);
    const page = await approval.handler(apiEvent('GET', link?.pathname ?? '', { query: { token } }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(POLICY_NAME);
    const stored = (await store.get(proposalId))?.proposal ?? null;
    expect(page.body.includes(`action="/proposals/${proposalId}/approve"`)).toBe(
      stored !== null && linkMayApproveProposal(stored),
    );
    expect(page.body).toContain(`action="/proposals/${proposalId}/reject"`);
    expect((await store.get(proposalId))?.status).toBe('pending');

    // 6. Approve with the link's token: the answer comes back before the apply runs (async invoke).
    const approved = await approval.handler(formPost(`${link?.pathname ?? ''}/approve`, token));
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toContain('Approved: being applied');
    expect(applyInvocations.requested).toEqual([proposalId]);
    expect((await store.get(proposalId))?.status).toBe('approved');

    // 7. Lambda runs the apply function with the queued event.
    const apply = createApplyFunction(functionsClients, resources);
    const [invocation, ...others] = applyInvocations.take();
    expect(others).toEqual([]);
    const outcome = await apply.handler(
      invocation,
      invocationContext('apply', APPLY_TIMEOUT.toMilliseconds()),
    );
    expect(outcome).toBe('applied-verified');

    // 8. IAM holds the approved document on the group, byte for byte once parsed.
    const written = await direct.iam.send(
      new GetGroupPolicyCommand({ GroupName: GROUP, PolicyName: POLICY_NAME }),
    );
    expect(JSON.parse(decodeURIComponent(written.PolicyDocument ?? ''))).toEqual(pending.proposal?.document);

    // 9. The record is verified, with who approved it and what the apply found.
    const verified = (await store.get(proposalId)) as IncidentRecord;
    expect(verified.status).toBe('verified');
    expect(verified.history.map((entry) => [entry.status, entry.actor.name])).toEqual([
      ['approved', 'link holder'],
      ['applied', APPLY_ACTOR.name],
      ['verified', APPLY_ACTOR.name],
    ]);
    expect(verified.outcome).toMatchObject({ readBackMatches: true, verification: 'allowed', attempts: 1 });

    // 10. The result message on the channel, and the Proposal Applied event on the bus.
    const results: SnsEnvelope[] = (await receiveEverything(direct.sqs, teamChannel.url)).map(snsEnvelopeOf);
    expect(results).toHaveLength(1);
    expect(results[0]?.Subject).toMatch(/Applied and verified: mei\.tanaka.*etl-nightly-runtime/);
    expect(results[0]?.Message).toContain('applied and verified: allowed');
    expect(results[0]?.Message).toContain(`Proposal ${proposalId}.`);

    const events = (await receiveEverything(direct.sqs, productEvents.url)).map(
      (message) => JSON.parse(message.Body ?? '{}') as AppliedEvent,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: EVENT_SOURCE,
      'detail-type': PROPOSAL_APPLIED_DETAIL_TYPE,
      detail: {
        proposalId,
        status: 'verified',
        policyWritten: true,
        target: { type: 'group', name: GROUP },
        policyName: POLICY_NAME,
        roleArn: ROLE_ARN,
        service: 'glue.amazonaws.com',
        verification: { decision: 'allowed', blockers: [], attempts: 1 },
        documentSha256: pending.documentHash,
      },
    });

    // 11. The link now shows where the proposal stands, and cannot approve it again.
    const again = await approval.handler(formPost(`${link?.pathname ?? ''}/approve`, token));
    expect(again.statusCode).toBe(409);
    expect(applyInvocations.requested).toEqual([proposalId]);

    const calls = awsCalls.flat();
    const count = (command: string) => calls.filter((call) => call.command === command).length;
    console.log(
      `whole loop on moto: 1 denial on the bus -> ${delivered.length} SQS message -> proposal ${proposalId} ` +
        `(${pending.proposal?.policyName} on group ${GROUP}) -> ${1 + results.length} messages on the channel ` +
        `-> review page 200 -> approve 200 -> apply ${outcome} (${verified.outcome?.attempts ?? 0} simulation) ` +
        `-> ${events.length} ${PROPOSAL_APPLIED_DETAIL_TYPE} event; the functions made ${calls.length} AWS calls ` +
        `(${count('PutGroupPolicyCommand')} PutGroupPolicy, ${count('PublishCommand')} Publish, ` +
        `${count('PutEventsCommand')} PutEvents); cases run 1, faults injected 0, incidents lost 0, policies double-applied 0`,
    );
  });
});
