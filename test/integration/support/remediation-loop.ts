/**
 * The product's three functions wired as their entries wire them (lambda/handlers/{diagnose,approval,
 * apply}/index.ts), every AWS call going to an endpoint of the test's choosing (moto, or the fault
 * proxy in front of it). Two substitutions, both because moto lacks what AWS has: the simulator is the
 * local one over what moto's IAM holds (no SimulatePrincipalPolicy), and the apply function reads the
 * account for it. The link MAC and decision keys are in-process keys instead of KMS; the apply
 * trigger is the test's (Lambda's async invoke, played in-process). The approval function signs its
 * decisions with LOOP_DECISION_KEYS, whose verifier the apply step and the reconciler use; both read R
 * and the target with the TargetedAccountReader, as their entries do.
 */
import { randomUUID } from 'node:crypto';
import { ownAccountOnly } from '../../support/diagnose-accounts';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { MiddlewareStack } from '@aws-sdk/types';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { TargetedAccountReader } from '../../../lambda/adapters/aws/targeted-account-reader';
import { AwsAuthorizationMessageDecoder } from '../../../lambda/adapters/aws/aws-authorization-message-decoder';
import { DynamoDbDecisionLedger } from '../../../lambda/adapters/aws/dynamodb-decision-ledger';
import { DynamoDbIncidentStore } from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { signDecision, type SignedDecision } from '../../../lambda/core/approval/signed-decision';
import { escalationFingerprint } from '../../../lambda/core/escalation/fingerprint';
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { ApplyDependencies } from '../../../lambda/core/apply/apply-proposal';
import { linkMacOf } from '../../support/link-tokens';
import { EventBridgePublisher } from '../../../lambda/adapters/aws/eventbridge-publisher';
import { IamPolicyWriter } from '../../../lambda/adapters/aws/iam-policy-writer';
import { SnsNotifier } from '../../../lambda/adapters/aws/sns-notifier';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import type { ApprovalMode } from '../../../lambda/core/approval/links';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { createApplyHandler, type ApplyHandler } from '../../../lambda/handlers/apply/handler';
import { createApprovalHandler, type ApprovalHandler } from '../../../lambda/handlers/approval/handler';
import { createReconcileHandler, type ReconcileHandler } from '../../../lambda/handlers/reconcile/handler';
import type { ReconcileSettings } from '../../../lambda/core/apply/reconcile';
import { createDiagnoseHandler, type DiagnoseHandler } from '../../../lambda/handlers/diagnose/handler';
import type { ApplyTrigger } from '../../../lambda/ports/apply-trigger';
import { lambdaContext, RecordingLogger, RecordingMetrics } from '../../handlers/diagnose/support';
import { MOTO_ACCOUNT_ID, MOTO_REGION } from './aws-clients';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';

/**
 * The retry settings of the functions' clients, as their entries build them: IAM with 6 attempts in
 * adaptive mode (lambda/handlers/diagnose/index.ts, lambda/handlers/apply/index.ts), every other
 * client with the SDK's defaults (standard mode, 3 attempts). The fault test checks the entries still
 * say so.
 */
export const PRODUCTION_RETRIES = {
  iam: { maxAttempts: 6, retryMode: 'adaptive' },
  other: {},
} as const;

/** The link MAC key the functions share (a KMS HMAC key in the stack). */
export const LOOP_SIGNING_KEY = 'whole-loop-link-signing-key-'.padEnd(64, 'k');
export const LOOP_LINK_MAC = linkMacOf(LOOP_SIGNING_KEY);
/** The decision signing key pair (a KMS ECC_NIST_P256 key in the stack). */
export const LOOP_DECISION_KEYS = new LocalDecisionKeys(
  'arn:aws:kms:us-east-1:123456789012:key/loop-decisions',
);
/** What the apply step verifies decisions with: the loop's key, R re-read through `iam`, the ledger. */
export function decisionPorts(
  iam: IAMClient,
  dynamodb: DynamoDBClient,
  proposalsTable: string,
): Pick<ApplyDependencies, 'decisionVerifier' | 'escalationReader' | 'decisionLedger'> {
  return {
    decisionVerifier: LOOP_DECISION_KEYS.verifier,
    escalationReader: new TargetedAccountReader(iam),
    decisionLedger: new DynamoDbDecisionLedger(dynamodb, proposalsTable),
  };
}
/**
 * The decision the approval function would sign for `record` now (for a test that approves by hand):
 * signed with LOOP_DECISION_KEYS over R and the target as the TargetedAccountReader reads them through `iam`.
 */
export async function loopDecisionFor(
  record: IncidentRecord,
  iam: IAMClient,
  at: Date,
): Promise<SignedDecision> {
  const proposal = record.proposal;
  if (proposal === null || record.documentHash === null) throw new Error('no proposal to sign');
  const roleArn = record.denial.roleArn;
  if (roleArn === null) throw new Error('the denial names no role');
  const inputs = await new TargetedAccountReader(iam).readEscalationInputs(roleArn, proposal.target);
  if (inputs.role === null) throw new Error(`${roleArn} was not read`);
  const fingerprint = escalationFingerprint(inputs.role, inputs.gainers);
  const { type, name, arn } = proposal.target;
  return signDecision(LOOP_DECISION_KEYS.signer, {
    decisionId: randomUUID(),
    proposalId: record.id,
    account: record.denial.account,
    documentHash: record.documentHash,
    target: { type, name, arn },
    policyName: proposal.policyName,
    escalationLevel: proposal.escalation?.kind === 'analysed' ? proposal.escalation.level : 'contained',
    rolePoliciesHash: fingerprint.rolePolicies,
    membershipHash: fingerprint.membership,
    approvers: [{ kind: 'link-holder', name: 'link holder', identity: 'link holder' }],
    decidedAt: at.toISOString(),
    expiresAt: record.expiresAt,
  });
}

/** The approval API's base URL the messages' review links start with. */
export const LOOP_REVIEW_BASE_URL = 'https://review.passrole-doctor.test';
export const LOOP_APPROVAL_MODE: ApprovalMode = 'both';

export interface LoopClientOptions {
  /** Socket timeout of every call (the SDK gives up on an answer this late and retries). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

export interface LoopClients {
  iam: IAMClient;
  sts: STSClient;
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  destroy(): void;
}

/**
 * Jest runs a test file in a vm context, so Node's own errors (a socket hang up, a timeout) come from
 * another realm: they fail `instanceof Error` and `instanceof Object`, and the SDK hands the caller a
 * wrapper that lost their name and code, which the product then cannot tell for transient. Lambda has
 * one realm. This copies such errors into the test's realm, below the retry middleware, so the SDK
 * retries and the product classifies exactly as they would on Lambda.
 */
export function sameRealmErrors<Input extends object, Output extends object>(
  middlewareStack: MiddlewareStack<Input, Output>,
): void {
  middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error || typeof error !== 'object' || error === null) throw error;
        const foreign = error as { name?: unknown; message?: unknown };
        const copy = new Error(typeof foreign.message === 'string' ? foreign.message : String(error));
        throw Object.assign(copy, error, { name: typeof foreign.name === 'string' ? foreign.name : 'Error' });
      }
    },
    { step: 'deserialize', name: 'sameRealmErrors', priority: 'low' },
  );
}

/** One container's clients, with the functions' retry settings, pointed at `endpoint`. */
export function createLoopClients(endpoint: string, options: LoopClientOptions = {}): LoopClients {
  const base = {
    endpoint,
    region: MOTO_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    ...(options.requestTimeoutMs !== undefined || options.connectionTimeoutMs !== undefined
      ? {
          requestHandler: {
            requestTimeout: options.requestTimeoutMs,
            connectionTimeout: options.connectionTimeoutMs,
            // Without it the SDK only warns about a late answer and keeps waiting.
            throwOnRequestTimeout: true,
          },
        }
      : {}),
  };
  const clients = {
    iam: new IAMClient({ ...base, ...PRODUCTION_RETRIES.iam }),
    sts: new STSClient({ ...base, ...PRODUCTION_RETRIES.other }),
    dynamodb: new DynamoDBClient({ ...base, ...PRODUCTION_RETRIES.other }),
    sns: new SNSClient({ ...base, ...PRODUCTION_RETRIES.other }),
    eventBridge: new EventBridgeClient({ ...base, ...PRODUCTION_RETRIES.other }),
  };
  sameRealmErrors(clients.iam.middlewareStack);
  sameRealmErrors(clients.sts.middlewareStack);
  sameRealmErrors(clients.dynamodb.middlewareStack);
  sameRealmErrors(clients.sns.middlewareStack);
  sameRealmErrors(clients.eventBridge.middlewareStack);
  return {
    ...clients,
    destroy: () => {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** Where the stack's resources are, as the functions' environments name them. */
export interface LoopResources {
  proposalsTable: string;
  idempotencyTable: string;
  topicArn: string;
  eventBusName: string;
}

export interface DiagnoseFunction {
  handler: DiagnoseHandler;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
}

export function createDiagnoseFunction(clients: LoopClients, resources: LoopResources): DiagnoseFunction {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = createDiagnoseHandler({
    ...ownAccountOnly(
      (() => {
        const reader = new TargetedAccountReader(clients.iam);
        return createDiagnoser({
          authorizationRecords: new InMemoryAuthorizationRecordReader(),
          accountReader: reader,
          simulator: new LocalPolicySimulator(),
          instanceProfiles: reader,
          escalation: defaultEscalationDependencies(reader),
        });
      })(),
    ),
    decoder: new AwsAuthorizationMessageDecoder(clients.sts),
    store: new DynamoDbIncidentStore(clients.dynamodb, resources.proposalsTable),
    notifier: new SnsNotifier(clients.sns, resources.topicArn),
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: resources.idempotencyTable,
      awsSdkV3Client: clients.dynamodb,
    }),
    logger,
    metrics,
    settings: {
      proposalTtlHours: 72,
      renotifyAfterHours: 24,
      reviewBaseUrl: LOOP_REVIEW_BASE_URL,
      approvalMode: LOOP_APPROVAL_MODE,
    },
    linkMac: LOOP_LINK_MAC,
  });
  return { handler, logger, metrics };
}

export interface ApprovalFunction {
  handler: ApprovalHandler;
  logger: RecordingLogger;
}

export function createApprovalFunction(
  clients: LoopClients,
  resources: LoopResources,
  applyTrigger: ApplyTrigger,
): ApprovalFunction {
  const logger = new RecordingLogger();
  // As lambda/handlers/approval/index.ts wires it: the real analysis over the account re-read live.
  const accountReader = new TargetedAccountReader(clients.iam);
  const handler = createApprovalHandler({
    signer: LOOP_DECISION_KEYS.signer,
    escalationReader: accountReader,
    rolePaths: accountReader,
    store: new DynamoDbIncidentStore(clients.dynamodb, resources.proposalsTable),
    applyTrigger,
    linkMac: LOOP_LINK_MAC,
    logger,
    settings: { approvalMode: LOOP_APPROVAL_MODE },
  });
  return { handler, logger };
}

export interface ApplyFunction {
  handler: ApplyHandler;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
}

export interface ApplyFunctionOptions {
  /** How long verification may wait for IAM to propagate (moto is consistent at once). */
  verifyTimeoutMs?: number;
  /** The wait between re-simulations (a test with a fake clock advances it instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}

export function createApplyFunction(
  clients: LoopClients,
  resources: LoopResources,
  options: ApplyFunctionOptions = {},
): ApplyFunction {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const verifyTimeoutMs = options.verifyTimeoutMs ?? 30_000;
  const handler = createApplyHandler({
    store: new DynamoDbIncidentStore(clients.dynamodb, resources.proposalsTable),
    ...decisionPorts(clients.iam, clients.dynamodb, resources.proposalsTable),
    writer: new IamPolicyWriter(clients.iam),
    simulator: new LocalPolicySimulator(),
    // The local simulator evaluates what it reads; IAM's own would need no read.
    accountReader: new TargetedAccountReader(clients.iam),
    notifier: new SnsNotifier(clients.sns, resources.topicArn),
    events: new EventBridgePublisher(clients.eventBridge, resources.eventBusName),
    logger,
    metrics,
    ...(options.sleep !== undefined ? { sleep: options.sleep } : {}),
    settings: {
      accountId: MOTO_ACCOUNT_ID,
      protectedRoleArns: [],
      allowedTargetTypes: ['group', 'user', 'role'],
      verifyTimeoutMs,
      leaseMs: verifyTimeoutMs + 60_000,
      reviewBaseUrl: LOOP_REVIEW_BASE_URL,
    },
  });
  return { handler, logger, metrics };
}

export interface ReconcileFunction {
  handler: ReconcileHandler;
  logger: RecordingLogger;
}

/** The reconciler as its entry wires it, asking `applyTrigger` for the applies that did not finish. */
export function createReconcileFunction(
  clients: LoopClients,
  resources: LoopResources,
  applyTrigger: ApplyTrigger,
  settings: ReconcileSettings,
): ReconcileFunction {
  const logger = new RecordingLogger();
  const handler = createReconcileHandler({
    store: new DynamoDbIncidentStore(clients.dynamodb, resources.proposalsTable),
    trigger: applyTrigger,
    decisionVerifier: LOOP_DECISION_KEYS.verifier,
    logger,
    metrics: new RecordingMetrics(),
    settings,
  });
  return { handler, logger };
}

/** A Lambda context for one invocation of a function with this timeout. */
export function invocationContext(functionName: string, timeoutMs: number): Context {
  return {
    ...lambdaContext(timeoutMs),
    functionName,
    invokedFunctionArn: `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:function:${functionName}`,
  };
}

/**
 * Lambda's asynchronous invoke, played in-process: requestApply queues `{proposalId}` and returns at
 * once (202); the test runs the queued invocations when it chooses, as Lambda would run them after
 * the approval answered.
 */
export class QueuedApplyInvocations implements ApplyTrigger {
  readonly queued: { proposalId: string }[] = [];
  /** Every event ever queued. */
  readonly requested: string[] = [];

  async requestApply(proposalId: string): Promise<void> {
    this.queued.push({ proposalId });
    this.requested.push(proposalId);
  }

  /** Takes the queued events, oldest first. */
  take(): { proposalId: string }[] {
    return this.queued.splice(0, this.queued.length);
  }
}

/** An SQS message as the Lambda event source mapping hands it to the function. */
export function sqsRecordOf(message: Message, queueArn: string, receiveCount?: number): SQSRecord {
  const attributes: Partial<Record<string, string>> = message.Attributes ?? {};
  const attribute = (name: string, fallback: string): string => attributes[name] ?? fallback;
  const now = String(Date.now());
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount:
        receiveCount !== undefined ? String(receiveCount) : attribute('ApproximateReceiveCount', '1'),
      SentTimestamp: attribute('SentTimestamp', now),
      SenderId: attribute('SenderId', 'AIDAEXAMPLE'),
      ApproximateFirstReceiveTimestamp: attribute('ApproximateFirstReceiveTimestamp', now),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: MOTO_REGION,
  };
}

export function sqsEventOf(messages: Message[], queueArn: string): SQSEvent {
  return { Records: messages.map((message) => sqsRecordOf(message, queueArn)) };
}

/** SNS's notification envelope, as an SQS subscription without raw delivery receives it. */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
}

export function snsEnvelopeOf(message: Message): SnsEnvelope {
  return JSON.parse(message.Body ?? '{}') as SnsEnvelope;
}

/** The signed review link a message carries (`Review: https://.../proposals/<id>?token=...`). */
export function reviewLinkIn(text: string): URL | null {
  const escaped = LOOP_REVIEW_BASE_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}/proposals/[^\\s?]+\\?token=[^\\s]+`).exec(text);
  return match ? new URL(match[0]) : null;
}
