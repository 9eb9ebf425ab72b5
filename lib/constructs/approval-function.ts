/**
 * The approval function behind the HTTP API: renders review pages, checks link tokens (kms:VerifyMac on
 * the review-link key) or takes the caller's IAM identity from the AWS_IAM routes, decides who may
 * approve what (approvers, separation of duties, the escalation level re-analysed at decision time),
 * signs each decision (kms:Sign on the decision key), moves proposals forward by conditional writes,
 * and starts the apply function asynchronously for an approval.
 *
 * Its role: its log group, X-Ray, exactly the DynamoDB actions it calls on the proposals table, the
 * IAM reads of the re-analysis, the two key operations (granted by ApprovalKeys) and
 * lambda:InvokeFunction on the apply function only. No IAM write: applying is the apply function's job.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ApprovalMode } from '../../lambda/core/approval/links';
import type { AutoApprove } from '../../lambda/core/approval/requirement';
import { APPROVAL_ENV } from '../../lambda/settings/approval';
import { environmentOf } from '../../lambda/settings/env';
import { ORGANIZATION_WIDE_READS_REASON } from '../organization/hub-access';
import {
  acknowledgeAccountAuthorizationReads,
  allowReadingAccountAuthorization,
  allowStartingApply,
  allowTableActions,
  HandlerFunction,
  type HandlerFunctionProps,
  defaultPolicyOf,
  iamArn,
} from './handler-function';
import { PROPOSALS_STATUS_INDEX } from './proposal-tables';

/** Well under the HTTP API's 30-second integration limit: a page or a decision is a few DynamoDB calls. */
export const APPROVAL_TIMEOUT = Duration.seconds(15);

/**
 * The DynamoDB actions the approval function calls: get (GetItem), the decision's conditional moves
 * (UpdateItem, alone or in a TransactWriteItems with the incident's), the IAM route's list (Query on
 * byStatus).
 */
export const APPROVAL_PROPOSALS_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

/** The deployment's approval settings, as the diagnose and approval functions get them. */
export interface ApprovalPolicyProps {
  readonly approvers: readonly string[];
  readonly allowAdminRoles: boolean;
  readonly autoApprove: AutoApprove;
  /** A permission set held by more people than this (or an unknown number) needs an IAM approver. */
  readonly permissionSetPeopleLimit: number;
}

export interface ApprovalFunctionProps extends HandlerFunctionProps {
  readonly proposalsTable: dynamodb.ITable;
  /** Review links are checked with kms:VerifyMac on it. */
  readonly linkMacKey: kms.IKey;
  /** Decisions are signed with kms:Sign on it. */
  readonly decisionSigningKey: kms.IKey;
  /** Invoked asynchronously (InvocationType Event) once a proposal is approved. */
  readonly applyFunction: lambda.IFunction;
  readonly approvalMode: ApprovalMode;
  readonly approvalPolicy: ApprovalPolicyProps;
  /** The stack's own resources' ARNs and ARN patterns (the re-analysis flags them). */
  readonly ownResourceArns: readonly string[];
}

export class ApprovalFunction extends HandlerFunction {
  constructor(scope: Construct, id: string, props: ApprovalFunctionProps) {
    super(
      scope,
      id,
      {
        handler: 'approval',
        description: 'PassRole Doctor: review pages and approvals (links and IAM-signed requests)',
        roleDescription:
          'PassRole Doctor approval function: its table, IAM reads, verifying links, signing decisions, starting apply',
        // More memory is more CPU: a reviewer waits for the cold start of this one.
        memorySize: 1024,
        timeout: APPROVAL_TIMEOUT,
        environment: environmentOf(APPROVAL_ENV, {
          proposalsTableName: props.proposalsTable.tableName,
          linkMacKeyId: props.linkMacKey.keyArn,
          applyFunctionName: props.applyFunction.functionName,
          approvalMode: props.approvalMode,
          ...props.approvalPolicy,
          ownResourceArns: props.ownResourceArns,
          decisionSigningKeyId: props.decisionSigningKey.keyArn,
        }),
      },
      props,
    );

    allowTableActions(this.role, props.proposalsTable, 'DecideProposals', {
      item: APPROVAL_PROPOSALS_ACTIONS,
      queryIndex: PROPOSALS_STATUS_INDEX,
    });
    // Organization mode: the re-check reads the member through its read role (HubFunctionOrganization).
    if (props.organization === undefined) allowReadingAccountAuthorization(this.role);
    allowStartingApply(this.role, props.applyFunction);
    if (props.organization !== undefined) {
      if (props.approvalPolicy.approvers.length > 0) this.allowReadingApproverRolePaths();
      this.acknowledgeWildcardResources(ORGANIZATION_WIDE_READS_REASON);
      return;
    }

    this.acknowledgeWildcardResources('iam:ListRoles lists the whole account, not one role');
    acknowledgeAccountAuthorizationReads(this.role, "the role under review or the target's members hold");
    for (const entity of ['group', 'user', 'role']) {
      Validations.of(defaultPolicyOf(this.role)).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
        reason:
          `The targeted reads (Get/List of the entity and its policies) re-read the role under review, the ` +
          `target and its members at decision time, whichever ${entity} of the account that is (read-only).`,
      });
    }
  }

  /**
   * Organization mode: approvers are principals of the hub account, and an `approvers` pattern that
   * names a role with its path needs that role's path (iam:GetRole), as an assumed-role ARN carries
   * the name only. The hub's own roles, read-only; nothing else of the hub's IAM.
   */
  private allowReadingApproverRolePaths(): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadApproverRolePaths',
        actions: ['iam:GetRole'],
        resources: [iamArn(Aws.ACCOUNT_ID, 'role/*')],
      }),
    );
    Validations.of(defaultPolicyOf(this.role)).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
      reason:
        "iam:GetRole reads the path of whichever hub account role an approver's session comes from (read-only): " +
        'an assumed-role ARN names the role without its path.',
    });
  }
}
