import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIncidentStore } from '../../../lambda/adapters/aws/dynamodb-incident-store';
import { proposalRecord } from '../support/proposal-records';

/** Through the real document client down to the HTTP request: what DynamoDB would receive. */
describe('DynamoDbIncidentStore on the wire', () => {
  it('sends items DynamoDB accepts: absent fields are left out, not marshalled', async () => {
    const dynamodb = new DynamoDBClient({
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const sent: { command: string; body: string }[] = [];
    dynamodb.middlewareStack.add(
      (_next, context) => async (args) => {
        const request = args.request as { body?: unknown };
        const body =
          request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
        sent.push({ command: context.commandName ?? '', body: String(body) });
        return { output: { $metadata: {} }, response: {} };
      },
      { step: 'build', name: 'captureRequest' },
    );

    await new DynamoDbIncidentStore(dynamodb, 'proposals').create(
      proposalRecord(),
      new Date('2026-06-17T02:05:00Z'),
    );

    expect(sent.map((request) => request.command)).toEqual(['TransactWriteItemsCommand']);
    const wire = JSON.parse(sent[0]?.body ?? '{}') as {
      TransactItems: { Put: { Item: Record<string, unknown>; ConditionExpression: string } }[];
    };
    const [proposal, incident] = wire.TransactItems.map((item) => item.Put);
    expect(proposal?.Item['pk']).toEqual({ S: 'PROPOSAL#p-1' });
    expect(proposal?.Item['status']).toEqual({ S: 'pending' });
    expect(proposal?.Item['ttl']).toEqual({ N: String(Date.UTC(2026, 5, 20, 2, 5) / 1000) });
    expect(proposal?.Item['denial']).toMatchObject({ M: { permissionSetName: { NULL: true } } });
    expect(proposal?.Item).not.toHaveProperty('notifiedAt');
    expect(proposal?.Item).not.toHaveProperty('notificationLeaseUntil');
    expect(incident?.Item['pk']).toEqual({ S: 'INCIDENT#504cb7416fee7f7774d607601f1b61f3' });
  });
});
