/**
 * The diagnose function: a Node.js 22 ARM64 Lambda bundled by the local esbuild (never Docker) into
 * one ESM file, fed by the denial queue in batches with partial batch failure reporting.
 *
 * Its role is written out statement by statement: read-only IAM (with AWS's record of a denial,
 * iam:GetRequestAuthorizationDetails), STS decoding, exactly the DynamoDB actions it calls on its two
 * tables, publishing to its topic, kms:GenerateMac on the review-link key (granted by ApprovalKeys),
 * its log group and X-Ray; with autoApprove, invoking the approval function. No IAM write action, ever.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ApprovalMode } from '../../lambda/core/approval/links';
import { DIAGNOSE_AUTO_APPROVE_ENV, DIAGNOSE_ENV } from '../../lambda/settings/diagnose';
import { environmentOf } from '../../lambda/settings/env';
import { ORGANIZATION_WIDE_READS_REASON } from '../organization/hub-access';
import type { ApprovalPolicyProps } from './approval-function';
import {
  acknowledgeAccountAuthorizationReads,
  allowInvoking,
  allowPublishing,
  ACCOUNT_AUTHORIZATION_READ_ACTIONS,
  allowReadingAccountAuthorization,
  allowTableActions,
  defaultPolicyOf,
  HandlerFunction,
  handlerEntry,
  type HandlerFunctionProps,
} from './handler-function';
import { diagnosisReadStatements } from './iam-statements';

export { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, PROJECT_ROOT } from './handler-function';
export const DIAGNOSE_ENTRY = handlerEntry('diagnose');
/** The IAM and STS reads the diagnosis makes (README: "The CLI", live mode). */
export const IAM_READ_ACTIONS = [
  ...ACCOUNT_AUTHORIZATION_READ_ACTIONS,
  'iam:GetInstanceProfile',
  'iam:SimulatePrincipalPolicy',
  'iam:GetContextKeysForPrincipalPolicy',
  'iam:GetRequestAuthorizationDetails',
  'iam:GetInstanceProfile',
] as const;

export const FUNCTION_TIMEOUT = Duration.minutes(2);
export const MAX_BATCHING_WINDOW = Duration.seconds(5);
export const BATCH_SIZE = 10;

/**
 * The DynamoDB actions the diagnose function calls (DynamoDbIncidentStore: findOpenIncident and get
 * GetItem; create a TransactWriteItems of two Puts; the claims, counters and notification marks
 * UpdateItem; Powertools Idempotency its four item calls).
 */
export const DIAGNOSE_PROPOSALS_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;
export const IDEMPOTENCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

export interface DiagnoseFunctionProps extends HandlerFunctionProps {
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
  /** Signs the review links the messages carry (KMS HMAC key: kms:GenerateMac, granted by ApprovalKeys). */
  readonly linkMacKey: kms.IKey;
  readonly approvalMode: ApprovalMode;
  /** approvers, allowAdminRoles, autoApprove (the proposal states what approving it requires). */
  readonly approvalPolicy: ApprovalPolicyProps;
  /** Invoked asynchronously for a new proposal whose level is `none` when autoApprove is no-new-access. */
  readonly approvalFunction: lambda.IFunction;
  /** The stack's own resources' ARNs and ARN patterns (the escalation analysis flags them). */
  readonly ownResourceArns: readonly string[];
  /** The approval API's https URL, no trailing slash: review links start with it. */
  readonly reviewBaseUrl: string;
}

export class DiagnoseFunction extends HandlerFunction {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: DiagnoseFunctionProps) {
    super(
      scope,
      id,
      {
        handler: 'diagnose',
        description: 'PassRole Doctor: diagnoses iam:PassRole denials and proposes a verified fix',
        roleDescription: 'PassRole Doctor diagnose function: read-only IAM, its tables and topic',
        memorySize: 1024,
        timeout: FUNCTION_TIMEOUT,
        environment: {
          ...environmentOf(DIAGNOSE_ENV, {
            proposalsTableName: props.proposalsTable.tableName,
            idempotencyTableName: props.idempotencyTable.tableName,
            topicArn: props.topic.topicArn,
            proposalTtlHours: props.proposalTtlHours,
            renotifyAfterHours: props.renotifyAfterHours,
            reviewBaseUrl: props.reviewBaseUrl,
            approvalMode: props.approvalMode,
            ...props.approvalPolicy,
            ownResourceArns: props.ownResourceArns,
            linkMacKeyId: props.linkMacKey.keyArn,
          }),
          ...(props.approvalPolicy.autoApprove === 'no-new-access'
            ? environmentOf(DIAGNOSE_AUTO_APPROVE_ENV, {
                approvalFunctionName: props.approvalFunction.functionName,
              })
            : {}),
        },
      },
      props,
    );

    // Organization mode reads each member through its read role (HubFunctionOrganization), never here.
    if (props.organization === undefined) {
      allowReadingAccountAuthorization(this.role);
      for (const statement of diagnosisReadStatements()) this.role.addToPrincipalPolicy(statement);
    }

    allowTableActions(this.role, props.proposalsTable, 'ReadAndWriteProposals', {
      item: DIAGNOSE_PROPOSALS_ACTIONS,
    });
    allowTableActions(this.role, props.idempotencyTable, 'RecordIdempotency', { item: IDEMPOTENCY_ACTIONS });
    allowPublishing(this.role, props.topic, props.topicKey, 'PublishProposals');
    if (props.approvalPolicy.autoApprove === 'no-new-access') {
      // Auto-approval asks the approval function, which re-analyses and alone decides and signs.
      allowInvoking(this.role, props.approvalFunction, 'AskForAutoApproval');
    }

    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: BATCH_SIZE,
      maxBatchingWindow: MAX_BATCHING_WINDOW,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency,
    });
    this.function.addEventSource(this.eventSource);

    if (props.organization !== undefined) {
      this.acknowledgeWildcardResources(ORGANIZATION_WIDE_READS_REASON);
      return;
    }
    this.acknowledgeWildcardResources(
      'iam:ListRoles (it lists the whole account, not one role), sts:DecodeAuthorizationMessage ' +
        '(no resource type) and iam:GetRequestAuthorizationDetails (preview; it publishes no resource ' +
        'type) only accept "*"',
    );
    acknowledgeFindings(this.role);
  }
}

/** The other cdk-nag findings this function's design accepts, each as narrow as cdk-nag can name it. */
function acknowledgeFindings(role: iam.Role): void {
  const policy = Validations.of(defaultPolicyOf(role));
  acknowledgeAccountAuthorizationReads(role, 'the denied principal has attached');
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
    reason:
      'iam:GetInstanceProfile reads whichever instance profile of the account an EC2 denial names (read-only).',
  });
  for (const entity of ['user', 'role', 'group']) {
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
      reason:
        `iam:SimulatePrincipalPolicy/GetContextKeysForPrincipalPolicy run as the denied ${entity}, and the ` +
        `targeted reads (Get/List of the entity and its policies) read the ${entity}s an incident involves: ` +
        `any ${entity} of the account (read-only).`,
    });
  }
  policy.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*]',
    reason:
      'iam:GetInstanceProfile reads whichever instance profile of the account a denied EC2 request passed (read-only).',
  });
}
