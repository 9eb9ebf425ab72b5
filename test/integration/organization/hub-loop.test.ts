/**
 * The organization loop on moto: a denial in each member is put on that member's default bus, carried
 * to the hub's bus and queue (the forwarding fake: moto would rewrite the envelope), diagnosed with
 * the member's read access, approved by the approval handler in organization mode and applied by the
 * apply handler in organization mode, both reaching the member through the product's
 * MemberAccountAccess: the member's read role, and its apply role with the approver as source
 * identity, assumed by each hub function's own role with the external id, through the accounts
 * proxy (which enforces the member role's trust, as the members template ships it, as STS would, and
 * names the account of every call). SCPs come from the product's OrganizationsReader. Every other AWS
 * call is the hub's own (its tables, topic and channel).
 *
 * moto has no SimulatePrincipalPolicy: the local simulator evaluates what the member's reads return.
 */
import { GetGroupPolicyCommand, ListGroupPoliciesCommand } from '@aws-sdk/client-iam';
import type { Message } from '@aws-sdk/client-sqs';
import { DynamoDbDecisionLedger } from '../../../lambda/adapters/aws/dynamodb-decision-ledger';
import { DynamoDbIncidentStore } from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { SnsNotifier } from '../../../lambda/adapters/aws/sns-notifier';
import { EventBridgePublisher } from '../../../lambda/adapters/aws/eventbridge-publisher';
import type { EscalationInputs } from '../../../lambda/core/escalation/model';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { createApplyHandler } from '../../../lambda/handlers/apply/handler';
import { createApprovalHandler } from '../../../lambda/handlers/approval/handler';
import type { AccountAccess, AccountReadAccess } from '../../../lambda/ports/account-access';
import { APPLY_TIMEOUT } from '../../../lib/constructs/apply-function';
import { FUNCTION_TIMEOUT } from '../../../lib/constructs/diagnose-function';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE } from '../../../lib/denial-event-patterns';
import { formPost } from '../../handlers/approval/support';
import { RecordingLogger, RecordingMetrics } from '../../handlers/diagnose/support';
import type {
  EventBridgeCrossAccountForwardingFake,
  EventEnvelope,
} from '../../support/organization/eventbridge-forwarding-fake';
import type { MotoServer } from '../support/moto';
import {
  invocationContext,
  LOOP_APPROVAL_MODE,
  LOOP_DECISION_KEYS,
  LOOP_LINK_MAC,
  LOOP_REVIEW_BASE_URL,
  QueuedApplyInvocations,
  reviewLinkIn,
  snsEnvelopeOf,
  sqsEventOf,
  type LoopResources,
} from '../support/remediation-loop';
import { receiveAll, type TestQueue } from '../support/sqs-queues';
import type { AccountsProxy } from './support/accounts-proxy';
import { startOrganizationOnMoto, type OrganizationOnMoto } from './support/organization-on-moto';
import { hubFunctions, withLocalSimulator, type HubFunctions } from './support/hub-functions';
import { memberRoleArn } from './support/member-roles';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { IamPolicyWriter } from '../../../lambda/adapters/aws/iam-policy-writer';
import { TargetedAccountReader } from '../../../lambda/adapters/aws/targeted-account-reader';
import { SCP_NAME } from './support/seed-organization';
import { seedDenialIn, type OrganizationDeployment } from './support/organization-deployment';

const GROUP = 'GlueAccess';
const POLICY_NAME = 'AllowPassEtlNightlyRuntimeToGlue';

describe('the organization loop: a denial in each member -> hub queue -> diagnosis, approval and apply in that member only', () => {
  let started: OrganizationOnMoto;
  let moto: MotoServer;
  let deployment: OrganizationDeployment;
  let proxy: AccountsProxy;
  let fake: EventBridgeCrossAccountForwardingFake;
  let resources: LoopResources;
  let teamChannel: TestQueue;
  let functions: HubFunctions;
  const destroyers: (() => void)[] = [];

  beforeAll(async () => {
    started = await startOrganizationOnMoto();
    ({ moto, deployment, proxy, fake } = started);
    functions = await hubFunctions({
      motoEndpoint: moto.endpoint,
      proxyEndpoint: proxy.endpoint,
      deployment,
    });
    destroyers.push(functions.destroy);
    resources = functions.resources;
    teamChannel = functions.teamChannel;
  });

  afterAll(async () => {
    for (const destroy of destroyers) destroy();
    await started.stop();
  });

  /** The SCP levels each escalation read handed the analysis, by account. */
  const scpsSeen = new Map<string, EscalationInputs['scps']>();
  function recordingScps(read: AccountReadAccess): AccountReadAccess {
    return {
      ...read,
      escalationReader: {
        readEscalationInputs: async (roleArn, target) => {
          const inputs = await read.escalationReader.readEscalationInputs(roleArn, target);
          scpsSeen.set(read.accountId, inputs.scps);
          return inputs;
        },
      },
    };
  }

  /** Every read access the diagnosis is given records the SCP levels its escalation read saw. */
  function recordingAccess(access: AccountAccess): AccountAccess {
    return {
      read: async (accountId) => recordingScps(await access.read(accountId)),
      write: (accountId, sourceIdentity) => access.write(accountId, sourceIdentity),
    };
  }

  async function hubQueueMessages(): Promise<Message[]> {
    const hub = deployment.clients(deployment.organization.hub.id);
    return receiveAll(hub.sqs, deployment.hubQueue.url);
  }

  it('runs for a denial of member A (us-east-1) and of member B (eu-west-1), each only in its own account', async () => {
    const { hub, memberA, memberB } = deployment.organization;
    const putAt = new Date('2026-06-17T02:04:40Z');
    const sent: EventEnvelope[] = [];
    for (const [member, region] of [
      [memberA, 'us-east-1'],
      [memberB, 'eu-west-1'],
    ] as const) {
      sent.push(
        ...(await fake.putEvents(member.id, region, [
          {
            Source: 'aws.glue',
            DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
            Detail: JSON.stringify(seedDenialIn(member.id, `denial-in-${member.name}`)),
            Time: putAt,
          },
        ])),
      );
    }
    const delivered = await hubQueueMessages();
    const envelopes = delivered.map((message) => JSON.parse(message.Body ?? '{}') as EventEnvelope);
    expect(envelopes).toEqual(sent);

    const store = new DynamoDbIncidentStore(
      (await functions.clients('diagnose')).dynamodb,
      resources.proposalsTable,
    );
    const proposals = new Map<string, IncidentRecord>();
    const summary: string[] = [];
    for (const member of [memberA, memberB]) {
      const message = delivered.find((_, index) => envelopes[index]?.account === member.id);
      if (message === undefined) throw new Error(`no message of ${member.name}`);

      // Diagnosis: every IAM call in the member, through its read role.
      proxy.clearCalls();
      const diagnosing = await functions.function('diagnose');
      const diagnose = functions.diagnose(diagnosing.own, diagnosing.access, functions.organizationReader(), {
        wrapAccess: recordingAccess,
      }).handler;
      const batch = await diagnose(
        sqsEventOf([message], deployment.hubQueue.arn),
        invocationContext('diagnose', FUNCTION_TIMEOUT.toMilliseconds()),
      );
      expect(batch.batchItemFailures).toEqual([]);
      const iamCalls = proxy.calls.filter((call) => call.operation.startsWith('iam:'));
      expect(iamCalls.length).toBeGreaterThan(0);
      expect(new Set(iamCalls.map((call) => [call.account, call.roleArn].join(' ')))).toEqual(
        new Set([`${member.id} ${memberRoleArn(member.id, 'read')}`]),
      );
      const elsewhere = proxy.calls.filter((call) => call.account !== member.id && call.account !== hub.id);
      expect(elsewhere).toEqual([]);
      expect(proxy.callsIn(hub.id, 'iam')).toEqual([]);
      const diagnosisIamCalls = iamCalls.length;
      // The escalation analysis saw the member's SCPs: root, OU, account; the deny on Workloads only.
      const scpNames = (scpsSeen.get(member.id) ?? []).map((level) =>
        level.map((policy) => policy.name).sort(),
      );
      expect(scpNames).toEqual(
        member.id === memberA.id
          ? [['FullAWSAccess'], [SCP_NAME, 'FullAWSAccess'], ['FullAWSAccess']]
          : [['FullAWSAccess'], ['FullAWSAccess'], ['FullAWSAccess']],
      );

      const [proposalMessage] = (await receiveAll(deployment.clients(hub.id).sqs, teamChannel.url)).map(
        snsEnvelopeOf,
      );
      expect(proposalMessage?.Message).toContain(`Proposed: inline policy ${POLICY_NAME} on group ${GROUP}`);
      const link = reviewLinkIn(proposalMessage?.Message ?? '');
      expect(link?.origin).toBe(LOOP_REVIEW_BASE_URL);
      const proposalId = link?.pathname.split('/').pop() ?? '';
      const record = (await store.get(proposalId)) as IncidentRecord;
      expect(record.denial.account).toBe(member.id);
      // The record and the team's message name the account as Organizations does.
      expect(record.organizationAccount?.name).toBe(member.name);
      expect(proposalMessage?.Message).toContain(member.name);
      expect(record.proposal?.target.arn).toBe(`arn:aws:iam::${member.id}:group/${GROUP}`);
      proposals.set(member.id, record);

      // Approval: the re-check reads the member through its read role; the apply writes through the
      // member's apply role with the approver as source identity.
      proxy.clearCalls();
      const applyInvocations = new QueuedApplyInvocations();
      const approving = await functions.function('approval');
      const approval = createApprovalHandler({
        signer: LOOP_DECISION_KEYS.signer,
        accounts: withLocalSimulator(approving.access),
        organization: true,
        store: new DynamoDbIncidentStore(approving.own.dynamodb, resources.proposalsTable),
        applyTrigger: applyInvocations,
        linkMac: LOOP_LINK_MAC,
        logger: new RecordingLogger(),
        settings: { approvalMode: LOOP_APPROVAL_MODE },
      });
      const token = link?.searchParams.get('token') ?? '';
      const approved = await approval(formPost(`${link?.pathname ?? ''}/approve`, token));
      expect(approved.statusCode).toBe(200);
      expect(applyInvocations.requested).toEqual([proposalId]);

      // The apply in organization mode: it writes through AccountAccess.write(the proposal's account,
      // the approver). The function's own writer and escalation reader are given so that any use of
      // them would show in the hub's IAM, which the proxy finds empty. The local simulator (moto has
      // no SimulatePrincipalPolicy) needs the account's scope, which the apply reads through
      // deps.accountReader whatever `accounts` says: here the member's, as AwsPolicySimulator needs none.
      const applying = await functions.function('apply');
      const ownReader = new TargetedAccountReader(applying.own.iam);
      const memberScope = (await applying.access.read(member.id)).accountReader;
      const apply = createApplyHandler({
        store: new DynamoDbIncidentStore(applying.own.dynamodb, resources.proposalsTable),
        decisionVerifier: LOOP_DECISION_KEYS.verifier,
        accounts: withLocalSimulator(applying.access),
        escalationReader: ownReader,
        decisionLedger: new DynamoDbDecisionLedger(applying.own.dynamodb, resources.proposalsTable),
        writer: new IamPolicyWriter(applying.own.iam),
        simulator: new LocalPolicySimulator(),
        accountReader: memberScope,
        notifier: new SnsNotifier(applying.own.sns, resources.topicArn),
        events: new EventBridgePublisher(applying.own.eventBridge, resources.eventBusName),
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
        settings: {
          accountId: null,
          organization: true,
          protectedRoleArns: [],
          allowedTargetTypes: ['group', 'user', 'role'],
          verifyTimeoutMs: 30_000,
          leaseMs: 90_000,
          reviewBaseUrl: LOOP_REVIEW_BASE_URL,
        },
      });
      const outcome = await apply({ proposalId }, invocationContext('apply', APPLY_TIMEOUT.toMilliseconds()));
      expect(outcome).toBe('applied-verified');
      const writes = proxy.calls.filter((call) => call.operation.startsWith('iam:Put'));
      expect(writes.map((call) => [call.operation, call.account, call.roleArn])).toEqual([
        ['iam:PutGroupPolicy', member.id, memberRoleArn(member.id, 'apply')],
      ]);
      expect(
        proxy.calls.filter((call) => call.operation.startsWith('iam:') && call.account !== member.id),
      ).toEqual([]);
      const applySession = proxy.sessions.find(
        (session) => session.roleArn === memberRoleArn(member.id, 'apply'),
      );
      // The approver, as the member's CloudTrail will show it.
      expect(applySession?.sourceIdentity).toMatch(/^[\w+=,.@-]{2,64}$/);
      await receiveAll(deployment.clients(hub.id).sqs, teamChannel.url);
      summary.push(
        `${member.name}: diagnosis ${diagnosisIamCalls} IAM calls in ${member.id} (read role), ` +
          `approval+apply ${proxy.calls.filter((call) => call.operation.startsWith('iam:')).length} IAM calls in ` +
          `${member.id}, 0 in the hub or the other member`,
      );
    }
    console.log(`organization loop on moto: ${summary.join('; ')}`);

    // Each member holds its own fix, and only its own; the hub holds none.
    for (const member of [memberA, memberB]) {
      const written = await deployment
        .clients(member.id)
        .iam.send(new GetGroupPolicyCommand({ GroupName: GROUP, PolicyName: POLICY_NAME }));
      expect(JSON.parse(decodeURIComponent(written.PolicyDocument ?? ''))).toEqual(
        proposals.get(member.id)?.proposal?.document,
      );
      const names = await deployment
        .clients(member.id)
        .iam.send(new ListGroupPoliciesCommand({ GroupName: GROUP }));
      expect(names.PolicyNames).toEqual([POLICY_NAME]);
    }
    const documents = [memberA, memberB].map((member) =>
      JSON.stringify(proposals.get(member.id)?.proposal?.document),
    );
    expect(documents[0]).toContain(memberA.id);
    expect(documents[0]).not.toContain(memberB.id);
    expect(documents[1]).toContain(memberB.id);
    expect(documents[1]).not.toContain(memberA.id);
  });
});
