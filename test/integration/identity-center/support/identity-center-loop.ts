/**
 * The Identity Center loop as the scenarios drive it, through THE PRODUCT's handlers built by their
 * factories (not index.ts, which the wiring owns): the diagnose handler with the account diagnoser
 * given the SDK Identity Center reader (the read role), the approval handler's IAM route (decide as the
 * SigV4 caller), and the apply handler given `identityCenter` {reader (read role), writer (apply role,
 * the approver as SourceIdentity), administration}. Every hub call goes through the accounts proxy with
 * the session its function would have; what moto's sso-admin lacks is the provisioning fake's.
 *
 * The scenarios assert what AWS would hold (moto, the fake, the proxy) and the stored record's outcome.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeleteItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { SsoAdminIdentityCenterReader } from '../../../../lambda/adapters/aws/identity-center/sso-admin-reader';
import { SsoAdminIdentityCenterWriter } from '../../../../lambda/adapters/aws/identity-center/sso-admin-writer';
import { sourceIdentityFor } from '../../../../lambda/adapters/aws/organization/source-identity';
import { AwsAuthorizationMessageDecoder } from '../../../../lambda/adapters/aws/aws-authorization-message-decoder';
import { DynamoDbDecisionLedger } from '../../../../lambda/adapters/aws/dynamodb-decision-ledger';
import { DynamoDbIncidentStore } from '../../../../lambda/adapters/aws/dynamodb-incident-store';
import { EventBridgePublisher } from '../../../../lambda/adapters/aws/eventbridge-publisher';
import { IamPolicyWriter } from '../../../../lambda/adapters/aws/iam-policy-writer';
import { SnsNotifier } from '../../../../lambda/adapters/aws/sns-notifier';
import { TargetedAccountReader } from '../../../../lambda/adapters/aws/targeted-account-reader';
import { LocalPolicySimulator } from '../../../../lambda/adapters/local/local-policy-simulator';
import { InMemoryAuthorizationRecordReader } from '../../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { DEFAULT_APPROVAL_POLICY } from '../../../../lambda/core/approval/requirement';
import type { IncidentRecord } from '../../../../lambda/core/incident';
import type {
  BlastRadius,
  IdentityCenterAdministration,
} from '../../../../lambda/core/identity-center/model';
import type { PolicyDocument, ProposalTarget } from '../../../../lambda/core/model';
import type { ApplyHandlerOutcome } from '../../../../lambda/handlers/apply/handler';
import { createApplyHandler } from '../../../../lambda/handlers/apply/handler';
import { createApprovalHandler } from '../../../../lambda/handlers/approval/handler';
import { accountDiagnoser } from '../../../../lambda/handlers/diagnose/account-diagnoser';
import { createDiagnoseHandler } from '../../../../lambda/handlers/diagnose/handler';
import { APPLY_TIMEOUT } from '../../../../lib/constructs/apply-function';
import { FUNCTION_TIMEOUT } from '../../../../lib/constructs/diagnose-function';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE } from '../../../../lib/denial-event-patterns';
import { apiEvent } from '../../../handlers/approval/support';
import { RecordingLogger, RecordingMetrics } from '../../../handlers/diagnose/support';
import { withLocalSimulator } from '../../organization/support/hub-functions';
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
} from '../../support/remediation-loop';
import { receiveAll } from '../../support/sqs-queues';
import passRoleDenial from '../../../fixtures/cloudtrail/passrole/06-states-CreateStateMachine-IdentityCenter-AWSReservedSSO.json';
import type { IdentityCenterOnMoto } from './identity-center-on-moto';
import { PEOPLE, type SeededPermissionSet } from './seed-identity-center';

export interface LoopProposal {
  proposalId: string;
  target: ProposalTarget;
  blastRadius: BlastRadius;
  /** The minimal statement, as planProposal builds it. */
  document: PolicyDocument;
  /** The set as it would be provisioned to the denial's account, simulated with the change. */
  verified: boolean;
  /** The channel message that announced it. */
  message: string;
  /** The record as stored by the diagnose function. */
  record: IncidentRecord;
}

export type LoopProposalOutcome =
  { kind: 'proposed'; proposal: LoopProposal } | { kind: 'no-proposal'; record: IncidentRecord | null };

/** One apply run: the handler's answer and the record's outcome after it (null while in progress). */
export interface LoopApplyResult {
  handler: ApplyHandlerOutcome;
  status: IncidentRecord['status'] | null;
  kind: 'verified' | 'not-verified' | 'refused' | 'failed' | null;
  reason: string | null;
}

export interface IdentityCenterLoop {
  /** Deletes every stored incident (and decision): the next denial opens a new one. */
  forgetIncidents(): Promise<void>;
  propose(record: Record<string, unknown>): Promise<LoopProposalOutcome>;
  /** The IAM route's approve, as `approverArn` (the hub's IAM principal). */
  approve(proposalId: string, approverArn: string): Promise<number>;
  /** One run of the apply function (the reconciler asks for another while provisioning). */
  apply(proposalId: string): Promise<LoopApplyResult>;
}

export interface ProductLoopOptions {
  /** Where Identity Center is administered from, as the diagnose and apply functions see it. */
  administration: IdentityCenterAdministration;
  /** The apply's, when it differs (administration delegated after the proposal). */
  applyAdministration?: IdentityCenterAdministration;
  /** The approver whose name the apply role's session carries as SourceIdentity. */
  approverArn: string;
  /**
   * The apply's time for provisioning and verifying, on a virtual clock its sleeps advance (the
   * backoff: 1 s, doubled): 2,000 ms allows two status reads per run.
   */
  applyBudgetMs: number;
}

/** The diagnose, approval and apply handlers of the hub, wired with the real Identity Center adapters. */
export async function productLoop(
  world: IdentityCenterOnMoto,
  options: ProductLoopOptions,
): Promise<IdentityCenterLoop> {
  const { organization } = world.deployment;
  const { instanceArn } = world.identityCenter;
  const resources = world.functions.resources;
  const hub = world.deployment.clients(organization.hub.id);
  const hubContext = (fn: string, timeoutMs: number): Context => ({
    ...invocationContext(fn, timeoutMs),
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${organization.hub.id}:function:${fn}`,
  });
  const readerOf = (session: {
    sso: ConstructorParameters<typeof SsoAdminIdentityCenterReader>[0];
    identityStore: ConstructorParameters<typeof SsoAdminIdentityCenterReader>[1];
  }) => new SsoAdminIdentityCenterReader(session.sso, session.identityStore, { instanceArn });

  const diagnosing = await world.functions.function('diagnose');
  const diagnoseIdentityCenter = await world.identityCenterSession('diagnose', 'read');
  const diagnose = createDiagnoseHandler({
    accounts: {
      mode: 'organization',
      access: withLocalSimulator(diagnosing.access),
      organization: world.functions.organizationReader(),
      policy: { memberOus: organization.memberOus, excludedAccounts: [] },
    },
    diagnoserFor: accountDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      approvalPolicy: DEFAULT_APPROVAL_POLICY,
      ownResourceArns: [],
      identityCenter: {
        reader: readerOf(diagnoseIdentityCenter),
        simulator: (scps) => new LocalPolicySimulator({ serviceControlPolicyLevels: scps ?? [] }),
        administration: options.administration,
      },
    }),
    decoder: new AwsAuthorizationMessageDecoder(diagnosing.own.sts),
    store: new DynamoDbIncidentStore(diagnosing.own.dynamodb, resources.proposalsTable),
    notifier: new SnsNotifier(diagnosing.own.sns, resources.topicArn),
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: resources.idempotencyTable,
      awsSdkV3Client: diagnosing.own.dynamodb,
    }),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    settings: {
      proposalTtlHours: 72,
      renotifyAfterHours: 24,
      reviewBaseUrl: LOOP_REVIEW_BASE_URL,
      approvalMode: LOOP_APPROVAL_MODE,
    },
    linkMac: LOOP_LINK_MAC,
  });

  const approving = await world.functions.function('approval');
  const approvalIdentityCenter = await world.identityCenterSession('approval', 'read');
  const approval = createApprovalHandler({
    signer: LOOP_DECISION_KEYS.signer,
    accounts: withLocalSimulator(approving.access),
    organization: true,
    store: new DynamoDbIncidentStore(approving.own.dynamodb, resources.proposalsTable),
    applyTrigger: new QueuedApplyInvocations(),
    linkMac: LOOP_LINK_MAC,
    logger: new RecordingLogger(),
    settings: { approvalMode: LOOP_APPROVAL_MODE },
    identityCenter: readerOf(approvalIdentityCenter),
  });

  const applying = await world.functions.function('apply');
  const applyRead = await world.identityCenterSession('apply', 'read');
  const applyWrite = await world.identityCenterSession(
    'apply',
    'apply',
    sourceIdentityFor(options.approverArn),
  );
  const applyWriter = new SsoAdminIdentityCenterWriter(applyWrite.sso);
  let virtualNow = Date.now();
  const applyStore = new DynamoDbIncidentStore(applying.own.dynamodb, resources.proposalsTable);
  const apply = createApplyHandler({
    store: applyStore,
    decisionVerifier: LOOP_DECISION_KEYS.verifier,
    accounts: withLocalSimulator(applying.access),
    escalationReader: new TargetedAccountReader(applying.own.iam),
    decisionLedger: new DynamoDbDecisionLedger(applying.own.dynamodb, resources.proposalsTable),
    writer: new IamPolicyWriter(applying.own.iam),
    simulator: new LocalPolicySimulator(),
    accountReader: (await applying.access.read(organization.memberA.id)).accountReader,
    notifier: new SnsNotifier(applying.own.sns, resources.topicArn),
    events: new EventBridgePublisher(applying.own.eventBridge, resources.eventBusName),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    clock: () => new Date(virtualNow),
    sleep: async (ms) => {
      virtualNow += ms;
    },
    identityCenter: {
      reader: readerOf(applyRead),
      // The apply role's session was taken for options.approverArn (its SourceIdentity); the product
      // asks for the writer of the decision's approver, which must be that one.
      writer: (approver) => {
        if (approver !== options.approverArn) {
          throw new Error(`the apply asked for a writer for ${approver}, not ${options.approverArn}`);
        }
        return applyWriter;
      },
      administration: () => Promise.resolve(options.applyAdministration ?? options.administration),
    },
    settings: {
      accountId: null,
      organization: true,
      protectedRoleArns: [],
      allowedTargetTypes: ['group', 'user', 'role'],
      verifyTimeoutMs: options.applyBudgetMs,
      leaseMs: 90_000,
      reviewBaseUrl: LOOP_REVIEW_BASE_URL,
    },
  });

  return {
    forgetIncidents: async () => {
      // Each scenario is its own incident: an open one of the same (account, entity, role, service)
      // would only count the denial as a repeat.
      const items = await applying.own.dynamodb.send(
        new ScanCommand({ TableName: resources.proposalsTable }),
      );
      for (const item of items.Items ?? []) {
        await applying.own.dynamodb.send(
          new DeleteItemCommand({
            TableName: resources.proposalsTable,
            Key: { pk: item['pk'] as AttributeValue, sk: item['sk'] as AttributeValue },
          }),
        );
      }
    },
    propose: async (record) => {
      const body = JSON.stringify({
        version: '0',
        id: `event-${String(record['eventID'])}`,
        'detail-type': CLOUDTRAIL_API_CALL_DETAIL_TYPE,
        source: 'aws.states',
        account: organization.memberA.id,
        time: '2026-06-20T03:22:09Z',
        region: 'us-east-1',
        resources: [],
        detail: record,
      });
      const message = {
        MessageId: `m-${String(record['eventID'])}`,
        ReceiptHandle: 'r',
        Body: body,
        Attributes: {},
        MessageAttributes: {},
        MD5OfBody: '',
      };
      // What the channel held before (the last scenario's outcome messages) is not this proposal's.
      await receiveAll(hub.sqs, world.functions.teamChannel.url);
      await diagnose(
        sqsEventOf([message], world.deployment.hubQueue.arn),
        hubContext('diagnose', FUNCTION_TIMEOUT.toMilliseconds()),
      );
      const announced = (await receiveAll(hub.sqs, world.functions.teamChannel.url)).map(snsEnvelopeOf);
      const text =
        announced.map((envelope) => envelope.Message).find((body) => reviewLinkIn(body) !== null) ?? '';
      const proposalId = reviewLinkIn(text)?.pathname.split('/').pop() ?? null;
      const stored = proposalId === null ? null : await applyStore.get(proposalId);
      const proposal = stored?.proposal;
      if (stored === null || proposalId === null || proposal === undefined || proposal === null) {
        return { kind: 'no-proposal', record: stored };
      }
      return {
        kind: 'proposed',
        proposal: {
          proposalId,
          target: proposal.target,
          blastRadius: proposal.target.blastRadius as BlastRadius,
          document: proposal.document,
          verified: proposal.verified,
          message: text,
          record: stored,
        },
      };
    },
    approve: async (proposalId, approverArn) => {
      const answer = await approval(
        apiEvent('POST', `/iam/proposals/${proposalId}/approve`, {
          callerArn: approverArn,
          body: '{}',
          headers: { 'content-type': 'application/json' },
        }),
        hubContext('approval', 30_000),
      );
      return typeof answer === 'object' && 'statusCode' in answer ? Number(answer.statusCode) : 0;
    },
    apply: async (proposalId) => {
      const handler = await apply({ proposalId }, hubContext('apply', APPLY_TIMEOUT.toMilliseconds()));
      const after = await applyStore.get(proposalId);
      const outcome = handler === 'provisioning' ? null : (after?.outcome ?? null);
      return {
        handler,
        status: after?.status ?? null,
        kind: outcome?.kind ?? null,
        reason: outcome?.reason ?? null,
      };
    },
  };
}

/** The fixture's Step Functions denial, as it happened to li.wei's session of `set` in member A. */
export function identityCenterDenial(
  world: IdentityCenterOnMoto,
  set: SeededPermissionSet,
  eventId: string,
): Record<string, unknown> {
  const memberA = world.deployment.organization.memberA.id;
  const roleName = world.fake.reservedRoleName(set.name, set.arn, memberA);
  const roleArn = `arn:aws:iam::${memberA}:role${world.fake.reservedRolePath}${roleName}`;
  const sessionArn = `arn:aws:sts::${memberA}:assumed-role/${roleName}/${PEOPLE.liWei}`;
  const passed = world.identityCenter.passedRoleArn;
  const record = JSON.parse(JSON.stringify(passRoleDenial).replaceAll('123456789012', memberA)) as Record<
    string,
    Record<string, unknown>
  > &
    Record<string, unknown>;
  const identity = record.userIdentity as Record<string, unknown>;
  const context = identity.sessionContext as Record<string, Record<string, unknown>>;
  identity.arn = sessionArn;
  context.sessionIssuer = { ...context.sessionIssuer, arn: roleArn, userName: roleName };
  return {
    ...record,
    eventID: eventId,
    awsRegion: 'us-east-1',
    errorMessage: `User: ${sessionArn} is not authorized to perform: iam:PassRole on resource: ${passed} because no identity-based policy allows the iam:PassRole action`,
    requestParameters: { ...record.requestParameters, roleArn: passed },
  };
}
