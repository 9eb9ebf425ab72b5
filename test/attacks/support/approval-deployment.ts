/**
 * One deployment of the approval flow on moto for the handler-level attacks: the real approval,
 * apply and reconcile handlers wired as their entries wire them (as test/integration/support/
 * remediation-loop.ts does), over a fresh proposals table, moto's IAM (the attack account), and
 * Lambda's asynchronous invoke of the apply function played in-process. Proposals are made by the
 * product's own diagnosis of a denial. Every IAM call of the apply function is recorded: a case
 * asserts none of them wrote.
 */
import { GetGroupPolicyCommand, IAMClient, ListGroupPoliciesCommand } from '@aws-sdk/client-iam';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { TargetedAccountReader } from '../../../lambda/adapters/aws/targeted-account-reader';
import { recordAwsCalls, type AwsCallRecord } from '../../../lambda/adapters/aws/aws-call-recorder';
import { DynamoDbIncidentStore, toProposalItem } from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { IamPolicyWriter } from '../../../lambda/adapters/aws/iam-policy-writer';
import { DynamoDbDecisionLedger } from '../../../lambda/adapters/aws/dynamodb-decision-ledger';
import { KmsDecisionSigner, KmsDecisionVerifier } from '../../../lambda/adapters/aws/kms-decision-keys';
import { KmsLinkMac } from '../../../lambda/adapters/aws/kms-link-mac';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { InMemoryEventPublisher } from '../../../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../../lambda/adapters/memory/in-memory-notifier';
import { approvalClaimsOf, type ApprovalMode } from '../../../lambda/core/approval/links';
import type { AutoApprove } from '../../../lambda/core/approval/requirement';
import { signApprovalToken } from '../../../lambda/core/approval/token';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../../../lambda/core/incident';
import type { Denial } from '../../../lambda/core/model';
import { createApplyHandler, type ApplyHandler } from '../../../lambda/handlers/apply/handler';
import {
  createApprovalFunction,
  type ApprovalFunction,
  type AutoApproveResult,
} from '../../../lambda/handlers/approval/function-entry';
import type { ApprovalEvent, ApprovalResponse } from '../../../lambda/handlers/approval/handler';
import { createReconcileHandler, type ReconcileHandler } from '../../../lambda/handlers/reconcile/handler';
import { RecordingLogger, RecordingMetrics } from '../../handlers/diagnose/support';
import {
  createMotoClients,
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  motoClientConfig,
  type MotoClients,
} from '../../integration/support/aws-clients';
import { createProposalsTable } from '../../integration/support/proposal-tables';
import { QueuedApplyInvocations } from '../../integration/support/remediation-loop';
import { TARGET_GROUP } from './attack-account';
import { renderSummary } from '../../../lambda/core/render/diagnosis-summary';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';

/** The approval function's settings a case deploys with (the names). */
export interface DeploymentSettings {
  /** APPROVERS: ARN patterns allowed on the IAM routes. */
  approvers: string[];
  /** ALLOW_ADMIN_ROLES. */
  allowAdminRoles: boolean;
  approvalMode: ApprovalMode;
  /** AUTO_APPROVE. */
  autoApprove: AutoApprove;
}

export const API_ORIGIN = 'https://abc123.execute-api.us-east-1.amazonaws.com';
const API_DOMAIN = new URL(API_ORIGIN).host;

let tableCounter = 0;

/** The stack's own resources, as the stack's OWN_RESOURCE_ARNS names them (lib/passrole-remediation.ts). */
const OWN_RESOURCE_ARNS = [
  `arn:aws:dynamodb:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:table/PassRoleDoctor-ProposalsTable-ATTACK`,
  `arn:aws:kms:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:key/00000000-0000-0000-0000-000000000001`,
  `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:function:PassRoleDoctor-*`,
  `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/PassRoleDoctor-*`,
  `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/PassRoleDoctor-*`,
  `arn:aws:events:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:rule/PassRoleDoctor-*`,
  `arn:aws:kms:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:alias/PassRoleDoctor/*`,
];

/** The two KMS keys the stack makes, in moto's KMS (which signs, verifies and computes MACs). */
export interface DeploymentKeys {
  /** ECC_NIST_P256 SIGN_VERIFY: DECISION_SIGNING_KEY_ID. */
  decisionKeyId: string;
  /** HMAC_256 GENERATE_VERIFY_MAC: LINK_MAC_KEY_ID. */
  linkKeyId: string;
}

let sharedKeys: Promise<DeploymentKeys> | null = null;

/** Made once per test file (moto keeps them until it is reset). */
function deploymentKeys(): Promise<DeploymentKeys> {
  sharedKeys ??= (async () => {
    const kms = new KMSClient(motoClientConfig());
    try {
      const decision = await kms.send(
        new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      );
      const link = await kms.send(
        new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
      );
      const decisionKeyId = decision.KeyMetadata?.Arn;
      const linkKeyId = link.KeyMetadata?.Arn;
      if (decisionKeyId === undefined || linkKeyId === undefined) throw new Error('moto made no key ARN');
      return { decisionKeyId, linkKeyId };
    } finally {
      kms.destroy();
    }
  })();
  return sharedKeys;
}

/** Forgets the keys of a moto that was reset. */
export function forgetDeploymentKeys(): void {
  sharedKeys = null;
}

export class ApprovalDeployment {
  readonly clients: MotoClients;
  /** The apply function's IAM calls (its own client, so only its calls are here). */
  readonly applyIamCalls: AwsCallRecord[];
  readonly store: DynamoDbIncidentStore;
  /** The approval function as its entry builds it: HTTP events and the auto-approval invoke. */
  readonly approval: ApprovalFunction;
  readonly apply: ApplyHandler;
  readonly reconcile: ReconcileHandler;
  readonly applyInvocations = new QueuedApplyInvocations();
  private readonly applyIam: IAMClient;
  private readonly approvalIam: IAMClient;

  readonly kms: KMSClient;
  /** The diagnose function makes review-link tokens with it; the approval function checks them. */
  private readonly linkMac: KmsLinkMac;

  private constructor(
    readonly tableName: string,
    readonly settings: DeploymentSettings,
    readonly keys: DeploymentKeys,
  ) {
    this.clients = createMotoClients();
    this.kms = new KMSClient(motoClientConfig());
    this.linkMac = new KmsLinkMac(this.kms, keys.linkKeyId);
    // The approval function reads the account as its entry does (the re-check at decision time).
    const approvalIam = new IAMClient(motoClientConfig());
    this.approvalIam = approvalIam;
    const escalationReader = new TargetedAccountReader(approvalIam);
    this.applyIam = new IAMClient(motoClientConfig());
    this.applyIamCalls = recordAwsCalls(this.applyIam);
    this.store = new DynamoDbIncidentStore(this.clients.dynamodb, tableName);
    this.approval = createApprovalFunction({
      store: this.store,
      applyTrigger: this.applyInvocations,
      linkMac: this.linkMac,
      signer: new KmsDecisionSigner(this.kms, keys.decisionKeyId),
      escalationReader,
      rolePaths: escalationReader,
      logger: new RecordingLogger(),
      settings: {
        approvalMode: settings.approvalMode,
        approvers: settings.approvers,
        allowAdminRoles: settings.allowAdminRoles,
        autoApprove: settings.autoApprove,
        ownResourceArns: OWN_RESOURCE_ARNS,
      },
    });
    this.apply = createApplyHandler({
      store: this.store,
      writer: new IamPolicyWriter(this.applyIam),
      // Verified with the key named in the function's own settings, never in the record.
      decisionVerifier: new KmsDecisionVerifier(this.kms, keys.decisionKeyId),
      escalationReader: new TargetedAccountReader(this.applyIam),
      decisionLedger: new DynamoDbDecisionLedger(this.clients.dynamodb, tableName),
      simulator: new LocalPolicySimulator(),
      accountReader: new TargetedAccountReader(this.applyIam),
      notifier: new InMemoryNotifier(),
      events: new InMemoryEventPublisher(),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      sleep: () => Promise.reject(new Error('moto is consistent at once: verification should not wait')),
      settings: {
        accountId: MOTO_ACCOUNT_ID,
        protectedRoleArns: [],
        allowedTargetTypes: ['group', 'user', 'role'],
        verifyTimeoutMs: 30_000,
        leaseMs: 90_000,
        reviewBaseUrl: API_ORIGIN,
      },
    });
    this.reconcile = createReconcileHandler({
      store: this.store,
      trigger: this.applyInvocations,
      decisionVerifier: new KmsDecisionVerifier(this.kms, keys.decisionKeyId),
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      // Everything approved is stalled at once: the forged item is picked up on the first run.
      settings: { graceMs: 0, announceWithinMs: 60 * 60 * 1000, limitPerStatus: 50 },
    });
  }

  static async create(settings: Partial<DeploymentSettings> = {}): Promise<ApprovalDeployment> {
    tableCounter += 1;
    const tableName = `attack-proposals-${tableCounter}`;
    const deployment = new ApprovalDeployment(
      tableName,
      {
        approvers: settings.approvers ?? [],
        allowAdminRoles: settings.allowAdminRoles ?? false,
        approvalMode: settings.approvalMode ?? 'both',
        autoApprove: settings.autoApprove ?? 'off',
      },
      await deploymentKeys(),
    );
    await createProposalsTable(deployment.clients.dynamodb, tableName);
    return deployment;
  }

  destroy(): void {
    this.clients.destroy();
    this.applyIam.destroy();
    this.approvalIam.destroy();
    this.kms.destroy();
  }

  /** The diagnose function's work for one denial: a pending proposal in the table. */
  async propose(denial: Denial): Promise<IncidentRecord> {
    const { approvers, allowAdminRoles, approvalMode, autoApprove } = this.settings;
    const reader = new TargetedAccountReader(this.clients.iam);
    const diagnosis = await createDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      accountReader: reader,
      simulator: new LocalPolicySimulator(),
      instanceProfiles: reader,
      // As the diagnose function's entry: one reader, the deployment's approval settings.
      escalation: {
        reader,
        approvalPolicy: {
          settings: { approvers, allowAdminRoles, approvalMode, autoApprove },
          source: 'deployment',
        },
        ownResourceArns: OWN_RESOURCE_ARNS,
      },
    }).diagnose(denial);
    if (diagnosis.outcome !== 'proposed')
      throw new Error(`no proposal for ${denial.roleArn}: ${renderSummary(diagnosis)}`);
    const record = newIncidentRecord({
      id: `p-${randomUUID().slice(0, 12)}`,
      incidentKey: incidentKeyOf(denial),
      diagnosis: { ...diagnosis, denial },
      now: new Date(),
      ttlHours: 72,
    });
    const created = await this.store.create(record, new Date());
    if (created.kind !== 'created') throw new Error(`proposal not stored: ${created.kind}`);
    return record;
  }

  /** The review-link token the proposal's message carries. */
  async linkToken(record: IncidentRecord): Promise<string> {
    const claims = approvalClaimsOf(record);
    if (claims === null) throw new Error('nothing to sign');
    return signApprovalToken(claims, this.linkMac);
  }

  /** An IAM-route decision as API Gateway hands it over after SigV4 (or as a direct invoke makes it up). */
  decideAsIam(
    proposalId: string,
    callerArn: string,
    decision: 'approve' | 'reject' = 'approve',
  ): Promise<ApprovalResponse> {
    return this.http(
      httpEvent('POST', `/iam/proposals/${proposalId}/${decision}`, { callerArn, body: '{}' }),
    );
  }

  /** The direct invoke the diagnose function makes for a new proposal (here, made by anyone). */
  async autoApproveInvoke(proposalId: string): Promise<AutoApproveResult> {
    const result = await this.approval({ source: 'passrole-doctor.auto-approve', proposalId });
    if ('statusCode' in result) throw new Error('the auto-approval invoke got an HTTP answer');
    return result;
  }

  private async http(event: ApprovalEvent): Promise<ApprovalResponse> {
    const result = await this.approval(event);
    if (!('statusCode' in result)) throw new Error(`an HTTP event got ${JSON.stringify(result)}`);
    return result;
  }

  /** The review page's form POST, with the browser's headers of the case's choosing. */
  /** The review page a reviewer opens from the message's link. */
  reviewPage(proposalId: string, token: string): Promise<ApprovalResponse> {
    return this.http(httpEvent('GET', `/proposals/${proposalId}`, { query: { token } }));
  }

  decideByLink(
    proposalId: string,
    token: string,
    headers: Record<string, string> = { origin: API_ORIGIN, 'sec-fetch-site': 'same-origin' },
  ): Promise<ApprovalResponse> {
    return this.http(
      httpEvent('POST', `/proposals/${proposalId}/approve`, {
        body: new URLSearchParams({ token }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
    );
  }

  /** Runs the apply invocations the approval queued, as Lambda would after answering. */
  async runQueuedApplies(): Promise<string[]> {
    const outcomes: string[] = [];
    for (const event of this.applyInvocations.take()) outcomes.push(await this.apply(event));
    return outcomes;
  }

  /** One reconciler run, then the applies it asked for. */
  async reconcileAndApply(): Promise<string[]> {
    await this.reconcile({});
    return this.runQueuedApplies();
  }

  /** A raw item written straight into the table, as an attacker with dynamodb:PutItem would. */
  async putForgedItem(record: IncidentRecord): Promise<void> {
    await this.clients.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(toProposalItem(record), {
          removeUndefinedValues: true,
          convertClassInstanceToMap: true,
        }),
      }),
    );
  }

  /** The IAM writes the apply function made. */
  iamWrites(): string[] {
    return this.applyIamCalls
      .map((call) => call.command.replace(/Command$/, ''))
      .filter((command) => /^(Put|Attach|Create|Delete|Update)/.test(command));
  }

  /** The target group's inline policies as moto's IAM holds them. */
  async groupPolicies(): Promise<Record<string, unknown>> {
    const listed = await this.clients.iam.send(new ListGroupPoliciesCommand({ GroupName: TARGET_GROUP }));
    const out: Record<string, unknown> = {};
    for (const name of listed.PolicyNames ?? []) {
      const policy = await this.clients.iam.send(
        new GetGroupPolicyCommand({ GroupName: TARGET_GROUP, PolicyName: name }),
      );
      out[name] = JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '{}'));
    }
    return out;
  }

  async status(proposalId: string): Promise<string | null> {
    return (await this.store.get(proposalId))?.status ?? null;
  }
}

interface HttpEventOptions {
  callerArn?: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** API Gateway HTTP API's payload 2.0 event; link routes carry no authorizer block. */
export function httpEvent(method: string, path: string, options: HttpEventOptions = {}): ApprovalEvent {
  const event = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: API_DOMAIN, 'user-agent': 'Mozilla/5.0 attack-suite', ...options.headers },
    requestContext: {
      accountId: MOTO_ACCOUNT_ID,
      apiId: 'abc123',
      domainName: API_DOMAIN,
      domainPrefix: 'abc123',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.66',
        userAgent: 'Mozilla/5.0 attack-suite',
      },
      requestId: `attack-${randomUUID()}`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '06/Dec/2026:21:00:00 +0000',
      timeEpoch: Date.now(),
      ...(options.callerArn !== undefined
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLE',
                accountId: MOTO_ACCOUNT_ID,
                callerId: 'AROAEXAMPLE:session',
                cognitoIdentity: null,
                principalOrgId: '',
                userArn: options.callerArn,
                userId: 'AROAEXAMPLE:session',
              },
            },
          }
        : {}),
    },
    isBase64Encoded: false,
    ...(options.query !== undefined
      ? {
          queryStringParameters: options.query,
          rawQueryString: new URLSearchParams(options.query).toString(),
        }
      : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
  return event as ApprovalEvent;
}
