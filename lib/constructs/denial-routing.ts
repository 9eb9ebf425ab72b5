/**
 * CloudTrail denial events on the default bus -> a rule -> an encrypted SQS queue with a DLQ.
 * The rule's target has its own DLQ and retry policy, for events EventBridge cannot deliver.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../denial-event-patterns';
import { toCdkEventPattern } from './event-pattern';

export interface DenialRoutingProps {
  readonly key: kms.IKey;
  /** At least six times the consuming function's timeout (Lambda's advice for SQS event sources). */
  readonly visibilityTimeout: Duration;
  /** Deliveries before a message moves to the DLQ. */
  readonly maxReceiveCount?: number;
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
    });
    this.rule.addTarget(
      new targets.SqsQueue(this.queue, { deadLetterQueue: this.targetDeadLetterQueue, ...TARGET_RETRY }),
    );

    // No key policy statement for the target DLQ: it shares the queue's key, which the SqsQueue target
    // has already opened to EventBridge (encrypt and decrypt for events.amazonaws.com, this account).
    Validations.of(this.targetDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue: the rule target's (EventBridge DeadLetterConfig), which cdk-nag " +
        'does not recognize as it only looks for SQS redrive policies.',
    });
  }
}
