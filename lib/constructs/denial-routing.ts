/**
 * CloudTrail denial events on the default bus -> a rule -> an encrypted SQS queue with a DLQ.
 * The rule's target has its own DLQ and retry policy, for events EventBridge cannot deliver.
 *
 * A message on the queue is a denial the diagnose function believes, so the queue and the target's
 * DLQ admit EventBridge only for this stack's rule (aws:SourceArn) and deny sqs:SendMessage to
 * everyone else: every other rule of the account could otherwise deliver a made-up `aws.lambda` body
 * through an InputTransformer. Their policies deny changes to themselves to all but the deploy role.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../denial-event-patterns';
import { denyChangesToItself, type PolicyAdministrators } from './deny-statements';
import { toCdkEventPattern } from './event-pattern';

/** Queue policy actions that change the queue or its policy. */
export const QUEUE_CHANGE_ACTIONS = [
  'sqs:SetQueueAttributes',
  'sqs:AddPermission',
  'sqs:RemovePermission',
  'sqs:DeleteQueue',
  'sqs:TagQueue',
  'sqs:UntagQueue',
] as const;

/** What SQS needs of the key for EventBridge's SendMessage to an SSE-KMS queue: no Encrypt, no ReEncrypt. */
export const EVENTBRIDGE_KEY_ACTIONS = ['kms:GenerateDataKey*', 'kms:Decrypt'] as const;

export interface DenialRoutingProps {
  readonly key: kms.IKey;
  readonly administrators: PolicyAdministrators;
  /** At least six times the consuming function's timeout (Lambda's advice for SQS event sources). */
  readonly visibilityTimeout: Duration;
  /** Deliveries before a message moves to the DLQ. */
  readonly maxReceiveCount?: number;
  /** The bus the rule listens on (organization mode: the hub's). @default the account's default bus */
  readonly eventBus?: events.IEventBus;
}

/** How long failed messages are kept for inspection and redrive: SQS's maximum. */
export const DLQ_RETENTION = Duration.days(14);
/** EventBridge's own retry policy for delivering to the queue (its defaults, made explicit). */
export const TARGET_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

export class DenialRouting extends Construct {
  readonly rule: events.Rule;
  readonly queue: sqs.Queue;
  /** Receives messages the function failed on maxReceiveCount times. */
  readonly deadLetterQueue: sqs.Queue;
  /** Receives events EventBridge could not put on the queue (key policy, throttling beyond retries). */
  readonly targetDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DenialRoutingProps) {
    super(scope, id);
    const encryption = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
    };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      retentionPeriod: DLQ_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.targetDeadLetterQueue = new sqs.Queue(this, 'TargetDeadLetterQueue', {
      ...encryption,
      retentionPeriod: DLQ_RETENTION,
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'iam:PassRole denials recorded by CloudTrail, for PassRole Doctor',
      eventPattern: toCdkEventPattern(PASSROLE_DENIAL_EVENT_PATTERN),
      eventBus: props.eventBus,
    });
    this.rule.addTarget(new DenialQueueTarget(this.queue, this.targetDeadLetterQueue));
    for (const [queue, name] of [
      [this.queue, 'Queue'],
      [this.targetDeadLetterQueue, 'TargetDeadLetterQueue'],
    ] as const) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `TheDenialRuleSendsTo${name}`,
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
        }),
      );
      // Every principal is denied, services included, unless the request comes from the stack's rule.
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `OnlyTheDenialRuleSendsTo${name}`,
          effect: iam.Effect.DENY,
          principals: [new iam.StarPrincipal()],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnNotEquals: { 'aws:SourceArn': this.rule.ruleArn } },
        }),
      );
    }
    for (const queue of [this.queue, this.deadLetterQueue, this.targetDeadLetterQueue]) {
      queue.addToResourcePolicy(
        denyChangesToItself(
          'DenyQueueChangesToAllButTheDeployRole',
          QUEUE_CHANGE_ACTIONS,
          props.administrators,
          [queue.queueArn],
        ),
      );
    }
    // EventBridge's key use for both queues. aws:SourceAccount rather than aws:SourceArn: whether
    // EventBridge passes the rule's ARN to KMS is unverified, and a wrong condition would lose every denial.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeSendsToTheQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: [...EVENTBRIDGE_KEY_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    Validations.of(this.targetDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue: the rule target's (EventBridge DeadLetterConfig), which cdk-nag " +
        'does not recognize as it only looks for SQS redrive policies.',
    });
  }
}

/**
 * The rule's target: the queue, with its own DLQ and retry policy. Written instead of
 * targets.SqsQueue, which for a KMS-encrypted queue admits EventBridge by aws:SourceAccount alone and
 * opens the key to it with Encrypt/ReEncrypt*; DenialRouting writes narrower statements itself.
 */
class DenialQueueTarget implements events.IRuleTarget {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.queue.queueArn,
      targetResource: this.queue,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumRetryAttempts: TARGET_RETRY.retryAttempts,
        maximumEventAgeInSeconds: TARGET_RETRY.maxEventAge.toSeconds(),
      },
    };
  }
}
