/**
 * An SQS queue with a redrive policy, played in-process for tests that must control redelivery: the
 * Lambda event source mapping hands visible messages to the function in batches; what the function
 * reports in batchItemFailures (or the whole batch, when the invocation fails) becomes visible again
 * after the visibility timeout; a message received maxReceiveCount times and failed each time goes to
 * the dead-letter queue instead of a further receive. Bounded: every message is received at most
 * maxReceiveCount times.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MOTO_ACCOUNT_ID, MOTO_REGION } from './aws-clients';

export interface QueuedMessage {
  messageId: string;
  body: string;
  /** Receives so far (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  sentAt: number;
}

export interface RedrivingQueueOptions {
  maxReceiveCount: number;
  batchSize: number;
  queueName?: string;
  /** Called after each round of deliveries: what failed becomes visible again after this. */
  onVisibilityTimeout?: () => void | Promise<void>;
}

/** What one invocation came to: the function's answer, or a failed invocation (every record returns). */
export type InvocationResult = SQSBatchResponse | 'invocation-failed';

export class RedrivingQueue {
  readonly deadLetters: QueuedMessage[] = [];
  readonly deleted: QueuedMessage[] = [];
  private visible: QueuedMessage[] = [];
  private sent = 0;
  /** Every batch handed to the function. */
  invocations = 0;
  readonly queueArn: string;

  constructor(private readonly options: RedrivingQueueOptions) {
    this.queueArn = `arn:aws:sqs:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:${options.queueName ?? 'passrole-denials'}`;
  }

  send(body: string, messageId = `message-${++this.sent}`): QueuedMessage {
    const message = { messageId, body, receiveCount: 0, sentAt: Date.now() };
    this.visible.push(message);
    return message;
  }

  get depth(): number {
    return this.visible.length;
  }

  /** Delivers until nothing is visible: failures come back a round later, or go to the DLQ. */
  async drain(invoke: (event: SQSEvent) => Promise<InvocationResult>): Promise<void> {
    for (let round = 1; this.visible.length > 0; round++) {
      if (round > this.options.maxReceiveCount + 1) {
        throw new Error(`redriving queue: still ${this.visible.length} messages after ${round - 1} rounds`);
      }
      const delivering = this.visible.filter(
        (message) => message.receiveCount < this.options.maxReceiveCount,
      );
      // SQS moves a message to the DLQ when a receive would exceed maxReceiveCount.
      this.deadLetters.push(
        ...this.visible.filter((message) => message.receiveCount >= this.options.maxReceiveCount),
      );
      this.visible = [];
      for (let first = 0; first < delivering.length; first += this.options.batchSize) {
        const batch = delivering.slice(first, first + this.options.batchSize);
        for (const message of batch) message.receiveCount += 1;
        this.invocations += 1;
        const result = await invoke({ Records: batch.map((message) => this.recordOf(message)) });
        const failed = new Set(
          result === 'invocation-failed'
            ? batch.map((message) => message.messageId)
            : result.batchItemFailures.map((failure) => failure.itemIdentifier),
        );
        for (const message of batch) {
          if (failed.has(message.messageId)) this.visible.push(message);
          else this.deleted.push(message);
        }
      }
      if (this.visible.length > 0) await this.options.onVisibilityTimeout?.();
    }
  }

  private recordOf(message: QueuedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'AIDAEVENTBRIDGE',
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: MOTO_REGION,
    };
  }
}
