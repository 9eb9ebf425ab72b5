import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import { snsMessageStructure } from '../../core/render/message';
import type { RenderedMessage } from '../../core/render/message/types';
import type { Notifier } from '../../ports/notifier';
import { isTransientAwsFailure } from './aws-errors';

/**
 * Publishes to the team's SNS topic with MessageStructure 'json': email subscribers get the plain-text
 * report, AWS Chatbot (https) the custom notification, every other protocol the short text.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(message: RenderedMessage): Promise<void> {
    try {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: message.subject,
          MessageStructure: 'json',
          Message: snsMessageStructure(message),
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
      if (isTransientAwsFailure(error) || name === 'KMSThrottlingException') {
        throw new TransientAwsError(`sns:Publish failed, worth retrying later (${name}${detail})`, {
          cause: error,
        });
      }
      throw new AwsCallError(`sns:Publish failed (${name}${detail})`, { cause: error });
    }
  }
}
