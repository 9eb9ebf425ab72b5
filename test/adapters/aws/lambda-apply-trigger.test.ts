import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LambdaApplyTrigger } from '../../../lambda/adapters/aws/lambda-apply-trigger';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';

const lambdaMock = mockClient(LambdaClient);
const trigger = () =>
  new LambdaApplyTrigger(
    new LambdaClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    'passrole-doctor-apply',
  );

beforeEach(() => lambdaMock.reset());

describe('LambdaApplyTrigger', () => {
  it('invokes the apply function asynchronously with the proposal id alone', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    await trigger().requestApply('0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10');
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'passrole-doctor-apply', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      proposalId: '0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10',
    });
  });

  it('fails when the invoke was not accepted, transiently when throttled', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(trigger().requestApply('p-1')).rejects.toThrow(AwsCallError);
    lambdaMock
      .on(InvokeCommand)
      .rejects(
        new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }),
      );
    await expect(trigger().requestApply('p-1')).rejects.toThrow(TransientAwsError);
    lambdaMock
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(trigger().requestApply('p-1')).rejects.toThrow(
      'lambda:InvokeFunction (passrole-doctor-apply) failed (AccessDeniedException: denied)',
    );
  });
});
