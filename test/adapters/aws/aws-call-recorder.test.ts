import { Readable } from 'node:stream';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  recordAwsCalls,
  summarizeAwsCalls,
  type AwsCallRecord,
} from '../../../lambda/adapters/aws/aws-call-recorder';

/** An IAMClient whose HTTP layer answers every call with an empty GetRole result: the SDK's own stack runs. */
function clientOverFakeHttp(): IAMClient {
  const xml =
    '<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult></GetRoleResult>' +
    '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>';
  return new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'text/xml' },
          body: Readable.from([Buffer.from(xml)]),
        },
      }),
    },
  });
}

describe('recordAwsCalls and summarizeAwsCalls', () => {
  it('record every call through the client, parallel calls as one round trip', async () => {
    const iam = clientOverFakeHttp();
    const records = recordAwsCalls(iam);
    await Promise.all([
      iam.send(new GetRoleCommand({ RoleName: 'a' })),
      iam.send(new GetRoleCommand({ RoleName: 'b' })),
    ]);
    await iam.send(new GetRoleCommand({ RoleName: 'c' }));
    expect(summarizeAwsCalls(records)).toEqual({
      calls: 3,
      byCommand: { GetRoleCommand: 3 },
      sequentialRoundTrips: 2,
    });
  });

  it('count overlapping calls as one round trip', () => {
    const records: AwsCallRecord[] = [
      { command: 'A', startTick: 1, finishTick: 2 },
      { command: 'B', startTick: 3, finishTick: 6 },
      { command: 'B', startTick: 4, finishTick: 7 },
      { command: 'C', startTick: 5, finishTick: 8 },
      { command: 'D', startTick: 9, finishTick: 10 },
    ];
    expect(summarizeAwsCalls(records)).toEqual({
      calls: 5,
      byCommand: { A: 1, B: 2, C: 1, D: 1 },
      sequentialRoundTrips: 3,
    });
    expect(summarizeAwsCalls([])).toEqual({ calls: 0, byCommand: {}, sequentialRoundTrips: 0 });
  });
});
