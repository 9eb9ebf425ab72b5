/**
 * DynamoDbIncidentStore against moto's DynamoDB: the table as the CDK construct makes it (pk/sk, TTL,
 * the byStatus index), and every condition the store relies on evaluated by the emulator rather than
 * checked as text by a mock.
 *
 * moto and concurrency: moto's TransactWriteItems is not atomic under concurrent requests (see
 * support/serialized-dynamodb.ts), while DynamoDB serializes conflicting transactions (one commits, the
 * other is cancelled). So the race below issues both `create` calls at once and lets them reach moto
 * one after the other over a single connection: the store's side of the race (a condition that fails
 * for whoever comes second, the cancellation read back into the winner's proposal id) is what is under
 * test; the serialization itself is DynamoDB's to guarantee.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbIncidentStore } from '../../lambda/adapters/aws/dynamodb-incident-store';
import type { IncidentRecord } from '../../lambda/core/incident';
import { proposalRecord } from '../adapters/support/proposal-records';
import { motoEndpoint } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { createProposalsTable, PROPOSALS_STATUS_INDEX } from './support/proposal-tables';
import { createSerializedDynamoDbClient, type SerializedDynamoDb } from './support/serialized-dynamodb';

const CLAIMED = { kind: 'claimed' };
const NOT_CLAIMED = { kind: 'not-claimed' };

const TABLE = 'passrole-doctor-proposals';
const T0 = new Date('2026-06-17T02:05:00Z');
const minutesAfter = (minutes: number, from: Date = T0): Date => new Date(from.getTime() + minutes * 60_000);
const hoursAfter = (hours: number, from: Date = T0): Date => minutesAfter(hours * 60, from);

let incidentNumber = 0;
/** A pending proposal of a new incident (the seed's), created at T0 and open for 72 hours. */
function newRecord(id: string, incidentKey = `incident-${++incidentNumber}`): IncidentRecord {
  return proposalRecord({ id, incidentKey });
}

describe('DynamoDbIncidentStore against moto DynamoDB', () => {
  let serialized: SerializedDynamoDb;
  let dynamodb: DynamoDBClient;
  let store: DynamoDbIncidentStore;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    serialized = createSerializedDynamoDbClient();
    dynamodb = serialized.client;
    await createProposalsTable(dynamodb, TABLE);
    store = new DynamoDbIncidentStore(dynamodb, TABLE);
  });

  afterAll(() => serialized.destroy());

  describe('create', () => {
    it('lets exactly one of two concurrent creators of an incident win; the other learns the winner', async () => {
      const left = newRecord('p-left', 'incident-race');
      const right = newRecord('p-right', 'incident-race');
      const outcomes = await Promise.all([store.create(left, T0), store.create(right, T0)]);

      const created = outcomes.filter((outcome) => outcome.kind === 'created');
      const lost = outcomes.filter((outcome) => outcome.kind === 'incident-open');
      expect(created).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = created[0]?.kind === 'created' ? created[0].record : null;
      const loserId = winner?.id === left.id ? right.id : left.id;
      // The winner's id comes back from the cancelled transaction's old image (ALL_OLD).
      expect(lost[0]).toEqual({ kind: 'incident-open', proposalId: winner?.id });
      expect(await store.findOpenIncident('incident-race', T0)).toMatchObject({ proposalId: winner?.id });
      // Both or neither: the loser's proposal item was not written.
      expect(await store.get(loserId)).toBeNull();
    });

    it('stores the record whole: what get() reads back is what was created', async () => {
      const record = newRecord('p-whole');
      expect(await store.create(record, T0)).toEqual({ kind: 'created', record });
      expect(await store.get('p-whole')).toEqual(record);
    });

    it("opens a new incident once the old one's time is over", async () => {
      const old = newRecord('p-old', 'incident-reopened');
      await store.create(old, T0);
      const later = hoursAfter(73);
      const next = proposalRecord({
        id: 'p-new',
        incidentKey: 'incident-reopened',
        createdAt: later.toISOString(),
        expiresAt: hoursAfter(72, later).toISOString(),
      });
      expect((await store.create(next, later)).kind).toBe('created');
      expect(await store.findOpenIncident('incident-reopened', later)).toMatchObject({ proposalId: 'p-new' });
    });

    it('lists the proposal, and not its incident pointer, in the byStatus index', async () => {
      await store.create(newRecord('p-indexed'), T0);
      const pending = await DynamoDBDocumentClient.from(dynamodb).send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: PROPOSALS_STATUS_INDEX,
          KeyConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      );
      const items = pending.Items ?? [];
      expect(items.map((item) => item['proposalId'])).toContain('p-indexed');
      expect(items.every((item) => item['entityType'] === 'proposal')).toBe(true);
    });
  });

  describe('findOpenIncident', () => {
    it('finds the incident until its proposal expires, and not at or after that', async () => {
      const record = newRecord('p-open');
      await store.create(record, T0);
      expect(await store.findOpenIncident(record.incidentKey, hoursAfter(71))).toEqual({
        incidentKey: record.incidentKey,
        proposalId: 'p-open',
        openUntil: record.expiresAt,
      });
      expect(await store.findOpenIncident(record.incidentKey, new Date(record.expiresAt))).toBeNull();
      expect(await store.findOpenIncident('incident-never-seen', T0)).toBeNull();
    });
  });

  describe('claimDiagnosis', () => {
    it('gives a new incident to one diagnoser until its lease ends, and none once the incident is open', async () => {
      const key = 'incident-claimed';
      expect(await store.claimDiagnosis(key, T0, minutesAfter(2))).toEqual(CLAIMED);
      expect(await store.claimDiagnosis(key, minutesAfter(1), minutesAfter(3))).toEqual(NOT_CLAIMED);
      // A lease is held up to its very end (the one lease rule), and free once that is past: a
      // crashed diagnoser's lease runs out, another may take it.
      expect(await store.claimDiagnosis(key, minutesAfter(2), minutesAfter(4))).toEqual(NOT_CLAIMED);
      expect(await store.claimDiagnosis(key, minutesAfter(2.01), minutesAfter(4))).toEqual(CLAIMED);

      // The create transaction replaces the claim with the incident pointer.
      expect((await store.create(newRecord('p-claimed', key), minutesAfter(3))).kind).toBe('created');
      expect(await store.claimDiagnosis(key, minutesAfter(10), minutesAfter(12))).toEqual(NOT_CLAIMED);
    });

    it('can be given back, so the next denial of the incident is diagnosed at once', async () => {
      const key = 'incident-released';
      expect(await store.claimDiagnosis(key, T0, minutesAfter(2))).toEqual(CLAIMED);
      await store.releaseDiagnosis(key);
      expect(await store.claimDiagnosis(key, minutesAfter(1), minutesAfter(3))).toEqual(CLAIMED);
      // Releasing a claim that was never taken is not an error.
      await expect(store.releaseDiagnosis('incident-without-claim')).resolves.toBeUndefined();
    });
  });

  describe('recordOccurrence', () => {
    it('counts distinct events of an open record, once each, and nothing on a closed one', async () => {
      const record = newRecord('p-counted');
      await store.create(record, T0);

      const second = await store.recordOccurrence('p-counted', {
        eventId: 'evt-2',
        eventTime: '2026-06-17T02:09:58Z',
        seenAt: minutesAfter(5),
      });
      expect(second.kind).toBe('recorded');
      expect(second.kind === 'recorded' ? second.record : null).toMatchObject({
        occurrenceCount: 2,
        firstEventId: 'evt-1',
        lastEventId: 'evt-2',
        lastSeenAt: minutesAfter(5).toISOString(),
        // The denial's own time, for "last seen", beside the processing time.
        lastEventTime: '2026-06-17T02:09:58Z',
      });
      // A redelivery of the last (or the first) event changes nothing.
      const again = await store.recordOccurrence('p-counted', { eventId: 'evt-2', seenAt: minutesAfter(6) });
      expect(again.kind === 'already-counted' ? again.record.occurrenceCount : again.kind).toBe(2);
      const first = await store.recordOccurrence('p-counted', { eventId: 'evt-1', seenAt: minutesAfter(6) });
      expect(first.kind).toBe('already-counted');

      const third = await store.recordOccurrence('p-counted', { eventId: 'evt-3', seenAt: minutesAfter(7) });
      expect(third.kind === 'recorded' ? third.record.occurrenceCount : third.kind).toBe(3);

      expect(await store.recordOccurrence('p-counted', { eventId: 'evt-4', seenAt: hoursAfter(72) })).toEqual(
        {
          kind: 'closed',
        },
      );
      expect(await store.recordOccurrence('p-missing', { eventId: 'evt-5', seenAt: T0 })).toEqual({
        kind: 'closed',
      });
      expect((await store.get('p-counted'))?.occurrenceCount).toBe(3);
    });
  });

  describe('claimNotification and markNotified', () => {
    it('publishes the first message once: one lease at a time, never again once marked', async () => {
      await store.create(newRecord('p-notified'), T0);
      const first = { kind: 'first' } as const;

      expect(await store.claimNotification('p-notified', first, T0, minutesAfter(1))).toEqual(CLAIMED);
      // Another invocation while the lease is live: not its turn.
      expect(
        await store.claimNotification('p-notified', first, minutesAfter(0.5), minutesAfter(1.5)),
      ).toEqual(NOT_CLAIMED);
      // The publisher failed and gave the lease back: the retry may publish at once.
      await store.releaseNotification('p-notified');
      expect(
        await store.claimNotification('p-notified', first, minutesAfter(0.6), minutesAfter(1.6)),
      ).toEqual(CLAIMED);

      await store.markNotified('p-notified', minutesAfter(0.7));
      expect(await store.get('p-notified')).toMatchObject({
        notifiedAt: minutesAfter(0.7).toISOString(),
        notificationCount: 1,
        notificationLeaseUntil: null,
      });
      expect(await store.claimNotification('p-notified', first, minutesAfter(5), minutesAfter(6))).toEqual(
        NOT_CLAIMED,
      );
    });

    it("lets a crashed publisher's lease expire, so the redelivery heals the missing message", async () => {
      await store.create(newRecord('p-crashed'), T0);
      const first = { kind: 'first' } as const;
      expect(await store.claimNotification('p-crashed', first, T0, minutesAfter(2))).toEqual(CLAIMED);
      expect(await store.claimNotification('p-crashed', first, minutesAfter(2), minutesAfter(4))).toEqual(
        NOT_CLAIMED,
      );
      expect(await store.claimNotification('p-crashed', first, minutesAfter(2.01), minutesAfter(4))).toEqual(
        CLAIMED,
      );
    });

    it('claims a reminder only when the last message is older than asked, and counts it when marked', async () => {
      await store.create(newRecord('p-reminded'), T0);
      await store.claimNotification('p-reminded', { kind: 'first' }, T0, minutesAfter(1));
      await store.markNotified('p-reminded', T0);

      const now = hoursAfter(25);
      const notYet = { kind: 'reminder', notifiedBefore: minutesAfter(-1) } as const;
      expect(await store.claimNotification('p-reminded', notYet, now, minutesAfter(1, now))).toEqual(
        NOT_CLAIMED,
      );
      const due = { kind: 'reminder', notifiedBefore: hoursAfter(1) } as const;
      expect(await store.claimNotification('p-reminded', due, now, minutesAfter(1, now))).toEqual(CLAIMED);
      await store.markNotified('p-reminded', now);
      expect(await store.get('p-reminded')).toMatchObject({
        notifiedAt: now.toISOString(),
        notificationCount: 2,
      });
    });

    it('fails to mark a record that does not exist', async () => {
      await expect(store.markNotified('p-nowhere', T0)).rejects.toThrow(/dynamodb:UpdateItem \(notified\)/);
    });
  });
});
