import { findStalledApplies, RECONCILED_STATUSES, stalledReason } from '../../../lambda/core/apply/reconcile';
import { proposalRecord } from '../../adapters/support/proposal-records';
import { FakeApprovalStore } from '../../support/fake-approval-store';
import { ago, decidedAt, HOUR, later, MINUTE, NOW, OUTCOME, recordAt, SETTINGS } from './reconcile-support';

describe('stalledReason', () => {
  describe('an approved or applied record', () => {
    it('whose apply never claimed it is apply-not-started', () => {
      expect(stalledReason(recordAt('p', 'approved', 10 * MINUTE), NOW, SETTINGS)).toBe('apply-not-started');
    });

    it.each(['approved', 'applied'] as const)(
      'that was claimed and whose lease expired (%s) is apply-died',
      (status) => {
        const record = recordAt('p', status, 10 * MINUTE, {
          applyAttempts: 1,
          applyLeaseUntil: ago(MINUTE),
        });
        expect(stalledReason(record, NOW, SETTINGS)).toBe('apply-died');
      },
    );

    it('whose lease was given back (released, null) after an attempt is apply-died', () => {
      const record = recordAt('p', 'applied', 10 * MINUTE, { applyAttempts: 2, applyLeaseUntil: null });
      expect(stalledReason(record, NOW, SETTINGS)).toBe('apply-died');
    });

    it('is left alone while an apply holds a live lease, however old its last move', () => {
      const record = recordAt('p', 'applied', 3 * HOUR, { applyAttempts: 3, applyLeaseUntil: later(MINUTE) });
      expect(stalledReason(record, NOW, SETTINGS)).toBeNull();
    });

    it('counts a lease ending this very moment as live, as claimApply does, and one just past as expired', () => {
      const at = (leaseUntil: string) =>
        stalledReason(
          recordAt('p', 'approved', 10 * MINUTE, { applyAttempts: 1, applyLeaseUntil: leaseUntil }),
          NOW,
          SETTINGS,
        );
      expect(at(NOW.toISOString())).toBeNull();
      expect(at(ago(1))).toBe('apply-died');
    });

    it('is left alone within the grace period after its last move, and due from its end', () => {
      const movedAgo = (ms: number) => stalledReason(recordAt('p', 'approved', ms), NOW, SETTINGS);
      expect(movedAgo(0)).toBeNull();
      expect(movedAgo(SETTINGS.graceMs - 1)).toBeNull();
      expect(movedAgo(SETTINGS.graceMs)).toBe('apply-not-started');
    });

    it('measures the grace from the last history entry, not from the creation', () => {
      // Created hours ago, but applied a minute ago: the apply is still verifying.
      const record = recordAt('p', 'applied', MINUTE, { createdAt: ago(5 * HOUR), applyAttempts: 1 });
      expect(stalledReason(record, NOW, SETTINGS)).toBeNull();
    });

    it('falls back to the creation time when the record has no history', () => {
      const fresh = proposalRecord({ status: 'approved', createdAt: ago(MINUTE), history: [] });
      const old = proposalRecord({ status: 'approved', createdAt: ago(HOUR), history: [] });
      expect(stalledReason(fresh, NOW, SETTINGS)).toBeNull();
      expect(stalledReason(old, NOW, SETTINGS)).toBe('apply-not-started');
    });

    it('uses the grace it is given', () => {
      const record = recordAt('p', 'approved', 10 * MINUTE);
      expect(stalledReason(record, NOW, { ...SETTINGS, graceMs: 15 * MINUTE })).toBeNull();
      expect(stalledReason(record, NOW, { ...SETTINGS, graceMs: 10 * MINUTE })).toBe('apply-not-started');
    });
  });

  describe('a record the apply function decided', () => {
    it.each(['verified', 'not-verified', 'failed'] as const)(
      'is outcome-not-sent when %s and neither message nor event went out',
      (status) => {
        const record = decidedAt('p', status, HOUR, { resultMessageAt: null, resultEventAt: null });
        expect(stalledReason(record, NOW, SETTINGS)).toBe('outcome-not-sent');
      },
    );

    it('is outcome-not-sent when only the message, or only the event, went out', () => {
      expect(stalledReason(decidedAt('p', 'verified', HOUR, { resultEventAt: null }), NOW, SETTINGS)).toBe(
        'outcome-not-sent',
      );
      expect(stalledReason(decidedAt('p', 'verified', HOUR, { resultMessageAt: null }), NOW, SETTINGS)).toBe(
        'outcome-not-sent',
      );
    });

    it('is never due once both went out', () => {
      expect(stalledReason(decidedAt('p', 'verified', HOUR), NOW, SETTINGS)).toBeNull();
      expect(stalledReason(decidedAt('p', 'not-verified', 10 * HOUR), NOW, SETTINGS)).toBeNull();
    });

    it('is not announced any more once decided longer ago than announceWithinMs', () => {
      const unannounced = (movedAgoMs: number) =>
        stalledReason(
          decidedAt('p', 'verified', movedAgoMs, { resultMessageAt: null, resultEventAt: null }),
          NOW,
          SETTINGS,
        );
      expect(unannounced(SETTINGS.announceWithinMs)).toBe('outcome-not-sent');
      expect(unannounced(SETTINGS.announceWithinMs + 1)).toBeNull();
      expect(unannounced(3 * 24 * HOUR)).toBeNull();
    });

    it('is left alone within the grace period: the apply may be sending it right now', () => {
      const record = decidedAt('p', 'verified', MINUTE, { resultMessageAt: null, resultEventAt: null });
      expect(stalledReason(record, NOW, SETTINGS)).toBeNull();
    });

    it('is not due without an outcome (failed before the apply wrote anything it could report)', () => {
      const record = recordAt('p', 'failed', HOUR, { outcome: null });
      expect(stalledReason(record, NOW, SETTINGS)).toBeNull();
    });
  });

  it.each(['rejected', 'pending', 'reported'] as const)(
    'never finds a %s record due, however old and unannounced',
    (status) => {
      const record = proposalRecord({
        status,
        createdAt: ago(5 * HOUR),
        history: [],
        outcome: status === 'rejected' ? OUTCOME : null,
        resultMessageAt: null,
        resultEventAt: null,
      });
      expect(stalledReason(record, NOW, SETTINGS)).toBeNull();
    },
  );
});

describe('findStalledApplies', () => {
  it('lists each due proposal with its status and reason, and none of the others', async () => {
    const store = new FakeApprovalStore([
      recordAt('not-started', 'approved', 20 * MINUTE),
      recordAt('died', 'applied', 30 * MINUTE, { applyAttempts: 1, applyLeaseUntil: ago(10 * MINUTE) }),
      decidedAt('unannounced', 'not-verified', 40 * MINUTE, { resultMessageAt: null }),
      recordAt('live', 'applied', 50 * MINUTE, { applyAttempts: 1, applyLeaseUntil: later(MINUTE) }),
      recordAt('in-grace', 'approved', MINUTE),
      decidedAt('announced', 'verified', 2 * HOUR),
      decidedAt('too-old', 'failed', 30 * HOUR, { resultMessageAt: null, resultEventAt: null }),
      proposalRecord({ id: 'rejected', status: 'rejected', createdAt: ago(5 * HOUR) }),
    ]);
    await expect(findStalledApplies(store, NOW, SETTINGS)).resolves.toEqual([
      { proposalId: 'unannounced', status: 'not-verified', reason: 'outcome-not-sent' },
      { proposalId: 'died', status: 'applied', reason: 'apply-died' },
      { proposalId: 'not-started', status: 'approved', reason: 'apply-not-started' },
    ]);
  });

  it('orders them by last move, oldest first, whatever their status or creation time', async () => {
    const store = new FakeApprovalStore([
      // Created after moved-second, but moved before it.
      recordAt('moved-first', 'applied', 3 * HOUR, { applyAttempts: 1 }),
      recordAt('moved-second', 'approved', 2 * HOUR, { createdAt: ago(10 * HOUR) }),
      decidedAt('moved-third', 'verified', HOUR, { resultEventAt: null }),
      recordAt('moved-last', 'approved', 10 * MINUTE),
    ]);
    const stalled = await findStalledApplies(store, NOW, SETTINGS);
    expect(stalled.map((entry) => entry.proposalId)).toEqual([
      'moved-first',
      'moved-second',
      'moved-third',
      'moved-last',
    ]);
  });

  it('reads exactly the approved, applied and apply-decided statuses, each with limitPerStatus', async () => {
    const store = new FakeApprovalStore();
    const list = jest.spyOn(store, 'listByStatus');
    await findStalledApplies(store, NOW, { ...SETTINGS, limitPerStatus: 7 });
    expect(list.mock.calls).toEqual([
      ['approved', 7],
      ['applied', 7],
      ['verified', 7],
      ['not-verified', 7],
      ['failed', 7],
    ]);
    expect(RECONCILED_STATUSES).not.toContain('rejected');
  });

  it('looks no further than limitPerStatus records of a status (the newest)', async () => {
    const store = new FakeApprovalStore(
      [1, 2, 3].map((n) => recordAt(`approved-${n}`, 'approved', n * HOUR)),
    );
    const stalled = await findStalledApplies(store, NOW, { ...SETTINGS, limitPerStatus: 2 });
    expect(stalled.map((entry) => entry.proposalId)).toEqual(['approved-2', 'approved-1']);
  });

  it('finds nothing when nothing is due', async () => {
    const store = new FakeApprovalStore([
      decidedAt('done', 'verified', HOUR),
      recordAt('fresh', 'approved', 0),
    ]);
    await expect(findStalledApplies(store, NOW, SETTINGS)).resolves.toEqual([]);
  });

  it('lets a failure to read the table through', async () => {
    const store = new FakeApprovalStore([recordAt('p', 'approved', HOUR)]);
    store.failNext('listByStatus', new Error('ProvisionedThroughputExceededException'));
    await expect(findStalledApplies(store, NOW, SETTINGS)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });
});
