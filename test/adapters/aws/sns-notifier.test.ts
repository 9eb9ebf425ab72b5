import {
  InternalErrorException,
  InvalidParameterException,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsNotifier } from '../../../lambda/adapters/aws/sns-notifier';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import { chatbotNotificationProblems, renderMessage } from '../../../lambda/core/render/message';
import { proposalRecord } from '../support/proposal-records';

const TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:passrole-doctor';
const snsMock = mockClient(SNSClient);
const notifier = () => new SnsNotifier(new SNSClient({ region: 'ap-northeast-1' }), TOPIC);
const message = renderMessage({ kind: 'new', record: proposalRecord(), reviewBaseUrl: null });

beforeEach(() => snsMock.reset());

describe('SnsNotifier', () => {
  it('publishes one message per protocol with MessageStructure json and a short ASCII subject', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await notifier().publish(message);

    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: TOPIC,
      MessageStructure: 'json',
      Subject: '[passrole-doctor] PassRole denied: mei.tanaka -> etl-nightly-runtime',
    });
    expect(input?.Subject?.length).toBeLessThan(100);
    const structure = JSON.parse(input?.Message ?? '{}') as Record<string, string>;
    expect(Object.keys(structure).sort()).toEqual(['default', 'email', 'https']);
    expect(structure['email']).toBe(message.email);
    expect(structure['default']).toBe(message.text);
    const chatbot: unknown = JSON.parse(structure['https'] ?? '');
    expect(chatbot).toEqual(message.chatbot);
    expect(chatbotNotificationProblems(chatbot)).toEqual([]);
  });

  it('asks for a retry when SNS fails transiently, and fails for good on a bad request', async () => {
    snsMock.on(PublishCommand).rejects(new InternalErrorException({ message: 'oops', $metadata: {} }));
    await expect(notifier().publish(message)).rejects.toThrow(TransientAwsError);
    snsMock
      .on(PublishCommand)
      .rejects(new InvalidParameterException({ message: 'bad subject', $metadata: {} }));
    await expect(notifier().publish(message)).rejects.toThrow(AwsCallError);
  });
});
