import { EventBridgeClient, InternalException, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgePublisher } from '../../../lambda/adapters/aws/eventbridge-publisher';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';

const eventsMock = mockClient(EventBridgeClient);
const publisher = () =>
  new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1', maxAttempts: 1 }), 'ops-bus');
const DETAIL = { proposalId: 'p-1', status: 'verified', verification: 'allowed' };

beforeEach(() => eventsMock.reset());

describe('EventBridgePublisher', () => {
  it('puts one entry from passrole-doctor on the configured bus with the detail as JSON', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await publisher().publish('Proposal Applied', DETAIL);
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventsMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'passrole-doctor',
          DetailType: 'Proposal Applied',
          Detail: JSON.stringify(DETAIL),
          EventBusName: 'ops-bus',
        },
      ],
    });
  });

  it('fails when the call succeeds but the entry was rejected (FailedEntryCount)', async () => {
    eventsMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });
    await expect(publisher().publish('Proposal Applied', DETAIL)).rejects.toThrow(
      new TransientAwsError(
        'events:PutEvents rejected the Proposal Applied event on ops-bus (ThrottlingException: slow down)',
      ),
    );
    eventsMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }],
    });
    await expect(publisher().publish('Proposal Applied', DETAIL)).rejects.toThrow(AwsCallError);
  });

  it('maps a failed call: 5xx is transient, a bad request is not', async () => {
    const internal = new InternalException({ message: 'oops', $metadata: { httpStatusCode: 500 } });
    eventsMock.on(PutEventsCommand).rejects(internal);
    const error = await publisher()
      .publish('Proposal Applied', DETAIL)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as Error).cause).toBe(internal);
    eventsMock
      .on(PutEventsCommand)
      .rejects(
        Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(publisher().publish('Proposal Applied', DETAIL)).rejects.toThrow(AwsCallError);
  });
});
