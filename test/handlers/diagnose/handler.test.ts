import { approvalClaimsOf } from '../../../lambda/core/approval/links';
import { linkMacOf } from '../../support/link-tokens';
import { analysed } from '../../support/escalation';
import { verifyApprovalToken } from '../../../lambda/core/approval/token';
import { InMemoryIdempotencyStore } from '../../../lambda/adapters/memory/in-memory-idempotency-store';
import { InMemoryNotifier } from '../../../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import { readDenials } from '../../../lambda/core/denial';
import { TransientAwsError } from '../../../lambda/core/errors';
import { incidentKeyOf } from '../../../lambda/core/incident';
import type { Denial, Diagnosis } from '../../../lambda/core/model';
import { chatbotNotificationProblems } from '../../../lambda/core/render/message';
import type { RenderedMessage } from '../../../lambda/core/render/message/types';
import type { Notifier } from '../../../lambda/ports/notifier';
import {
  CountingDiagnoser,
  FakeDecoder,
  fixture,
  harness,
  lambdaContext,
  LINK_SIGNING_KEY,
  ManualClock,
  seedDiagnoser,
  seedRecord,
  sqsEvent,
} from './support';

const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';

/** The seed record with another role everywhere: another incident of the same user. */
function otherRoleRecord(eventId: string, roleName = 'etl-weekly-runtime'): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(seedRecord(eventId)).replaceAll('etl-nightly-runtime', roleName),
  ) as Record<string, unknown>;
}

/** Fails the diagnosis of chosen events; passes the others through. */
class FailingDiagnoser extends CountingDiagnoser {
  failing = new Set<string>();
  override async diagnose(denial: Denial): Promise<Diagnosis> {
    if (this.failing.has(denial.eventId)) {
      this.calls++;
      throw new TransientAwsError(
        'iam:GetAccountAuthorizationDetails failed, worth retrying later (Throttling)',
      );
    }
    return super.diagnose(denial);
  }
}

describe('diagnose handler: a new denial', () => {
  it('diagnoses it, stores one pending proposal and publishes one message naming the policy and the group', async () => {
    const h = harness();
    const response = await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    const [record, ...others] = h.store.all();
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      id: 'proposal-1',
      status: 'pending',
      occurrenceCount: 1,
      firstEventId: 'evt-1',
      notifiedAt: '2026-06-17T02:05:00.000Z',
      notificationCount: 1,
      notificationLeaseUntil: null,
      expiresAt: '2026-06-20T02:05:00.000Z',
    });
    expect(record?.proposal?.target).toMatchObject({ type: 'group', name: 'GlueAccess', memberCount: 2 });
    expect(record?.documentHash).toMatch(/^[0-9a-f]{64}$/);

    expect(h.notifier.messages).toHaveLength(1);
    const message = h.notifier.messages[0] as RenderedMessage;
    expect(message.email).toContain('AllowPassEtlNightlyRuntimeToGlue');
    expect(message.email).toContain('group GlueAccess (2 members)');
    expect(chatbotNotificationProblems(message.chatbot)).toEqual([]);
    expect(message.chatbot.metadata.threadId).toBe(record?.incidentKey);
    expect(message.subject.length).toBeLessThan(100);

    expect(h.metrics.total('DenialsSeen')).toBe(1);
    expect(h.metrics.total('ProposalsCreated')).toBe(1);
    expect(h.metrics.total('NotificationsPublished')).toBe(1);
    expect(h.metrics.total('DiagnosisDuration')).toBe(1);
    expect(h.metrics.units['DiagnosisDuration']).toBe('Milliseconds');
    expect(h.metrics.total('Errors')).toBe(0);
  });

  it('links the review page with a token the approval function accepts, when a review base URL is set', async () => {
    const withLink = harness({ settings: { reviewBaseUrl: 'https://review.example.com/' } });
    await withLink.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    const [record] = withLink.store.all();
    const claims = record ? approvalClaimsOf(record) : null;
    if (claims === null) throw new Error('the seed makes a proposal');
    const email = withLink.notifier.messages[0]?.email ?? '';
    const token = /https:\/\/review\.example\.com\/proposals\/proposal-1\?token=([A-Za-z0-9_-]{43})/.exec(
      email,
    )?.[1];
    await expect(
      verifyApprovalToken(token, claims, linkMacOf(LINK_SIGNING_KEY), withLink.clock.now()),
    ).resolves.toEqual({ ok: true });
    expect(email).toContain('passrole-doctor approve proposal-1');
    // The token is a credential: never in the logs.
    expect(JSON.stringify(withLink.logger.lines)).not.toContain(token);

    const without = harness();
    await without.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(without.notifier.messages[0]?.email).not.toContain('/proposals/');
    expect(without.notifier.messages[0]?.email).toContain('passrole-doctor approve proposal-1');
  });

  it('carries only the commands in iam mode (no MAC asked for), only the link in link mode', async () => {
    let fetched = 0;
    const mac = linkMacOf(LINK_SIGNING_KEY);
    const linkMac = {
      generateMac: (message: Uint8Array) => {
        fetched++;
        return mac.generateMac(message);
      },
    };
    const iam = harness({
      settings: { reviewBaseUrl: 'https://review.example.com', approvalMode: 'iam' },
      deps: { linkMac },
    });
    await iam.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    const iamText = JSON.stringify(iam.notifier.messages);
    expect(iamText).not.toContain('/proposals/');
    expect(iamText).toContain('passrole-doctor reject proposal-1');
    expect(fetched).toBe(0);

    const link = harness({
      settings: { reviewBaseUrl: 'https://review.example.com', approvalMode: 'link' },
      deps: { linkMac },
    });
    await link.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    const linkText = JSON.stringify(link.notifier.messages);
    expect(linkText).toMatch(/proposals\/proposal-1\?token=/);
    expect(linkText).not.toContain('passrole-doctor approve');
    expect(fetched).toBe(1);
  });

  it('sends the reminder with the same link', async () => {
    const h = harness({ settings: { reviewBaseUrl: 'https://review.example.com' } });
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    h.clock.advanceHours(25);
    await h.handler(sqsEvent(seedRecord('evt-2')), lambdaContext());
    const links = h.notifier.messages.map((message) => /\?token=[A-Za-z0-9_-]+/.exec(message.text)?.[0]);
    expect(links).toHaveLength(2);
    expect(links[0]).toBeDefined();
    expect(links[1]).toBe(links[0]);
  });

  it('hands the record back to SQS when the link MAC cannot be made, and publishes on the retry', async () => {
    let failing = true;
    const mac = linkMacOf(LINK_SIGNING_KEY);
    const h = harness({
      settings: { reviewBaseUrl: 'https://review.example.com' },
      deps: {
        linkMac: {
          generateMac: async (message: Uint8Array) => {
            if (failing) throw new TransientAwsError('kms:GenerateMac failed (ThrottlingException)');
            return mac.generateMac(message);
          },
        },
      },
    });
    const first = await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(h.notifier.messages).toEqual([]);
    failing = false;
    const retry = await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(retry.batchItemFailures).toEqual([]);
    expect(h.notifier.messages).toHaveLength(1);
  });

  it('logs with structured keys and keeps policy documents and events out of INFO', async () => {
    const h = harness();
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());

    const created = h.logger.lines.find((line) => line.message === 'proposal created');
    expect(created?.attributes).toMatchObject({
      messageId: 'message-1',
      correlation_id: 'message-1',
      eventId: 'evt-1',
      principalArn: 'arn:aws:iam::123456789012:user/mei.tanaka',
      roleArn: ETL_ROLE,
      proposalId: 'proposal-1',
    });
    expect(created?.attributes['incidentKey']).toMatch(/^[0-9a-f]{32}$/);
    const production = JSON.stringify(h.logger.productionLines());
    expect(production).not.toContain('"Statement"');
    expect(production).not.toContain('requestParameters');
    // ... while DEBUG has them, for whoever turns it on.
    expect(JSON.stringify(h.logger.lines.filter((line) => line.level === 'debug'))).toContain('"Statement"');
  });
});

describe('diagnose handler: idempotency on the CloudTrail eventID', () => {
  it('diagnoses and counts an event delivered twice only once', async () => {
    const h = harness();
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    const again = await h.handler(sqsEvent(seedRecord('evt-1'), seedRecord('evt-1')), lambdaContext());

    expect(again.batchItemFailures).toEqual([]);
    expect(h.diagnoser.calls).toBe(1);
    expect(h.store.all()).toHaveLength(1);
    expect(h.store.all()[0]?.occurrenceCount).toBe(1);
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.metrics.total('RedeliveriesSkipped')).toBe(2);
    expect(h.metrics.total('DuplicatesSuppressed')).toBe(0);
  });
});

describe('diagnose handler: one incident, one proposal', () => {
  it('counts other denials of an open incident without diagnosing them or sending another message', async () => {
    const h = harness();
    const response = await h.handler(
      sqsEvent(seedRecord('evt-1'), seedRecord('evt-2'), seedRecord('evt-3')),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(h.diagnoser.calls).toBe(1);
    const records = h.store.all();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ occurrenceCount: 3, firstEventId: 'evt-1', lastEventId: 'evt-3' });
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.metrics.total('DuplicatesSuppressed')).toBe(2);
    expect(h.metrics.total('DenialsSeen')).toBe(3);
  });

  it('keeps incidents apart: another role of the same user is another proposal', async () => {
    const h = harness();
    await h.handler(sqsEvent(seedRecord('evt-1'), otherRoleRecord('evt-2')), lambdaContext());

    expect(h.store.all().map((record) => record.denial.roleArn)).toEqual([
      ETL_ROLE,
      'arn:aws:iam::123456789012:role/etl-weekly-runtime',
    ]);
    expect(h.notifier.messages).toHaveLength(2);
  });

  it('sends a reminder in the same thread once the last message is older than renotifyAfterHours', async () => {
    const h = harness();
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    h.clock.advanceHours(23);
    await h.handler(sqsEvent(seedRecord('evt-2')), lambdaContext());
    expect(h.notifier.messages).toHaveLength(1);

    h.clock.advanceHours(2);
    await h.handler(sqsEvent(seedRecord('evt-3')), lambdaContext());
    expect(h.notifier.messages).toHaveLength(2);
    const [first, reminder] = h.notifier.messages;
    expect(reminder?.subject).toContain('Reminder (3x)');
    expect(reminder?.chatbot.metadata.eventType).toBe('PassRoleReminder');
    expect(reminder?.chatbot.metadata.threadId).toBe(first?.chatbot.metadata.threadId);
    expect(reminder?.email).toContain('seen 3 times');

    h.clock.advanceHours(1);
    await h.handler(sqsEvent(seedRecord('evt-4')), lambdaContext());
    expect(h.notifier.messages).toHaveLength(2);
    expect(h.store.all()[0]).toMatchObject({ occurrenceCount: 4, notificationCount: 2 });
    expect(h.metrics.total('RemindersSent')).toBe(1);
    expect(h.diagnoser.calls).toBe(1);
  });

  it('opens a new incident once the proposal expired', async () => {
    const h = harness();
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    h.clock.advanceHours(73);
    await h.handler(sqsEvent(seedRecord('evt-2')), lambdaContext());

    expect(h.store.all().map((record) => record.id)).toEqual(['proposal-1', 'proposal-2']);
    expect(h.notifier.messages).toHaveLength(2);
    expect(h.diagnoser.calls).toBe(2);
  });

  it('diagnoses a new incident met by two containers at once only once, and counts both denials', async () => {
    const store = new InMemoryIncidentStore();
    const notifier = new InMemoryNotifier();
    const idempotencyStore = new InMemoryIdempotencyStore();
    const clock = new ManualClock();
    const left = harness({ store, notifier, idempotencyStore, clock });
    const right = harness({
      store,
      notifier,
      idempotencyStore,
      clock,
      deps: { newProposalId: () => 'right-1' },
    });
    const events = [sqsEvent(seedRecord('evt-1')), sqsEvent(seedRecord('evt-2'))];

    const responses = await Promise.all([
      left.handler(events[0] ?? { Records: [] }, lambdaContext()),
      right.handler(events[1] ?? { Records: [] }, lambdaContext()),
    ]);
    expect(left.diagnoser.calls + right.diagnoser.calls).toBe(1);
    const handedBack = responses.flatMap((response, index) =>
      response.batchItemFailures.length > 0 ? [events[index] ?? { Records: [] }] : [],
    );
    // The loser's record came back (a new incident is being diagnosed): SQS redelivers it later.
    expect(handedBack).toHaveLength(1);
    expect(left.metrics.total('DeferredDenials') + right.metrics.total('DeferredDenials')).toBe(1);
    expect(left.metrics.total('Errors') + right.metrics.total('Errors')).toBe(0);
    for (const event of handedBack) {
      expect((await left.handler(event, lambdaContext())).batchItemFailures).toEqual([]);
    }

    expect(left.diagnoser.calls + right.diagnoser.calls).toBe(1);
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0]?.occurrenceCount).toBe(2);
    expect(notifier.messages).toHaveLength(1);
  });

  it('hands back a denial of an incident another container is diagnosing, and diagnoses it once that claim lapsed', async () => {
    const h = harness();
    const [outcome] = readDenials(seedRecord('evt-1'), 'seed');
    if (outcome?.kind !== 'denial') throw new Error('the seed is a denial');
    const key = incidentKeyOf(outcome.denial);
    await h.store.claimDiagnosis(key, h.clock.now(), new Date(h.clock.now().getTime() + 60_000));

    const busy = await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(busy.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(h.diagnoser.calls).toBe(0);
    expect(h.metrics.total('DeferredDenials')).toBe(1);

    // The other container died: its claim lapses with its invocation, and the redelivery diagnoses.
    h.clock.advanceHours(1);
    const redelivered = await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(h.diagnoser.calls).toBe(1);
    expect(h.store.all()).toHaveLength(1);
  });

  it('reports a diagnosis without a proposal once, suppresses its repeats and never reminds', async () => {
    const crossAccount = (eventId: string) =>
      JSON.parse(
        JSON.stringify(seedRecord(eventId)).replaceAll(
          '123456789012:role/etl-nightly-runtime',
          '999999999999:role/etl-nightly-runtime',
        ),
      ) as Record<string, unknown>;
    const h = harness();
    await h.handler(sqsEvent(crossAccount('evt-1'), crossAccount('evt-2')), lambdaContext());
    h.clock.advanceHours(30);
    await h.handler(sqsEvent(crossAccount('evt-3')), lambdaContext());

    expect(h.store.all()).toHaveLength(1);
    expect(h.store.all()[0]).toMatchObject({ status: 'reported', proposal: null, occurrenceCount: 3 });
    expect(h.notifier.messages).toHaveLength(1);
    expect(h.notifier.messages[0]?.chatbot.metadata.eventType).toBe('PassRoleReport');
    expect(h.notifier.messages[0]?.email).toContain('No policy change proposed');
    expect(h.metrics.total('ReportsCreated')).toBe(1);
    expect(h.metrics.total('ProposalsCreated')).toBe(0);
  });
});

describe('diagnose handler: failures', () => {
  it('hands back only the record that failed transiently, and diagnoses it on the retry', async () => {
    const diagnoser = new FailingDiagnoser(seedDiagnoser());
    diagnoser.failing.add('evt-2');
    const h = harness({ diagnoser });
    const event = sqsEvent(
      seedRecord('evt-1'),
      otherRoleRecord('evt-2'),
      otherRoleRecord('evt-3', 'etl-third'),
    );

    const response = await h.handler(event, lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-2' }]);
    expect(h.store.all()).toHaveLength(2);
    expect(h.metrics.total('Errors')).toBe(1);
    expect(h.logger.lines.find((line) => line.level === 'warn')?.attributes).toMatchObject({
      messageId: 'message-2',
      reason: expect.stringContaining('Throttling'),
    });

    diagnoser.failing.clear();
    const retry = await h.handler({ Records: event.Records.slice(1, 2) }, lambdaContext());
    expect(retry.batchItemFailures).toEqual([]);
    expect(h.store.all()).toHaveLength(3);
    expect(h.notifier.messages).toHaveLength(3);
  });

  it('acknowledges and counts records that are not JSON, not CloudTrail or not PassRole denials', async () => {
    const h = harness();
    const success = seedRecord('evt-ok');
    delete success['errorCode'];
    delete success['errorMessage'];
    const response = await h.handler(
      sqsEvent(
        'not json {',
        '[1, 2]',
        JSON.stringify({
          'detail-type': 'EC2 Instance State-change Notification',
          detail: { state: 'running' },
        }),
        success,
        fixture('real', '02-sts-AssumeRole-AccessDenied-IAMUser-stratus.json'),
      ),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(h.metrics.total('InvalidRecords')).toBe(2);
    expect(h.metrics.total('NotApplicable')).toBe(3);
    expect(h.metrics.total('DenialsSeen')).toBe(0);
    expect(h.store.all()).toEqual([]);
    const acknowledged = h.logger.lines.filter((line) => line.message.startsWith('record acknowledged'));
    expect(acknowledged.map((line) => line.attributes['messageId'])).toEqual([
      'message-1',
      'message-2',
      'message-3',
      'message-4',
      'message-5',
    ]);
    for (const line of acknowledged) expect(String(line.attributes['reason'])).not.toBe('');
  });

  it('acknowledges a denial without an eventID as invalid rather than retrying it forever', async () => {
    const h = harness();
    const response = await h.handler(sqsEvent(seedRecord('  ')), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(h.metrics.total('InvalidRecords')).toBe(1);
    expect(h.diagnoser.calls).toBe(0);
  });

  it('acknowledges a denial that names no single role as not applicable', async () => {
    const h = harness();
    const response = await h.handler(
      sqsEvent(fixture('passrole', '18-elasticmapreduce-RunJobFlow-no-resource-several-roles.json')),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(h.metrics.total('NotApplicable')).toBe(1);
    expect(h.store.all()).toEqual([]);
    // No record came of it: the diagnosis claim is given back, so the next such denial is read too.
    const next = fixture('passrole', '18-elasticmapreduce-RunJobFlow-no-resource-several-roles.json');
    const again = await h.handler(sqsEvent({ ...next, eventID: 'another-event' }), lambdaContext());
    expect(again.batchItemFailures).toEqual([]);
    expect(h.metrics.total('NotApplicable')).toBe(2);
    expect(h.diagnoser.calls).toBe(2);
  });

  it('acknowledges a denial whose IAM entity no longer exists, counts it, and does not diagnose its redelivery', async () => {
    const ghost = (eventId: string) =>
      JSON.parse(JSON.stringify(seedRecord(eventId)).replaceAll('mei.tanaka', 'ghost.user')) as Record<
        string,
        unknown
      >;
    const h = harness();
    const first = await h.handler(sqsEvent(ghost('evt-1')), lambdaContext());
    const again = await h.handler(sqsEvent(ghost('evt-1')), lambdaContext());

    expect([...first.batchItemFailures, ...again.batchItemFailures]).toEqual([]);
    expect(h.metrics.total('UnprocessableDenials')).toBe(1);
    expect(h.metrics.total('Errors')).toBe(1);
    expect(h.diagnoser.calls).toBe(1);
    expect(h.store.all()).toEqual([]);
  });

  it('decodes complete EC2 encoded messages, and counts the ones cut at 1 KB without failing', async () => {
    const decoded = fixture('passrole', '05-decoded-authorization-message.json');
    const decoder = new FakeDecoder(new Map([[String(decoded['blob']), String(decoded['decodedMessage'])]]));
    const h = harness({ decoder });
    const response = await h.handler(
      sqsEvent(
        fixture('passrole', '05-ec2-AssociateIamInstanceProfile-encoded-only.json'),
        fixture('passrole', '14-ec2-RunInstances-encoded-only-cut-at-1KB.json'),
      ),
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(decoder.asked).toEqual([decoded['blob']]);
    expect(h.metrics.total('DenialsSeen')).toBe(1);
    expect(h.metrics.total('UndecodableMessages')).toBe(1);
    expect(h.metrics.total('NotApplicable')).toBe(1);
  });

  it('counts a complete encoded message STS will not decode, and acknowledges the record', async () => {
    const h = harness({ decoder: new FakeDecoder() });
    const response = await h.handler(
      sqsEvent(fixture('passrole', '05-ec2-AssociateIamInstanceProfile-encoded-only.json')),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(h.metrics.total('UndecodableMessages')).toBe(1);
  });
});

describe('diagnose handler: a failure between storing and publishing', () => {
  class FlakyNotifier implements Notifier {
    failuresLeft = 1;
    readonly delivered = new InMemoryNotifier();
    async publish(message: RenderedMessage): Promise<void> {
      if (this.failuresLeft-- > 0)
        throw new TransientAwsError('sns:Publish failed, worth retrying later (Throttling)');
      await this.delivered.publish(message);
    }
  }

  it('retries the record and publishes the stored proposal: no second proposal, no lost message', async () => {
    const notifier = new FlakyNotifier();
    const h = harness({ deps: { notifier } });
    const event = sqsEvent(seedRecord('evt-1'));

    const first = await h.handler(event, lambdaContext());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(h.store.all()).toHaveLength(1);
    expect(h.store.all()[0]).toMatchObject({ notifiedAt: null, notificationLeaseUntil: null });

    const retry = await h.handler(event, lambdaContext());
    expect(retry.batchItemFailures).toEqual([]);
    expect(h.store.all()).toHaveLength(1);
    expect(h.store.all()[0]).toMatchObject({ occurrenceCount: 1, notificationCount: 1 });
    expect(notifier.delivered.messages).toHaveLength(1);
    expect(h.diagnoser.calls).toBe(1);
  });

  it('heals a crash after storing: the redelivery publishes the message once the crashed invocation is over', async () => {
    // The first container stores the proposal, then dies inside Publish: nothing is cleaned up.
    let publishStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (publishStarted = resolve));
    const hanging: Notifier = {
      publish: () => {
        publishStarted();
        return new Promise<void>(() => undefined);
      },
    };
    let idempotencyNow = Date.now();
    const store = new InMemoryIncidentStore();
    const idempotencyStore = new InMemoryIdempotencyStore(() => idempotencyNow);
    const clock = new ManualClock();
    const crashed = harness({ store, idempotencyStore, clock, deps: { notifier: hanging } });
    void crashed.handler(sqsEvent(seedRecord('evt-1')), lambdaContext(30_000));
    await started;

    // SQS redelivers after the visibility timeout, to a fresh container, when the 30 s invocation is long over.
    clock.advanceHours(1);
    idempotencyNow += 3_600_000;
    const notifier = new InMemoryNotifier();
    const fresh = harness({ store, idempotencyStore, clock, notifier });
    const redelivered = await fresh.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());

    expect(redelivered.batchItemFailures).toEqual([]);
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0]).toMatchObject({ occurrenceCount: 1, notificationCount: 1 });
    expect(notifier.messages).toHaveLength(1);
    expect(fresh.diagnoser.calls).toBe(0);
  });
});

describe('diagnose handler: auto-approval', () => {
  /** The seed diagnosis, its proposal analysed at `none` (no new access for anyone). */
  function noneDiagnoser(): CountingDiagnoser {
    const seed = seedDiagnoser();
    return new CountingDiagnoser({
      diagnose: async (denial) => {
        const diagnosis = await seed.diagnose(denial);
        if (diagnosis.outcome !== 'proposed') throw new Error('the seed should yield a proposal');
        return { ...diagnosis, proposal: { ...diagnosis.proposal, escalation: analysed('none') } };
      },
    });
  }

  function withTrigger(autoApprove: 'off' | 'no-new-access') {
    const requested: string[] = [];
    const h = harness({
      diagnoser: noneDiagnoser(),
      settings: { autoApprove },
      deps: { autoApproveTrigger: { requestAutoApproval: async (id) => void requested.push(id) } },
    });
    return { h, requested };
  }

  it('asks the approval function about a new none proposal when autoApprove is no-new-access', async () => {
    const { h, requested } = withTrigger('no-new-access');
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(requested).toEqual(['proposal-1']);
    // It decides nothing itself: the proposal stays pending, and the reviewers still hear of it.
    expect(h.store.all()[0]?.status).toBe('pending');
    expect(h.notifier.messages).toHaveLength(1);
  });

  it('asks nothing when autoApprove is off', async () => {
    const { h, requested } = withTrigger('off');
    await h.handler(sqsEvent(seedRecord('evt-1')), lambdaContext());
    expect(requested).toEqual([]);
  });
});
