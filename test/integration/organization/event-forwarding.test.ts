/**
 * How a member's denial reaches the hub's queue. First what moto does with the deployed rules, pinned
 * so the day moto forwards as EventBridge does this file says so: moto puts a NEW event on the hub's
 * bus, with the hub's account and region and a new id and time. Then the named fake of EventBridge's
 * cross-account forwarding (test/support/organization/), which carries the member's envelope intact
 * and honours the hub bus's policy; and its pattern matcher, checked against moto's on every
 * CloudTrail record the project holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  PASSROLE_DENIAL_EVENT_PATTERN,
  passRoleDenialEventPatternJson,
} from '../../../lib/denial-event-patterns';
import { matchesEventPattern } from '../../support/organization/event-pattern-matcher';
import {
  EventBridgeCrossAccountForwardingFake,
  type EventEnvelope,
} from '../../support/organization/eventbridge-forwarding-fake';
import { startMoto, type MotoServer } from '../support/moto';
import { createQueue, receiveAll } from '../support/sqs-queues';
import {
  deployOrganization,
  forwardRoleName,
  HUB_REGION,
  MEMBER_RULE_NAME,
  seedDenialIn,
  type OrganizationDeployment,
} from './support/organization-deployment';
import { OUTSIDE_ACCOUNT_ID } from './support/seed-organization';

const GIVEN_TIME = new Date('2026-06-17T02:04:40Z');

function denialEntry(record: Record<string, unknown>) {
  return {
    Source: 'aws.glue',
    DetailType: CLOUDTRAIL_API_CALL_DETAIL_TYPE,
    Detail: JSON.stringify(record),
    Time: GIVEN_TIME,
  };
}

describe('a member denial on its way to the hub queue', () => {
  let moto: MotoServer;
  let deployment: OrganizationDeployment;
  let fake: EventBridgeCrossAccountForwardingFake;

  beforeAll(async () => {
    moto = await startMoto({ accountPerRequest: true });
    deployment = await deployOrganization(moto.endpoint);
    const organization = deployment.organization;
    const inOrganization = new Set([
      organization.managementAccountId,
      organization.hub.id,
      organization.memberA.id,
      organization.memberB.id,
    ]);
    fake = new EventBridgeCrossAccountForwardingFake(
      (account, region) => deployment.clients(account, region),
      {
        organizationOf: (account) => (inOrganization.has(account) ? organization.organizationId : null),
      },
    );
  });

  afterAll(async () => {
    deployment.destroy();
    await moto.stop();
  });

  async function hubQueueEnvelopes(): Promise<EventEnvelope[]> {
    const hub = deployment.clients(deployment.organization.hub.id);
    return (await receiveAll(hub.sqs, deployment.hubQueue.url)).map(
      (message) => JSON.parse(message.Body ?? '{}') as EventEnvelope,
    );
  }

  it("moto's own forwarding rewrites the envelope's account, region, id and time (why the fake exists)", async () => {
    const memberB = deployment.organization.memberB;
    const record = seedDenialIn(memberB.id, 'moto-forwarding-pin');
    const put = await deployment
      .clients(memberB.id, 'eu-west-1')
      .eventBridge.send(new PutEventsCommand({ Entries: [denialEntry(record)] }));
    expect(put.FailedEntryCount ?? 0).toBe(0);

    const [arrived, ...more] = await hubQueueEnvelopes();
    expect(more).toEqual([]);
    // What moto keeps: the source, detail-type and detail.
    expect(arrived?.detail).toEqual(record);
    expect(arrived?.source).toBe('aws.glue');
    // What EventBridge would keep and moto rewrites. moto sets the new event's account to the hub's;
    // moto 5.2.1's default input template then leaves `account` out of what a queue receives.
    expect([undefined, deployment.organization.hub.id]).toContain(arrived?.account);
    expect(arrived?.region).toBe(HUB_REGION);
    expect(arrived?.id).not.toBe(put.Entries?.[0]?.EventId);
    expect(arrived?.time).not.toBe('2026-06-17T02:04:40Z');
  });

  it("the fake carries a member's denial from each member region to the hub queue with the member's envelope intact", async () => {
    const { memberA, memberB } = deployment.organization;
    const sent: EventEnvelope[] = [];
    sent.push(
      ...(await fake.putEvents(memberA.id, 'us-east-1', [denialEntry(seedDenialIn(memberA.id, 'fake-a'))])),
    );
    sent.push(
      ...(await fake.putEvents(memberB.id, 'eu-west-1', [denialEntry(seedDenialIn(memberB.id, 'fake-b'))])),
    );

    const arrived = await hubQueueEnvelopes();
    expect(arrived).toEqual(sent);
    expect(arrived.map((envelope) => [envelope.account, envelope.region, envelope.time])).toEqual([
      [memberA.id, 'us-east-1', '2026-06-17T02:04:40Z'],
      [memberB.id, 'eu-west-1', '2026-06-17T02:04:40Z'],
    ]);
    const last = fake.deliveries.slice(-4).map((delivery) => delivery.outcome);
    expect(last).toEqual([
      'delivered-to-bus',
      'delivered-to-queue',
      'delivered-to-bus',
      'delivered-to-queue',
    ]);
  });

  it('a call that succeeded is not a denial: the member rule does not forward it', async () => {
    const memberA = deployment.organization.memberA;
    const {
      errorCode: _code,
      errorMessage: _message,
      ...succeeded
    } = seedDenialIn(memberA.id, 'fake-success');
    const before = fake.deliveries.length;
    await fake.putEvents(memberA.id, 'us-east-1', [denialEntry(succeeded)]);
    expect(fake.deliveries.length).toBe(before);
    expect(await hubQueueEnvelopes()).toEqual([]);
  });

  it("the hub bus's policy refuses an account outside the organization and a role that is not a forward role", async () => {
    const { memberA } = deployment.organization;
    // An outsider deploys the member template by hand: same rule, same role name.
    const outsider = deployment.clients(OUTSIDE_ACCOUNT_ID);
    const forwardRole = await outsider.iam.send(
      new CreateRoleCommand({
        RoleName: forwardRoleName('us-east-1'),
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const putOnHub = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: deployment.hubBusArn }],
    };
    await outsider.iam.send(
      new PutRolePolicyCommand({
        RoleName: forwardRoleName('us-east-1'),
        PolicyName: 'PutOnHubBus',
        PolicyDocument: JSON.stringify(putOnHub),
      }),
    );
    await outsider.eventBridge.send(
      new PutRuleCommand({
        Name: MEMBER_RULE_NAME,
        EventPattern: passRoleDenialEventPatternJson(),
        State: 'ENABLED',
      }),
    );
    await outsider.eventBridge.send(
      new PutTargetsCommand({
        Rule: MEMBER_RULE_NAME,
        Targets: [{ Id: 'hub-bus', Arn: deployment.hubBusArn, RoleArn: forwardRole.Role?.Arn ?? '' }],
      }),
    );
    const [outside] = await fake.putEvents(OUTSIDE_ACCOUNT_ID, 'us-east-1', [
      denialEntry(seedDenialIn(OUTSIDE_ACCOUNT_ID, 'outsider')),
    ]);
    expect(fake.deliveries.filter((delivery) => delivery.eventId === outside?.id)).toEqual([
      expect.objectContaining({
        outcome: 'failed-invocation',
        reason: expect.stringContaining('ImplicitlyDenied'),
      }),
    ]);

    // In the organization, a rule of member A that puts as another role of member A.
    const member = deployment.clients(memberA.id);
    const other = await member.iam.send(
      new CreateRoleCommand({
        RoleName: 'NotTheForwardRole',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await member.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'NotTheForwardRole',
        PolicyName: 'PutOnHubBus',
        PolicyDocument: JSON.stringify(putOnHub),
      }),
    );
    await member.eventBridge.send(
      new PutRuleCommand({
        Name: 'sneaky',
        EventPattern: passRoleDenialEventPatternJson(),
        State: 'ENABLED',
      }),
    );
    await member.eventBridge.send(
      new PutTargetsCommand({
        Rule: 'sneaky',
        Targets: [{ Id: 'hub-bus', Arn: deployment.hubBusArn, RoleArn: other.Role?.Arn ?? '' }],
      }),
    );
    const [inside] = await fake.putEvents(memberA.id, 'us-east-1', [
      denialEntry(seedDenialIn(memberA.id, 'sneaky')),
    ]);
    const outcomes = fake.deliveries
      .filter((delivery) => delivery.eventId === inside?.id)
      .map((delivery) => [delivery.rule.split('/').pop(), delivery.outcome]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        [MEMBER_RULE_NAME, 'delivered-to-bus'],
        ['sneaky', 'failed-invocation'],
      ]),
    );
    // Only the forward role's delivery reached the queue.
    expect((await hubQueueEnvelopes()).map((envelope) => envelope.id)).toEqual([inside?.id]);
  });

  it("the fake's pattern matcher routes every CloudTrail record we hold exactly as moto's matcher does", async () => {
    const account = deployment.clients('222222222222');
    const queue = await createQueue(account.sqs, 'matcher-check');
    await account.eventBridge.send(
      new PutRuleCommand({
        Name: 'matcher-check',
        EventPattern: passRoleDenialEventPatternJson(),
        State: 'ENABLED',
      }),
    );
    await account.eventBridge.send(
      new PutTargetsCommand({ Rule: 'matcher-check', Targets: [{ Id: 'queue', Arn: queue.arn }] }),
    );
    const events = recordedEvents();
    for (let first = 0; first < events.length; first += 10) {
      await account.eventBridge.send(
        new PutEventsCommand({
          Entries: events.slice(first, first + 10).map((event) => ({
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
    }
    const byMoto = (await receiveAll(account.sqs, queue.url))
      .map((message) => (JSON.parse(message.Body ?? '{}') as { detail: { marker: string } }).detail.marker)
      .sort();
    const byFake = events
      .filter((event) => matchesEventPattern(PASSROLE_DENIAL_EVENT_PATTERN, event))
      .map((event) => String(event.detail['marker']))
      .sort();
    expect(byMoto.length).toBeGreaterThan(20);
    expect(byMoto.length).toBeLessThan(events.length);
    expect(byFake).toEqual(byMoto);
  });
});

interface PatternProbe {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

/**
 * Every CloudTrail record in test/fixtures/cloudtrail (log files record by record), marked, as
 * events; each also from a source that is not AWS's and as a call that succeeded.
 */
function recordedEvents(): PatternProbe[] {
  const root = join(__dirname, '..', '..', 'fixtures', 'cloudtrail');
  const events: PatternProbe[] = [];
  const add = (source: string, detailType: string, record: Record<string, unknown>): void => {
    events.push({
      source,
      'detail-type': detailType,
      detail: { ...record, marker: `event-${events.length}` },
    });
  };
  for (const directory of ['passrole', 'real']) {
    for (const file of readdirSync(join(root, directory))
      .filter((name) => name.endsWith('.json'))
      .sort()) {
      if (file.endsWith('-decoded-authorization-message.json')) continue;
      const content = JSON.parse(readFileSync(join(root, directory, file), 'utf8')) as Record<
        string,
        unknown
      >;
      const records = Array.isArray(content['Records'])
        ? (content['Records'] as Record<string, unknown>[])
        : content['detail'] !== undefined
          ? [content['detail'] as Record<string, unknown>]
          : [content];
      for (const record of records) {
        const service = String(record['eventSource'] ?? 'unknown.amazonaws.com').split('.')[0] ?? 'unknown';
        add(`aws.${service}`, CLOUDTRAIL_API_CALL_DETAIL_TYPE, record);
        // From a source that is not AWS's: never routed.
        add(`custom.${service}`, CLOUDTRAIL_API_CALL_DETAIL_TYPE, record);
        const { errorCode: _code, errorMessage: _message, ...succeeded } = record;
        add(`aws.${service}`, CLOUDTRAIL_API_CALL_DETAIL_TYPE, succeeded);
      }
    }
  }
  return events;
}
