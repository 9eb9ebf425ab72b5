/**
 * The approval function behind the HTTP API: renders review pages, checks link tokens (HMAC key from
 * Secrets Manager) or takes the caller's IAM identity from the AWS_IAM routes, moves proposals
 * forward by conditional writes, and starts the apply function asynchronously for an approval.
 *
 * Its role: its log group, X-Ray, the proposals table, GetSecretValue on the signing key, and
 * lambda:InvokeFunction on the apply function only. No IAM action at all: applying is the apply
 * function's job, behind its own role.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ApprovalMode } from '../settings';
import {
  acknowledgeTableIndexes,
  allowReadingApprovalSigningKey,
  allowStartingApply,
  createHandlerFunction,
  defaultPolicyOf,
  handlerEntry,
  XRAY_WILDCARD_REASON,
} from './handler-function';

export const APPROVAL_ENTRY = handlerEntry('approval');
/** Well under the HTTP API's 30-second integration limit: a page or a decision is a few DynamoDB calls. */
export const APPROVAL_TIMEOUT = Duration.seconds(15);

export interface ApprovalFunctionProps {
  readonly proposalsTable: dynamodb.ITable;
  readonly approvalSecret: secretsmanager.ISecret;
  /** Invoked asynchronously (InvocationType Event) once a proposal is approved. */
  readonly applyFunction: lambda.IFunction;
  readonly approvalMode: ApprovalMode;
  /** The handler's source. @default lambda/handlers/approval/index.ts */
  readonly entry?: string;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
}

export class ApprovalFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApprovalFunctionProps) {
    super(scope, id);

    const parts = createHandlerFunction(this, {
      description: 'PassRole Doctor: review pages and approvals (links and IAM-signed requests)',
      roleDescription: 'PassRole Doctor approval function: its table, the link signing key, starting apply',
      entry: props.entry ?? APPROVAL_ENTRY,
      // More memory is more CPU: a reviewer waits for the cold start of this one.
      memorySize: 1024,
      timeout: APPROVAL_TIMEOUT,
      logRetention: props.logRetention,
      environment: {
        PROPOSALS_TABLE_NAME: props.proposalsTable.tableName,
        APPROVAL_SECRET_ARN: props.approvalSecret.secretArn,
        APPLY_FUNCTION_NAME: props.applyFunction.functionName,
        APPROVAL_MODE: props.approvalMode,
      },
    });
    this.function = parts.function;
    this.role = parts.role;
    this.logGroup = parts.logGroup;

    props.proposalsTable.grantReadWriteData(this.role);
    allowReadingApprovalSigningKey(this.role, props.approvalSecret);
    allowStartingApply(this.role, props.applyFunction);

    Validations.of(defaultPolicyOf(this.role)).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: XRAY_WILDCARD_REASON,
    });
    acknowledgeTableIndexes(
      this.role,
      props.proposalsTable,
      "Table.grantReadWriteData covers the proposals table's indexes: the IAM route lists proposals by status (byStatus).",
    );
  }
}
