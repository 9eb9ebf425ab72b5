/** SQS queues in moto for the routing and notification tests: create one, read everything it holds. */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface TestQueue {
  url: string;
  arn: string;
}

export async function createQueue(sqs: SQSClient, name: string): Promise<TestQueue> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = created.QueueUrl;
  if (url === undefined) throw new Error(`CreateQueue ${name} answered without a QueueUrl`);
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.['QueueArn'];
  if (arn === undefined) throw new Error(`queue ${name} has no QueueArn`);
  return { url, arn };
}

/**
 * Every message the queue holds now. moto delivers PutEvents and Publish synchronously, so what
 * arrived is already there; received messages stay invisible for the default 30 s, so the loop ends.
 */
export async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const batch = received.Messages ?? [];
    if (batch.length === 0) return messages;
    messages.push(...batch);
  }
}
