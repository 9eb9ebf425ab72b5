import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import type { IncidentEvent, IncidentRecord } from '../../../lambda/core/incident';
import { approvalStoreContract, move } from '../support/approval-store-contract';
import { incidentStoreContract } from '../support/incident-store-contract';
import { proposalRecord } from '../support/proposal-records';

const CLAIMED = { kind: 'claimed' };
const NOT_CLAIMED = { kind: 'not-claimed' };

const T0 = new Date('2026-06-17T02:05:00Z');
const hours = (count: number) => new Date(T0.getTime() + count * 3_600_000);

async function storeWith(record: IncidentRecord): Promise<InMemoryIncidentStore> {
  const store = new InMemoryIncidentStore();
  await store.create(record, T0);
  return store;
}

describe('InMemoryIncidentStore: incidents', () => {
  it('creates a record and opens its incident until the record expires', async () => {
    const store = new InMemoryIncidentStore();
    const record = proposalRecord({ id: 'p-1' });
    expect(await store.create(record, T0)).toEqual({ kind: 'created', record });
    expect(await store.findOpenIncident(record.incidentKey, hours(71))).toEqual({
      incidentKey: record.incidentKey,
      proposalId: 'p-1',
      openUntil: record.expiresAt,
    });
    expect(await store.findOpenIncident(record.incidentKey, hours(72))).toBeNull();
    expect(await store.findOpenIncident('another-incident', T0)).toBeNull();
  });

  it('lets only the first creator of an open incident win, and a new one once it closed', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    expect(await store.create(proposalRecord({ id: 'p-2' }), hours(1))).toEqual({
      kind: 'incident-open',
      proposalId: 'p-1',
    });
    expect(await store.get('p-2')).toBeNull();
    const later = proposalRecord({
      id: 'p-3',
      createdAt: hours(80).toISOString(),
      expiresAt: hours(152).toISOString(),
    });
    expect((await store.create(later, hours(80))).kind).toBe('created');
    expect((await store.findOpenIncident(later.incidentKey, hours(80)))?.proposalId).toBe('p-3');
  });

  it('hands out copies: changing a returned record does not change the store', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const copy = await store.get('p-1');
    if (copy) copy.occurrenceCount = 99;
    expect((await store.get('p-1'))?.occurrenceCount).toBe(1);
  });
});

describe('InMemoryIncidentStore: diagnosis claims', () => {
  it('lets one invocation diagnose a new incident until its lease ends, the record is created or it gives up', async () => {
    const store = new InMemoryIncidentStore();
    const key = proposalRecord().incidentKey;
    expect(await store.claimDiagnosis(key, T0, hours(0.1))).toEqual(CLAIMED);
    expect(await store.claimDiagnosis(key, T0, hours(0.1))).toEqual(NOT_CLAIMED);
    expect(await store.claimDiagnosis(key, hours(0.2), hours(0.3))).toEqual(CLAIMED);
    await store.releaseDiagnosis(key);
    expect(await store.claimDiagnosis(key, hours(0.2), hours(0.3))).toEqual(CLAIMED);
    await store.create(proposalRecord(), hours(0.25));
    expect(await store.claimDiagnosis(key, hours(1), hours(1.1))).toEqual(NOT_CLAIMED);
    expect(await store.claimDiagnosis(key, hours(72), hours(72.1))).toEqual(CLAIMED);
  });
});

describe('InMemoryIncidentStore: occurrences', () => {
  it('counts another event, not a redelivery of one already counted', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1', firstEventId: 'evt-1', lastEventId: 'evt-1' }));
    const second = await store.recordOccurrence('p-1', { eventId: 'evt-2', seenAt: hours(1) });
    expect(second).toMatchObject({
      kind: 'recorded',
      record: { occurrenceCount: 2, lastEventId: 'evt-2', lastSeenAt: hours(1).toISOString() },
    });
    expect((await store.recordOccurrence('p-1', { eventId: 'evt-1', seenAt: hours(2) })).kind).toBe(
      'already-counted',
    );
    expect((await store.recordOccurrence('p-1', { eventId: 'evt-2', seenAt: hours(2) })).kind).toBe(
      'already-counted',
    );
    expect((await store.get('p-1'))?.occurrenceCount).toBe(2);
  });

  it('says closed for an unknown or expired record', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    expect(await store.recordOccurrence('nope', { eventId: 'e', seenAt: T0 })).toEqual({ kind: 'closed' });
    expect(await store.recordOccurrence('p-1', { eventId: 'e', seenAt: hours(72) })).toEqual({
      kind: 'closed',
    });
  });
});

describe('InMemoryIncidentStore: notification claims', () => {
  it('grants the first message once, to one holder at a time, until it is marked sent', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    expect(await store.claimNotification('p-1', { kind: 'first' }, T0, hours(0.1))).toEqual(CLAIMED);
    expect(await store.claimNotification('p-1', { kind: 'first' }, T0, hours(0.1))).toEqual(NOT_CLAIMED);
    await store.releaseNotification('p-1');
    expect(await store.claimNotification('p-1', { kind: 'first' }, T0, hours(0.1))).toEqual(CLAIMED);
    await store.markNotified('p-1', T0);
    expect(await store.get('p-1')).toMatchObject({
      notifiedAt: T0.toISOString(),
      notificationCount: 1,
      notificationLeaseUntil: null,
    });
    expect(await store.claimNotification('p-1', { kind: 'first' }, hours(1), hours(1.1))).toEqual(
      NOT_CLAIMED,
    );
  });

  it('takes an expired lease over: the holder crashed', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    await store.claimNotification('p-1', { kind: 'first' }, T0, hours(0.1));
    expect(await store.claimNotification('p-1', { kind: 'first' }, hours(0.2), hours(0.3))).toEqual(CLAIMED);
  });

  it('grants a reminder of a pending proposal only when its last message is older than asked', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    await store.markNotified('p-1', T0);
    const reminder = (notifiedBefore: Date) => ({ kind: 'reminder' as const, notifiedBefore });
    expect(await store.claimNotification('p-1', reminder(T0), hours(24), hours(24.1))).toEqual(NOT_CLAIMED);
    expect(await store.claimNotification('p-1', reminder(hours(1)), hours(25), hours(25.1))).toEqual(CLAIMED);
  });

  it('never reminds of a report', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1', status: 'reported', proposal: null }));
    await store.markNotified('p-1', T0);
    expect(
      await store.claimNotification(
        'p-1',
        { kind: 'reminder', notifiedBefore: hours(30) },
        hours(30),
        hours(31),
      ),
    ).toEqual(NOT_CLAIMED);
  });
});

describe('InMemoryIncidentStore: the approval store contract', () => {
  approvalStoreContract(async () => new InMemoryIncidentStore());

  it('hands out copies of moved and conflicting records', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const moved = await store.transition('p-1', move('pending', 'approved'));
    if (moved.kind === 'moved') moved.record.history.push(moved.record.history[0] as IncidentEvent);
    const conflict = await store.transition('p-1', move('pending', 'approved'));
    if (conflict.kind === 'conflict') conflict.record.status = 'pending';
    expect(await store.get('p-1')).toMatchObject({ status: 'approved', history: [{ status: 'approved' }] });
    expect((await store.get('p-1'))?.history).toHaveLength(1);
  });
});

describe('InMemoryIncidentStore: the incident store contract', () => {
  incidentStoreContract(async () => new InMemoryIncidentStore());
});
