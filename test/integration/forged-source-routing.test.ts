/**
 * The denial rule in moto's EventBridge takes CloudTrail's events only: the seed denial put with an
 * aws.* source reaches the queue, the same detail put by an application (any other source) does not.
 * On AWS, PutEvents refuses aws.* sources from accounts (NotAuthorizedForSourceException); moto
 * accepts them, which is what lets this test play CloudTrail.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  passRoleDenialEventPatternJson,
} from '../../lib/denial-event-patterns';
import { seedRecord } from '../handlers/diagnose/support';
import { createMotoClients, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createQueue, receiveAll } from './support/sqs-queues';

const SOURCES = ['aws.glue', 'custom.attacker', 'aws-glue', 'glue.amazonaws.com', 'passrole-doctor'];

describe('the denial rule and forged sources, in moto EventBridge', () => {
  let clients: MotoClients;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
  });

  afterAll(() => clients.destroy());

  it('routes the denial put with an aws.* source, and none of the same denials from other sources', async () => {
    const queue = await createQueue(clients.sqs, 'passrole-denials');
    await clients.eventBridge.send(
      new PutRuleCommand({ Name: 'passrole-denials', EventPattern: passRoleDenialEventPatternJson() }),
    );
    await clients.eventBridge.send(
      new PutTargetsCommand({ Rule: 'passrole-denials', Targets: [{ Id: 'queue', Arn: queue.arn }] }),
    );
    const output = await clients.eventBridge.send(
      new PutEventsCommand({
        Entries: SOURCES.map((source) => ({
          Source: source,
          DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
          Detail: JSON.stringify(seedRecord(`from-${source}`)),
        })),
      }),
    );
    expect(output.FailedEntryCount ?? 0).toBe(0);

    const arrived = (await receiveAll(clients.sqs, queue.url)).map(
      (message) => (JSON.parse(message.Body ?? '{}') as { source?: unknown }).source,
    );
    expect(arrived).toEqual(['aws.glue']);
  });
});
