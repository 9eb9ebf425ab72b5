/**
 * What every incident store (IncidentStore) must do, whatever holds the records: run against the
 * in-memory store in the unit tests and against DynamoDB (moto_server) in the integration tests, so
 * both agree, as approval-store-contract.ts does for the approval workflow.
 */
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { NotificationClaim } from '../../../lambda/ports/incident-store';
import { hours, move, T0, type FullStore } from './approval-store-contract';
import { proposalRecord } from './proposal-records';

const CLAIMED = { kind: 'claimed' };
const NOT_CLAIMED = { kind: 'not-claimed' };
const FIRST: NotificationClaim = { kind: 'first' };

/** A pending proposal of its own incident, created at T0 and open for 72 hours. */
function recordOf(id: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return proposalRecord({ id, incidentKey: `incident-${id}`, ...overrides });
}

/** Registers the contract's tests; `makeStore` gives an empty store for each test. */
export function incidentStoreContract(makeStore: () => Promise<FullStore>): void {
  async function storeWith(...records: IncidentRecord[]): Promise<FullStore> {
    const store = await makeStore();
    for (const record of records) {
      const outcome = await store.create(record, new Date(record.createdAt));
      if (outcome.kind !== 'created') throw new Error(`could not seed ${record.id}`);
    }
    return store;
  }

  it('creates a record whole and opens its incident until the record expires, not at that instant', async () => {
    const store = await makeStore();
    const record = recordOf('p-1');
    expect(await store.create(record, T0)).toEqual({ kind: 'created', record });
    expect(await store.get('p-1')).toEqual(record);
    expect(await store.findOpenIncident(record.incidentKey, hours(71))).toEqual({
      incidentKey: record.incidentKey,
      proposalId: 'p-1',
      openUntil: record.expiresAt,
    });
    expect(await store.findOpenIncident(record.incidentKey, hours(72))).toBeNull();
    expect(await store.findOpenIncident('incident-never-seen', T0)).toBeNull();
    expect(await store.get('nope')).toBeNull();
  });

  it('stores a report (no proposal) whole', async () => {
    const store = await makeStore();
    const report = recordOf('p-report', { status: 'reported', proposal: null, documentHash: null });
    expect(await store.create(report, T0)).toEqual({ kind: 'created', record: report });
    expect(await store.get('p-report')).toEqual(report);
  });

  it('keeps the organization account of an organization-mode record through create and moves', async () => {
    const store = await makeStore();
    const organizationAccount = {
      id: '123456789012',
      name: 'data-prod',
      ouPath: [
        { id: 'r-ab12', name: 'Root' },
        { id: 'ou-ab12-aaaaaaaa', name: 'Workloads' },
      ],
    };
    const record = recordOf('p-org', { organizationAccount });
    expect(await store.create(record, T0)).toEqual({ kind: 'created', record });
    expect(await store.get('p-org')).toEqual(record);
    const moved = await store.transition('p-org', move('pending', 'rejected'));
    expect(moved.kind).toBe('moved');
    expect((await store.get('p-org'))?.organizationAccount).toEqual(organizationAccount);
  });

  it('lets the first creator of an open incident win, and a new one once it closed', async () => {
    const store = await storeWith(recordOf('p-1'));
    expect(await store.create(recordOf('p-2', { incidentKey: 'incident-p-1' }), hours(1))).toEqual({
      kind: 'incident-open',
      proposalId: 'p-1',
    });
    expect(await store.get('p-2')).toBeNull();
    const later = recordOf('p-3', {
      incidentKey: 'incident-p-1',
      createdAt: hours(80).toISOString(),
      expiresAt: hours(152).toISOString(),
    });
    expect((await store.create(later, hours(80))).kind).toBe('created');
    expect((await store.findOpenIncident('incident-p-1', hours(80)))?.proposalId).toBe('p-3');
  });

  it('closes the incident with a final move, so the next denial opens a new one', async () => {
    const store = await storeWith(recordOf('p-1'));
    expect((await store.transition('p-1', move('pending', 'rejected', hours(2)))).kind).toBe('moved');
    expect(await store.findOpenIncident('incident-p-1', hours(2))).toBeNull();
    expect(await store.recordOccurrence('p-1', { eventId: 'evt-2', seenAt: hours(3) })).toEqual({
      kind: 'closed',
    });
  });

  it('gives a new incident to one diagnoser; the lease is held to its very end, then free', async () => {
    const store = await makeStore();
    const key = 'incident-claimed';
    expect(await store.claimDiagnosis(key, T0, hours(0.1))).toEqual(CLAIMED);
    expect(await store.claimDiagnosis(key, hours(0.05), hours(0.15))).toEqual(NOT_CLAIMED);
    expect(await store.claimDiagnosis(key, hours(0.1), hours(0.2))).toEqual(NOT_CLAIMED);
    expect(await store.claimDiagnosis(key, hours(0.11), hours(0.2))).toEqual(CLAIMED);
    // Given back: the next denial is diagnosed at once. Releasing a claim never taken is no error.
    await store.releaseDiagnosis(key);
    expect(await store.claimDiagnosis(key, hours(0.12), hours(0.2))).toEqual(CLAIMED);
    await expect(store.releaseDiagnosis('incident-without-claim')).resolves.toBeUndefined();
  });

  it('gives no diagnosis claim while the incident is open, and one once it closed', async () => {
    const store = await storeWith(recordOf('p-1'));
    expect(await store.claimDiagnosis('incident-p-1', hours(1), hours(1.1))).toEqual(NOT_CLAIMED);
    expect(await store.claimDiagnosis('incident-p-1', hours(72), hours(72.1))).toEqual(CLAIMED);
  });

  it('counts a repeat once per event, and none on a closed or unknown record', async () => {
    const store = await storeWith(recordOf('p-1'));
    const repeat = await store.recordOccurrence('p-1', { eventId: 'evt-2', seenAt: hours(1) });
    expect(repeat).toMatchObject({
      kind: 'recorded',
      record: { occurrenceCount: 2, lastEventId: 'evt-2', lastSeenAt: hours(1).toISOString() },
    });
    // Redeliveries of the first and of the last event change nothing.
    for (const eventId of ['evt-1', 'evt-2']) {
      expect(await store.recordOccurrence('p-1', { eventId, seenAt: hours(2) })).toMatchObject({
        kind: 'already-counted',
        record: { occurrenceCount: 2 },
      });
    }
    expect(await store.recordOccurrence('p-1', { eventId: 'evt-3', seenAt: hours(72) })).toEqual({
      kind: 'closed',
    });
    expect(await store.recordOccurrence('nope', { eventId: 'evt-3', seenAt: hours(1) })).toEqual({
      kind: 'closed',
    });
    expect((await store.get('p-1'))?.occurrenceCount).toBe(2);
  });

  it('keeps the last counted denial’s own time beside the time it was processed', async () => {
    const store = await storeWith(recordOf('p-1'));
    const repeat = await store.recordOccurrence('p-1', {
      eventId: 'evt-2',
      eventTime: '2026-06-17T02:59:12Z',
      seenAt: hours(1),
    });
    expect(repeat).toMatchObject({
      kind: 'recorded',
      record: { lastEventTime: '2026-06-17T02:59:12Z', lastSeenAt: hours(1).toISOString() },
    });
    expect((await store.get('p-1'))?.lastEventTime).toBe('2026-06-17T02:59:12Z');
  });

  it('publishes the first message once: one lease at a time, held to its end, never again once marked', async () => {
    const store = await storeWith(recordOf('p-1'));
    expect(await store.claimNotification('p-1', FIRST, T0, hours(0.1))).toEqual(CLAIMED);
    expect(await store.get('p-1')).toMatchObject({ notificationLeaseUntil: hours(0.1).toISOString() });
    expect(await store.claimNotification('p-1', FIRST, hours(0.05), hours(0.15))).toEqual(NOT_CLAIMED);
    expect(await store.claimNotification('p-1', FIRST, hours(0.1), hours(0.2))).toEqual(NOT_CLAIMED);
    // A crashed publisher's lease runs out: the redelivery heals the missing message.
    expect(await store.claimNotification('p-1', FIRST, hours(0.11), hours(0.2))).toEqual(CLAIMED);
    // A failed publish gives it back: the retry may publish at once.
    await store.releaseNotification('p-1');
    expect(await store.claimNotification('p-1', FIRST, hours(0.12), hours(0.2))).toEqual(CLAIMED);

    await store.markNotified('p-1', hours(0.13));
    expect(await store.get('p-1')).toMatchObject({
      notifiedAt: hours(0.13).toISOString(),
      notificationCount: 1,
      notificationLeaseUntil: null,
    });
    expect(await store.claimNotification('p-1', FIRST, hours(5), hours(5.1))).toEqual(NOT_CLAIMED);
    expect(await store.claimNotification('nope', FIRST, T0, hours(0.1))).toEqual(NOT_CLAIMED);
  });

  it('claims a reminder of a pending proposal only when its last message is older than asked', async () => {
    const store = await storeWith(
      recordOf('p-1'),
      recordOf('p-report', { status: 'reported', proposal: null }),
    );
    for (const id of ['p-1', 'p-report']) await store.markNotified(id, T0);
    const reminder = (notifiedBefore: Date): NotificationClaim => ({ kind: 'reminder', notifiedBefore });
    expect(await store.claimNotification('p-1', reminder(T0), hours(24), hours(24.1))).toEqual(NOT_CLAIMED);
    expect(await store.claimNotification('p-1', reminder(hours(1)), hours(25), hours(25.1))).toEqual(CLAIMED);
    await store.markNotified('p-1', hours(25));
    expect(await store.get('p-1')).toMatchObject({
      notificationCount: 2,
      notifiedAt: hours(25).toISOString(),
    });
    // A report is never reminded of.
    expect(await store.claimNotification('p-report', reminder(hours(30)), hours(30), hours(31))).toEqual(
      NOT_CLAIMED,
    );
  });
}
