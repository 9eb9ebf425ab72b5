/**
 * A NAMED FAKE of EventBridge's cross-account forwarding, for the organization tests.
 *
 * moto forwards an event from a rule to another account's bus by putting a new event there: the
 * hub's `region`, a new `id` and `time`, and the HUB's `account` (which moto 5.2.1 then leaves out
 * of what a queue receives); the organization tests pin this. EventBridge delivers the event itself: the member's envelope arrives intact, which is what
 * the hub's admission compares. This fake carries events as EventBridge does, over the state the
 * test put in moto:
 *
 * 1. `putEvents` in a member account and region builds the envelope EventBridge would (`version`,
 *    `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`);
 * 2. matches it against the rules of that account's default bus (their EventPattern as moto holds
 *    it, with event-pattern-matcher.ts);
 * 3. for each target that is an event bus of another account or region: EventBridge puts it there
 *    as the target's role, so the role must be of the rule's account and the bus's policy must allow
 *    that role events:PutEvents (evaluated with @cloud-copilot/iam-simulate, with aws:PrincipalArn,
 *    aws:PrincipalAccount and aws:PrincipalOrgID), else the delivery fails as a FailedInvocation;
 * 4. on the receiving bus, matches the rules of that bus and sends the intact envelope to their SQS
 *    targets. An event that arrived from another account is not forwarded to a third (EventBridge
 *    does not), and targets of other kinds are not carried: both are recorded.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeEventBusCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  type EventBridgeClient,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { GetRolePolicyCommand, ListRolePoliciesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { nameOf, parseArn } from '../../../lambda/core/iam/arn';
import { matchesEventPattern } from './event-pattern-matcher';

export interface ForwardingClients {
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
  iam: IAMClient;
}

/** The clients of one account in one region (IAM is global: any region's client will do). */
export type ClientsOf = (accountId: string, region: string) => ForwardingClients;

/** An event as EventBridge hands it to a rule's targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface MemberEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources?: string[];
  Time?: Date;
}

/** What happened to one event at one target. */
export type Delivery =
  | { eventId: string; rule: string; target: string; outcome: 'delivered-to-bus' | 'delivered-to-queue' }
  | { eventId: string; rule: string; target: string; outcome: 'failed-invocation'; reason: string }
  | { eventId: string; rule: string; target: string; outcome: 'not-carried'; reason: string };

export interface ForwardingFakeOptions {
  /** Account id -> its organization id (aws:PrincipalOrgID); null outside any organization. */
  organizationOf: (accountId: string) => string | null;
  now?: () => Date;
}

export class EventBridgeCrossAccountForwardingFake {
  readonly deliveries: Delivery[] = [];
  private readonly now: () => Date;

  constructor(
    private readonly clientsOf: ClientsOf,
    private readonly options: ForwardingFakeOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** PutEvents on the default bus of `account` in `region`; returns the envelopes EventBridge built. */
  async putEvents(account: string, region: string, entries: MemberEntry[]): Promise<EventEnvelope[]> {
    const envelopes = entries.map((entry) => this.envelopeOf(account, region, entry));
    for (const envelope of envelopes) await this.route(envelope, account, region, 'default', true);
    return envelopes;
  }

  private envelopeOf(account: string, region: string, entry: MemberEntry): EventEnvelope {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account,
      // EventBridge's `time` has second precision.
      time: (entry.Time ?? this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: entry.Resources ?? [],
      detail: JSON.parse(entry.Detail) as Record<string, unknown>,
    };
  }

  private async route(
    envelope: EventEnvelope,
    account: string,
    region: string,
    busName: string,
    mayForward: boolean,
  ): Promise<void> {
    const clients = this.clientsOf(account, region);
    const rules =
      (await clients.eventBridge.send(new ListRulesCommand({ EventBusName: busName }))).Rules ?? [];
    for (const rule of rules) {
      if (rule.State !== 'ENABLED' || rule.EventPattern === undefined || rule.Name === undefined) continue;
      if (!matchesEventPattern(JSON.parse(rule.EventPattern) as object, envelope)) continue;
      const targets =
        (
          await clients.eventBridge.send(
            new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName }),
          )
        ).Targets ?? [];
      for (const target of targets)
        await this.deliver(envelope, account, region, rule.Name, target, mayForward);
    }
  }

  private async deliver(
    envelope: EventEnvelope,
    account: string,
    region: string,
    rule: string,
    target: Target,
    mayForward: boolean,
  ): Promise<void> {
    const arn = parseArn(target.Arn ?? '');
    const base = { eventId: envelope.id, rule: `${account}/${region}/${rule}`, target: target.Arn ?? '' };
    if (arn?.service === 'sqs') {
      const sqs = this.clientsOf(arn.account, arn.region).sqs;
      const queueUrl = (
        await sqs.send(
          new GetQueueUrlCommand({ QueueName: arn.resource, QueueOwnerAWSAccountId: arn.account }),
        )
      ).QueueUrl;
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(envelope) }));
      this.deliveries.push({ ...base, outcome: 'delivered-to-queue' });
      return;
    }
    const busName =
      arn?.service === 'events' && arn.resource.startsWith('event-bus/') ? nameOf(arn.resource) : null;
    if (arn === null || busName === null) {
      this.deliveries.push({
        ...base,
        outcome: 'not-carried',
        reason: 'the fake carries to buses and queues only',
      });
      return;
    }
    if (arn.account === account && arn.region === region) {
      this.deliveries.push({
        ...base,
        outcome: 'not-carried',
        reason: 'a bus of the same account and region',
      });
      return;
    }
    if (!mayForward) {
      this.deliveries.push({
        ...base,
        outcome: 'not-carried',
        reason: 'EventBridge does not forward an event received from another account to a third',
      });
      return;
    }
    const refusal = await this.putRefusal(
      account,
      target,
      arn.account,
      arn.region,
      busName,
      target.Arn ?? '',
    );
    if (refusal !== null) {
      this.deliveries.push({ ...base, outcome: 'failed-invocation', reason: refusal });
      return;
    }
    this.deliveries.push({ ...base, outcome: 'delivered-to-bus' });
    await this.route(envelope, arn.account, arn.region, busName, false);
  }

  /** Why EventBridge could not put the event on the other account's bus as the target's role. */
  private async putRefusal(
    ruleAccount: string,
    target: Target,
    busAccount: string,
    busRegion: string,
    busName: string,
    busArn: string,
  ): Promise<string | null> {
    const roleArn = target.RoleArn ?? null;
    if (roleArn === null) return 'the target has no role (a rule sending to another account needs one)';
    const role = parseArn(roleArn);
    if (role === null || role.account !== ruleAccount)
      return `the target's role ${roleArn} is not the rule account's`;
    const bus = await this.clientsOf(busAccount, busRegion).eventBridge.send(
      new DescribeEventBusCommand({ Name: busName }),
    );
    if (bus.Policy === undefined) return `${busArn} has no policy admitting another account`;
    const identityPolicies = await this.rolePolicies(ruleAccount, nameOf(roleArn));
    const organizationId = this.options.organizationOf(ruleAccount);
    const context: Record<string, string> = {
      'aws:PrincipalArn': roleArn,
      'aws:PrincipalAccount': ruleAccount,
    };
    if (organizationId !== null) context['aws:PrincipalOrgID'] = organizationId;
    const outcome = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ruleAccount}:assumed-role/${nameOf(roleArn)}/EventBridge`,
          action: 'events:PutEvents',
          resource: { resource: busArn, accountId: busAccount },
          contextVariables: context,
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: JSON.parse(bus.Policy) as unknown,
      },
      {},
    );
    if (outcome.resultType === 'error') throw new Error(`iam-simulate: ${JSON.stringify(outcome.errors)}`);
    return outcome.resultType === 'single' && outcome.overallResult === 'Allowed'
      ? null
      : `${roleArn} may not events:PutEvents on ${busArn} (${outcome.resultType === 'single' ? outcome.overallResult : 'wildcard'})`;
  }

  private async rolePolicies(
    account: string,
    roleName: string,
  ): Promise<{ name: string; policy: unknown }[]> {
    const iam = this.clientsOf(account, 'us-east-1').iam;
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
    const policies: { name: string; policy: unknown }[] = [];
    for (const name of names) {
      const document = (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })))
        .PolicyDocument;
      policies.push({ name, policy: JSON.parse(decodeURIComponent(document ?? '{}')) as unknown });
    }
    return policies;
  }
}
