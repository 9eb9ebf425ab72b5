import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LambdaAutoApproveTrigger } from '../../../lambda/adapters/aws/lambda-auto-approve-trigger';
import { isAutoApproveEvent } from '../../../lambda/core/approval/auto-approve-event';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';

const lambdaMock = mockClient(LambdaClient);
const trigger = () =>
  new LambdaAutoApproveTrigger(
    new LambdaClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    'passrole-doctor-approval',
  );

beforeEach(() => lambdaMock.reset());

describe('LambdaAutoApproveTrigger', () => {
  it('invokes the approval function asynchronously with the auto-approval event it recognises', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    await trigger().requestAutoApproval('p-1');
    const input = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'passrole-doctor-approval', InvocationType: 'Event' });
    const event: unknown = JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array));
    expect(event).toEqual({ source: 'passrole-doctor.auto-approve', proposalId: 'p-1' });
    expect(isAutoApproveEvent(event)).toBe(true);
  });

  it('fails when the invoke was not accepted, transiently when throttled', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(trigger().requestAutoApproval('p-1')).rejects.toThrow(AwsCallError);
    lambdaMock
      .on(InvokeCommand)
      .rejects(
        new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }),
      );
    await expect(trigger().requestAutoApproval('p-1')).rejects.toThrow(TransientAwsError);
  });
});

describe('isAutoApproveEvent', () => {
  it('takes exactly {source, proposalId} and nothing else', () => {
    const ask = { source: 'passrole-doctor.auto-approve', proposalId: 'p-1' };
    expect(isAutoApproveEvent(ask)).toBe(true);
    expect(isAutoApproveEvent({ ...ask, requestContext: {} })).toBe(false);
    expect(isAutoApproveEvent({ ...ask, source: 'passrole-doctor' })).toBe(false);
    expect(isAutoApproveEvent({ ...ask, proposalId: 'p 1' })).toBe(false);
    expect(isAutoApproveEvent([ask])).toBe(false);
    expect(isAutoApproveEvent(null)).toBe(false);
  });
});
