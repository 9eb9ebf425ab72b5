/**
 * The diagnose function: a Node.js 22 ARM64 Lambda bundled by the local esbuild (never Docker) into
 * one ESM file, fed by the denial queue in batches with partial batch failure reporting.
 *
 * Its role is written out statement by statement: read-only IAM, STS decoding, its two tables,
 * publishing to its topic, reading the review links' signing key, its log group and X-Ray. No IAM
 * write action, ever.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ApprovalMode } from '../settings';
import {
  acknowledgeTableIndexes,
  allowPublishing,
  allowReadingApprovalSigningKey,
  createHandlerFunction,
  defaultPolicyOf,
  handlerEntry,
  iamArn,
  XRAY_WILDCARD_REASON,
} from './handler-function';

export { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, PROJECT_ROOT } from './handler-function';
export const DIAGNOSE_ENTRY = handlerEntry('diagnose');

/** The IAM and STS reads the diagnosis makes (README: "The CLI", live mode). */
export const IAM_READ_ACTIONS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:SimulatePrincipalPolicy',
  'iam:GetContextKeysForPrincipalPolicy',
] as const;

export const FUNCTION_TIMEOUT = Duration.minutes(2);
export const MAX_BATCHING_WINDOW = Duration.seconds(5);
export const BATCH_SIZE = 10;

export interface DiagnoseFunctionProps {
  readonly queue: sqs.IQueue;
  readonly proposalsTable: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly topic: sns.ITopic;
  /** The topic's key: publishing to an encrypted topic needs it. */
  readonly topicKey: kms.IKey;
  readonly proposalTtlHours: number;
  readonly renotifyAfterHours: number;
  /** Lambda's SQS maximumConcurrency (2 to 1000): caps parallel diagnoses so IAM's rate limits hold. */
  readonly maxConcurrency: number;
  /** Signs the review links the messages carry (HMAC key, encrypted with aws/secretsmanager). */
  readonly approvalSecret: secretsmanager.ISecret;
  readonly approvalMode: ApprovalMode;
  /** The approval API's https URL, no trailing slash: review links start with it. */
  readonly reviewBaseUrl: string;
  /** The handler's source. @default lambda/handlers/diagnose/index.ts */
  readonly entry?: string;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
}

export class DiagnoseFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: DiagnoseFunctionProps) {
    super(scope, id);

    const parts = createHandlerFunction(this, {
      description: 'PassRole Doctor: diagnoses iam:PassRole denials and proposes a verified fix',
      roleDescription: 'PassRole Doctor diagnose function: read-only IAM, its tables and topic',
      entry: props.entry ?? DIAGNOSE_ENTRY,
      memorySize: 1024,
      timeout: FUNCTION_TIMEOUT,
      logRetention: props.logRetention,
      environment: {
        PROPOSALS_TABLE_NAME: props.proposalsTable.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        TOPIC_ARN: props.topic.topicArn,
        PROPOSAL_TTL_HOURS: String(props.proposalTtlHours),
        RENOTIFY_AFTER_HOURS: String(props.renotifyAfterHours),
        APPROVAL_SECRET_ARN: props.approvalSecret.secretArn,
        APPROVAL_MODE: props.approvalMode,
        REVIEW_BASE_URL: props.reviewBaseUrl,
      },
    });
    this.function = parts.function;
    this.role = parts.role;
    this.logGroup = parts.logGroup;

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAccountAuthorizationDetails',
        // GetAccountAuthorizationDetails has no resource type: IAM only accepts "*".
        actions: ['iam:GetAccountAuthorizationDetails'],
        resources: ['*'],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadManagedPolicies',
        actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
        resources: [iamArn('aws', 'policy/*'), iamArn(Aws.ACCOUNT_ID, 'policy/*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SimulateAccountPrincipals',
        actions: ['iam:SimulatePrincipalPolicy', 'iam:GetContextKeysForPrincipalPolicy'],
        resources: ['user/*', 'role/*', 'group/*'].map((resource) => iamArn(Aws.ACCOUNT_ID, resource)),
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecodeEc2AuthorizationMessages',
        // DecodeAuthorizationMessage has no resource type either.
        actions: ['sts:DecodeAuthorizationMessage'],
        resources: ['*'],
      }),
    );

    props.proposalsTable.grantReadWriteData(this.role);
    props.idempotencyTable.grantReadWriteData(this.role);
    allowPublishing(this.role, props.topic, props.topicKey, 'PublishProposals');
    allowReadingApprovalSigningKey(this.role, props.approvalSecret);

    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: BATCH_SIZE,
      maxBatchingWindow: MAX_BATCHING_WINDOW,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency,
    });
    this.function.addEventSource(this.eventSource);

    acknowledgeFindings(this.role, props.proposalsTable);
  }
}

/** The cdk-nag findings this function's design accepts, each as narrow as cdk-nag can name it. */
function acknowledgeFindings(role: iam.Role, proposalsTable: dynamodb.ITable): void {
  const policy = Validations.of(defaultPolicyOf(role));
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Three actions only accept "*": iam:GetAccountAuthorizationDetails and sts:DecodeAuthorizationMessage ' +
      `have no resource type, and ${XRAY_WILDCARD_REASON}`,
  });
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::aws:policy/*]',
    reason:
      'iam:GetPolicy/GetPolicyVersion read whichever AWS managed policy the denied principal has attached.',
  });
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/*]',
    reason:
      "iam:GetPolicy/GetPolicyVersion read whichever of the account's customer managed policies is attached.",
  });
  for (const entity of ['user', 'role', 'group']) {
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
      reason: `iam:SimulatePrincipalPolicy/GetContextKeysForPrincipalPolicy run as the denied ${entity}, any ${entity} of the account (read-only).`,
    });
  }
  acknowledgeTableIndexes(
    role,
    proposalsTable,
    "Table.grantReadWriteData covers the proposals table's indexes (byStatus) for Query.",
  );
}
