/**
 * The apply function: invoked asynchronously by the approval function for one approved proposal, it
 * verifies the signed decision (the decision key's public key, kms:GetPublicKey) and re-reads the
 * role's policies and the target's members (IAM reads), writes the inline policy (PutGroupPolicy, or
 * PutRolePolicy / PutUserPolicy), reads it back, re-simulates until IAM has propagated (up to
 * VERIFY_TIMEOUT_SECONDS), records the outcome and announces it on the topic and the stack's own
 * event bus (whose policy lets no one else put events on it).
 *
 * Its role holds the only IAM write permissions in the product, exactly: Put and Get of inline
 * policies on the account's groups, users and roles, SimulatePrincipalPolicy on users and roles, and
 * explicit denies of iam:Put*Policy on this stack's own roles and on the roles AWS manages
 * (/aws-reserved/ for Identity Center, /aws-service-role/ for service-linked roles). The handler
 * refuses anything but the minimal PassRole document; the denies hold even if it did not.
 *
 * Failed invocations are retried twice by Lambda, then land in an encrypted dead-letter queue. An
 * apply that died beyond those retries' reach is asked for again by the reconciler
 * (apply-reconciler.ts); the lease and resumable steps make any repeat request safe.
 */
import { Duration, Lazy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { APPLY_ENV, APPLY_TIMEOUT_SECONDS, VERIFY_TIMEOUT_SECONDS } from '../../lambda/settings/apply';
import { environmentOf } from '../../lambda/settings/env';
import { MANAGEMENT_ACCOUNT_READ_REASON } from '../organization/hub-access';
import { DLQ_RETENTION } from './denial-routing';
import {
  acknowledgeAccountAuthorizationReads,
  allowPublishing,
  allowReadingAccountAuthorization,
  allowTableActions,
  defaultPolicyOf,
  HandlerFunction,
  type HandlerFunctionProps,
} from './handler-function';
import {
  denyAwsManagedRoleWrites,
  denyInlinePolicyWrites,
  inlinePolicyWriteStatements,
} from './iam-statements';

/** How long the function re-simulates while IAM propagates a new policy. */
export const VERIFY_TIMEOUT = Duration.seconds(VERIFY_TIMEOUT_SECONDS.fallback);
/** The verification window plus room for the write, the read-back, the store and the messages. */
export const APPLY_TIMEOUT = Duration.seconds(APPLY_TIMEOUT_SECONDS);
/** Lambda's async retries: the handler's apply lease makes a retry safe, never a second write at once. */
export const APPLY_RETRY_ATTEMPTS = 2;
/** An approval not acted on within the hour goes to the DLQ (and its alarm) rather than later. */
export const APPLY_MAX_EVENT_AGE = Duration.hours(1);
/**
 * The DynamoDB actions the apply function calls: get (GetItem); the lease, its release, the
 * published mark and the outcome's move (UpdateItem, alone or in a TransactWriteItems).
 */
export const APPLY_PROPOSALS_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

export {
  APPLY_IAM_ACTIONS,
  APPLY_IAM_VERIFY_ACTIONS,
  APPLY_IAM_WRITE_ACTIONS,
  AWS_MANAGED_ROLE_PATHS,
  PROTECTED_ROLE_DENIED_ACTIONS,
} from './iam-statements';

export interface ApplyFunctionProps extends HandlerFunctionProps {
  readonly proposalsTable: dynamodb.ITable;
  readonly topic: sns.ITopic;
  /** The topic's key: publishing to an encrypted topic needs it. */
  readonly topicKey: kms.IKey;
  /** Where the outcome event goes (source passrole-doctor, detail-type Proposal Applied). */
  readonly eventBus: events.IEventBus;
  /** Decisions are verified with its public key (kms:GetPublicKey, granted by ApprovalKeys). */
  readonly decisionSigningKey: kms.IKey;
}

export class ApplyFunction extends HandlerFunction {
  /** Invocations that failed after Lambda's retries (or sat in its queue over APPLY_MAX_EVENT_AGE). */
  readonly deadLetterQueue: sqs.Queue;
  private readonly protectedRoleArns: string[];
  private readonly denyProtectedRoles: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: ApplyFunctionProps) {
    const protectedRoleArns: string[] = [];
    super(
      scope,
      id,
      {
        handler: 'apply',
        description: 'PassRole Doctor: applies an approved proposal, reads it back and verifies it',
        roleDescription:
          'PassRole Doctor apply function: the only IAM write in the product (inline policies, never its own roles)',
        memorySize: 512,
        timeout: APPLY_TIMEOUT,
        environment: environmentOf(APPLY_ENV, {
          proposalsTableName: props.proposalsTable.tableName,
          topicArn: props.topic.topicArn,
          eventBusName: props.eventBus.eventBusName,
          // Resolved at synth (one token, the whole list): roles protected after construction are included.
          protectedRoleArns: [Lazy.string({ produce: () => protectedRoleArns.join(',') })],
          // Every type: the handler's default.
          allowedTargetTypes: undefined,
          verifyTimeoutSeconds: VERIFY_TIMEOUT.toSeconds(),
          // The function's own account; the review links are the approval function's.
          accountId: undefined,
          reviewBaseUrl: undefined,
          decisionSigningKeyId: props.decisionSigningKey.keyArn,
        }),
      },
      props,
    );
    this.protectedRoleArns = protectedRoleArns;

    // SQS-managed encryption: Lambda sends failures with the function's role, which then needs no KMS grant.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });

    // Organization mode writes into each member through its apply role (HubFunctionOrganization): no
    // IAM write here. The denies below stay in both modes (they cost nothing and outlive a mistake).
    const ownAccount = props.organization === undefined;
    if (ownAccount) {
      for (const statement of inlinePolicyWriteStatements()) this.role.addToPrincipalPolicy(statement);
    }
    this.denyProtectedRoles = denyInlinePolicyWrites('NeverWriteThisStacksRoles', []);
    this.role.addToPrincipalPolicy(this.denyProtectedRoles);
    this.role.addToPrincipalPolicy(denyAwsManagedRoleWrites());
    this.protectRole(this.role);

    allowTableActions(this.role, props.proposalsTable, 'ApplyProposals', { item: APPLY_PROPOSALS_ACTIONS });
    if (ownAccount) allowReadingAccountAuthorization(this.role);
    allowPublishing(this.role, props.topic, props.topicKey, 'PublishOutcomes');
    // events:PutEvents on the stack's bus comes with the bus policy (ProposalEventsBus.onlyPublisher).

    this.function.configureAsyncInvoke({
      retryAttempts: APPLY_RETRY_ATTEMPTS,
      maxEventAge: APPLY_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    this.acknowledgeFindings(ownAccount);
  }

  /**
   * Denies the apply function any inline-policy write on `role` and lists it in PROTECTED_ROLE_ARNS,
   * so the handler refuses such a target before IAM would.
   */
  protectRole(role: iam.IRole): void {
    this.protectedRoleArns.push(role.roleArn);
    this.denyProtectedRoles.addResources(role.roleArn);
  }

  private acknowledgeFindings(ownAccount: boolean): void {
    this.acknowledgeDeadLetterQueue();
    if (!ownAccount) {
      this.acknowledgeWildcardResources(
        this.readsManagementAccount ? MANAGEMENT_ACCOUNT_READ_REASON : undefined,
      );
      return;
    }
    this.acknowledgeWildcardResources('iam:ListRoles lists the whole account, not one role');
    const policy = Validations.of(defaultPolicyOf(this.role));
    acknowledgeAccountAuthorizationReads(this.role, "the role being passed or the target's members hold");
    for (const entity of ['group', 'user', 'role']) {
      policy.acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:${entity}/*]`,
        reason:
          `The approved proposal's target may be any ${entity} of the account: the inline policy is written to ` +
          `and read back from it${entity === 'group' ? '' : ', and it is re-simulated as the denied ' + entity}. ` +
          "This stack's roles and AWS-managed roles are denied explicitly; the handler only writes the " +
          'minimal PassRole document whose hash was approved. The targeted reads (Get/List of the entity and ' +
          'its policies) re-read R, the target and its members before the write (read-only).',
      });
    }
  }

  private acknowledgeDeadLetterQueue(): void {
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue: the apply function's on-failure destination (Lambda async " +
        'invocation), which cdk-nag does not recognize as it only looks for SQS redrive policies.',
    });
  }
}
