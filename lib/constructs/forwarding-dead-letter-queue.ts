/**
 * The dead-letter queue of a rule that forwards denials to another bus (a forwarding region's, a
 * member's). SSE-SQS rather than a KMS key: a key per forwarding region or member would cost $1 a
 * month each for a queue that should stay empty, and EventBridge writes SSE-SQS queues without any key
 * policy.
 */
import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DLQ_RETENTION } from './denial-routing';

export function forwardingDeadLetterQueue(scope: Construct, queueName?: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'TargetDeadLetterQueue', {
    ...(queueName === undefined ? {} : { queueName }),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DLQ_RETENTION,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is a dead-letter queue: the forwarding rule target's (EventBridge DeadLetterConfig), " +
      'which cdk-nag does not recognize as it only looks for SQS redrive policies.',
  });
  return queue;
}
