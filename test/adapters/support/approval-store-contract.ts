/**
 * What every approval store must do, whatever holds the records: run against the in-memory store in
 * the unit tests and against DynamoDB (moto_server) in the integration tests, so both agree.
 */
import type { DecisionApprover, SignedDecision } from '../../../lambda/core/approval/signed-decision';
import type { Actor } from '../../../lambda/core/approval/status';
import { InvalidInputError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { ApplyOutcome } from '../../../lambda/core/apply/outcome';
import type { ApplyProgress } from '../../../lambda/core/apply/permission-set/progress';
import type { DecisionStore, TransitionRequest } from '../../../lambda/ports/approval-store';
import type { IncidentStore } from '../../../lambda/ports/incident-store';
import { proposalRecord } from './proposal-records';

export type FullStore = IncidentStore & DecisionStore;

export const T0 = new Date('2026-06-17T02:05:00Z');
export const hours = (count: number): Date => new Date(T0.getTime() + count * 3_600_000);

export const LINK_HOLDER: Actor = {
  kind: 'link-holder',
  name: 'link holder',
  sourceIp: '198.51.100.7',
  userAgent: 'Mozilla/5.0',
};
export const APPROVER: Actor = {
  kind: 'iam',
  name: 'arn:aws:iam::123456789012:user/alice',
  sourceIp: '203.0.113.9',
  userAgent: 'passrole-doctor/0.1',
};
export const APPLIER: Actor = {
  kind: 'iam',
  name: 'arn:aws:iam::123456789012:role/passrole-doctor-apply',
  sourceIp: null,
  userAgent: null,
};

export const OUTCOME: ApplyOutcome = {
  kind: 'verified',
  reason: null,
  readBackMatches: true,
  verification: 'allowed',
  blockers: [],
  attempts: 2,
  appliedAt: hours(1).toISOString(),
  finishedAt: hours(1.01).toISOString(),
};

export const SIGNED: SignedDecision = { envelope: '{"decisionId":"d-1","version":1}', signature: 'MEUCIQ==' };
export const FIRST: DecisionApprover = {
  kind: 'iam',
  name: 'arn:aws:sts::123456789012:assumed-role/SecurityApprover/alice',
  identity: 'arn:aws:iam::123456789012:role/SecurityApprover',
};
export const SECOND: DecisionApprover = {
  kind: 'iam',
  name: 'arn:aws:iam::123456789012:user/bob',
  identity: 'arn:aws:iam::123456789012:user/bob',
};

export function move(
  from: TransitionRequest['from'],
  to: TransitionRequest['to'],
  at: Date = hours(1),
  extra: Partial<TransitionRequest> = {},
): TransitionRequest {
  return { from, to, actor: to === 'approved' || to === 'rejected' ? LINK_HOLDER : APPLIER, at, ...extra };
}

/** Registers the contract's tests; `makeStore` gives an empty store for each test. */
export function approvalStoreContract(makeStore: () => Promise<FullStore>): void {
  async function storeWith(...records: IncidentRecord[]): Promise<FullStore> {
    const store = await makeStore();
    for (const record of records) {
      const outcome = await store.create(record, new Date(record.createdAt));
      if (outcome.kind !== 'created') throw new Error(`could not seed ${record.id}`);
    }
    return store;
  }

  it('approves a pending proposal once, recording who, when and from where', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const outcome = await store.transition('p-1', move('pending', 'approved'));
    expect(outcome.kind).toBe('moved');
    const expected = {
      status: 'approved',
      history: [{ status: 'approved', actor: LINK_HOLDER, at: hours(1).toISOString(), detail: null }],
      outcome: null,
      occurrenceCount: 1,
    };
    expect(outcome.kind === 'moved' && outcome.record).toMatchObject(expected);
    expect(await store.get('p-1')).toMatchObject(expected);
  });

  it('answers conflict to a second decision, with the record saying who decided first', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    await store.transition('p-1', move('pending', 'approved'));
    const again = await store.transition('p-1', move('pending', 'approved', hours(2), { actor: APPROVER }));
    expect(again).toMatchObject({
      kind: 'conflict',
      record: { status: 'approved', history: [{ status: 'approved', actor: LINK_HOLDER }] },
    });
    const reject = await store.transition('p-1', move('pending', 'rejected', hours(2)));
    expect(reject.kind).toBe('conflict');
    expect((await store.get('p-1'))?.history).toHaveLength(1);
  });

  it('refuses an approval at or past the expiry, whatever the TTL sweeper has done', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const expiresAt = new Date('2026-06-20T02:05:00.000Z');
    expect(await store.transition('p-1', move('pending', 'approved', expiresAt))).toMatchObject({
      kind: 'expired',
      record: { status: 'pending' },
    });
    expect((await store.get('p-1'))?.history).toEqual([]);
    expect((await store.transition('p-1', move('pending', 'approved', hours(71.9)))).kind).toBe('moved');
  });

  it('says not-found for an unknown proposal', async () => {
    const store = await makeStore();
    expect(await store.transition('nope', move('pending', 'approved'))).toEqual({ kind: 'not-found' });
    expect(await store.transition('nope', move('pending', 'rejected'))).toEqual({ kind: 'not-found' });
  });

  it.each([
    ['pending', 'applied'],
    ['pending', 'verified'],
    ['approved', 'pending'],
    ['reported', 'approved'],
    ['verified', 'failed'],
    ['rejected', 'approved'],
  ] as const)('refuses %s -> %s before writing anything', async (from, to) => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    await expect(store.transition('p-1', move(from, to))).rejects.toThrow(InvalidInputError);
    expect(await store.get('p-1')).toMatchObject({ status: 'pending', history: [] });
  });

  it('walks approved -> applied -> verified, storing the outcome, then closes the incident', async () => {
    const record = proposalRecord({ id: 'p-1' });
    const store = await storeWith(record);
    await store.transition('p-1', move('pending', 'approved'));
    // Approved and applied keep the incident open: denials while IAM propagates are repeats.
    expect((await store.findOpenIncident(record.incidentKey, hours(1)))?.proposalId).toBe('p-1');
    await store.transition('p-1', move('approved', 'applied', hours(1.01), { outcome: OUTCOME }));
    expect((await store.findOpenIncident(record.incidentKey, hours(1.01)))?.proposalId).toBe('p-1');
    expect((await store.recordOccurrence('p-1', { eventId: 'evt-2', seenAt: hours(1.01) })).kind).toBe(
      'recorded',
    );

    const verified = await store.transition(
      'p-1',
      move('applied', 'verified', hours(1.02), { outcome: OUTCOME, detail: 'allowed' }),
    );
    expect(verified).toMatchObject({
      kind: 'moved',
      record: { status: 'verified', outcome: OUTCOME, occurrenceCount: 2 },
    });
    expect(verified.kind === 'moved' && verified.record.history.map((event) => event.status)).toEqual([
      'approved',
      'applied',
      'verified',
    ]);
    expect(verified.kind === 'moved' && verified.record.history[2]?.detail).toBe('allowed');
    expect(await store.findOpenIncident(record.incidentKey, hours(1.03))).toBeNull();
    const next = proposalRecord({ id: 'p-2', createdAt: hours(2).toISOString() });
    expect((await store.create(next, hours(2))).kind).toBe('created');
  });

  it.each([
    ['rejected', ['pending']],
    ['failed', ['pending', 'approved']],
    ['not-verified', ['pending', 'approved', 'applied']],
  ] as const)('closes the incident on %s', async (final, path) => {
    const record = proposalRecord({ id: 'p-1' });
    const store = await storeWith(record);
    const steps = [...path, final];
    for (let index = 1; index < steps.length; index++) {
      const moved = await store.transition(
        'p-1',
        move(steps[index - 1] as TransitionRequest['from'], steps[index] as TransitionRequest['to']),
      );
      expect(moved.kind).toBe('moved');
    }
    expect((await store.get('p-1'))?.status).toBe(final);
    expect(await store.findOpenIncident(record.incidentKey, hours(1.5))).toBeNull();
  });

  it('leaves a newer incident alone when an old record reaches its end', async () => {
    const old = proposalRecord({ id: 'p-1' });
    const store = await storeWith(old);
    await store.transition('p-1', move('pending', 'approved', hours(71)));
    // The old incident expired during the apply; a new denial opened a new one.
    const newer = proposalRecord({
      id: 'p-2',
      createdAt: hours(73).toISOString(),
      expiresAt: hours(145).toISOString(),
    });
    expect((await store.create(newer, hours(73))).kind).toBe('created');
    expect((await store.transition('p-1', move('approved', 'failed', hours(74)))).kind).toBe('moved');
    expect((await store.findOpenIncident(old.incidentKey, hours(74)))?.proposalId).toBe('p-2');
  });

  it('gives the apply lease of an approved or applied proposal to one holder at a time, counting each claim', async () => {
    const claimed = (attempt: number) => ({ kind: 'claimed', attempt });
    const notClaimed = { kind: 'not-claimed' };
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    expect(await store.claimApply('p-1', hours(1), hours(1.1))).toEqual(notClaimed);
    expect(await store.claimApply('nope', hours(1), hours(1.1))).toEqual(notClaimed);
    await store.transition('p-1', move('pending', 'approved'));
    expect(await store.claimApply('p-1', hours(1), hours(1.1))).toEqual(claimed(1));
    expect(await store.claimApply('p-1', hours(1.05), hours(1.15))).toEqual(notClaimed);
    expect(await store.claimApply('p-1', hours(1.1), hours(1.2))).toEqual(notClaimed);
    // The holder died: its lease expired, the next claim is a second attempt.
    expect(await store.claimApply('p-1', hours(1.11), hours(1.2))).toEqual(claimed(2));
    await store.transition('p-1', move('approved', 'applied', hours(1.12)));
    // Applied is work left too (verification): still one holder at a time.
    expect(await store.claimApply('p-1', hours(1.15), hours(1.25))).toEqual(notClaimed);
    expect(await store.claimApply('p-1', hours(1.21), hours(1.3))).toEqual(claimed(3));
    expect(await store.get('p-1')).toMatchObject({
      applyAttempts: 3,
      applyLeaseUntil: hours(1.3).toISOString(),
    });
    await store.transition('p-1', move('applied', 'verified', hours(1.22)));
    expect(await store.claimApply('p-1', hours(2), hours(2.1))).toEqual(notClaimed);
    expect((await store.get('p-1'))?.applyAttempts).toBe(3);
  });

  it('gives back an apply lease only to the holder that names it', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    await store.transition('p-1', move('pending', 'approved'));
    expect(await store.claimApply('p-1', hours(1), hours(1.1))).toEqual({ kind: 'claimed', attempt: 1 });
    // Another lease end: not this holder's lease, it stays.
    await store.releaseApply('p-1', hours(1.2));
    expect((await store.get('p-1'))?.applyLeaseUntil).toBe(hours(1.1).toISOString());
    expect(await store.claimApply('p-1', hours(1.05), hours(1.15))).toEqual({ kind: 'not-claimed' });
    await store.releaseApply('p-1', hours(1.1));
    expect((await store.get('p-1'))?.applyLeaseUntil).toBeNull();
    // A retry need not wait for the lease to run out.
    expect(await store.claimApply('p-1', hours(1.05), hours(1.15))).toEqual({ kind: 'claimed', attempt: 2 });
    await expect(store.releaseApply('nope', hours(1.1))).resolves.toBeUndefined();
  });

  it('stores a multi-step apply’s progress only under the holder’s lease, on approved or applied', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const progress: ApplyProgress = {
      kind: 'permission-set',
      decisionId: 'd-1',
      previousInlinePolicy: null,
      mergedInlinePolicy: '{"Version":"2012-10-17","Statement":[]}',
      provisionRequestId: 'r-1',
      rollback: null,
    };
    // Pending: nothing to apply yet.
    expect(await store.saveApplyProgress('p-1', progress, hours(1.1))).toBe(false);
    await store.transition('p-1', move('pending', 'approved'));
    await store.claimApply('p-1', hours(1), hours(1.1));
    // Not the lease this caller holds: nothing written.
    expect(await store.saveApplyProgress('p-1', progress, hours(1.2))).toBe(false);
    expect((await store.get('p-1'))?.applyProgress ?? null).toBeNull();
    expect(await store.saveApplyProgress('p-1', progress, hours(1.1))).toBe(true);
    expect((await store.get('p-1'))?.applyProgress).toEqual(progress);
    await store.transition('p-1', move('approved', 'applied'));
    const rolledBack = {
      ...progress,
      rollback: {
        cause: 'not-verified' as const,
        reason: 'r',
        restored: true,
        provisionRequestId: null,
        verification: null,
      },
    };
    expect(await store.saveApplyProgress('p-1', rolledBack, hours(1.1))).toBe(true);
    expect((await store.get('p-1'))?.applyProgress).toEqual(rolledBack);
    expect(await store.saveApplyProgress('nope', progress, hours(1.1))).toBe(false);
  });

  it('notes when the outcome message and event went out, the first time of each staying', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    await store.markResultPublished('p-1', { messageAt: hours(1) });
    expect(await store.get('p-1')).toMatchObject({
      resultMessageAt: hours(1).toISOString(),
      resultEventAt: null,
    });
    await store.markResultPublished('p-1', { messageAt: hours(2), eventAt: hours(2) });
    expect(await store.get('p-1')).toMatchObject({
      resultMessageAt: hours(1).toISOString(),
      resultEventAt: hours(2).toISOString(),
    });
    await store.markResultPublished('p-1', {});
    expect(await store.get('p-1')).toMatchObject({
      resultMessageAt: hours(1).toISOString(),
      resultEventAt: hours(2).toISOString(),
    });
    // An unknown proposal is not created by it.
    await expect(store.markResultPublished('nope', { messageAt: hours(1) })).resolves.toBeUndefined();
    expect(await store.get('nope')).toBeNull();
  });

  it('lists one status, newest first, up to the limit', async () => {
    const store = await storeWith(
      ...[1, 2, 3, 4].map((index) =>
        proposalRecord({
          id: `p-${index}`,
          incidentKey: `incident-${index}`,
          createdAt: hours(index).toISOString(),
          expiresAt: hours(index + 72).toISOString(),
        }),
      ),
    );
    await store.transition('p-3', move('pending', 'rejected', hours(5)));
    expect((await store.listByStatus('pending', 10)).map((record) => record.id)).toEqual([
      'p-4',
      'p-2',
      'p-1',
    ]);
    expect((await store.listByStatus('pending', 2)).map((record) => record.id)).toEqual(['p-4', 'p-2']);
    expect((await store.listByStatus('rejected', 10)).map((record) => record.id)).toEqual(['p-3']);
    expect(await store.listByStatus('verified', 10)).toEqual([]);
  });

  it('lets exactly one of 20 simultaneous approvals through; the 19 others conflict', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const approvals = Array.from({ length: 20 }, (_, index) =>
      store.transition(
        'p-1',
        move('pending', 'approved', hours(1), { actor: { ...LINK_HOLDER, sourceIp: `198.51.100.${index}` } }),
      ),
    );
    const outcomes = await Promise.all(approvals);
    const kinds = outcomes.map((outcome) => outcome.kind);
    expect(kinds.filter((kind) => kind === 'moved')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'conflict')).toHaveLength(19);
    const stored = await store.get('p-1');
    expect(stored?.history).toHaveLength(1);
    const winner = outcomes.findIndex((outcome) => outcome.kind === 'moved');
    expect(stored?.history[0]?.actor.sourceIp).toBe(`198.51.100.${winner}`);
  });

  it('lets exactly one of 20 simultaneous rejections through, closing the incident once', async () => {
    const record = proposalRecord({ id: 'p-1' });
    const store = await storeWith(record);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => store.transition('p-1', move('pending', 'rejected'))),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'moved')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'conflict')).toHaveLength(19);
    expect((await store.get('p-1'))?.history).toHaveLength(1);
    expect(await store.findOpenIncident(record.incidentKey, hours(1.01))).toBeNull();
  });

  it('stores the signed decision in the move to approved; records without one read as before', async () => {
    const store = await storeWith(
      proposalRecord({ id: 'p-1' }),
      proposalRecord({ id: 'p-2', incidentKey: 'i-2' }),
    );
    const moved = await store.transition('p-1', move('pending', 'approved', hours(1), { decision: SIGNED }));
    expect(moved).toMatchObject({ kind: 'moved', record: { status: 'approved', decision: SIGNED } });
    expect((await store.get('p-1'))?.decision).toEqual(SIGNED);
    const old = await store.get('p-2');
    expect(old?.decision ?? null).toBeNull();
    expect(old?.approvals ?? []).toEqual([]);
  });

  it('records the first of two approvals on a pending proposal, then moves with both', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const first = await store.addApproval('p-1', { approver: FIRST, at: hours(1), priorApprovals: 0 });
    expect(first).toMatchObject({ kind: 'recorded', record: { status: 'pending', approvals: [FIRST] } });
    expect(await store.get('p-1')).toMatchObject({ status: 'pending', approvals: [FIRST], history: [] });
    // A second first approval (read before the first landed) is a conflict: nothing added.
    expect(
      await store.addApproval('p-1', { approver: SECOND, at: hours(1), priorApprovals: 0 }),
    ).toMatchObject({
      kind: 'conflict',
      record: { approvals: [FIRST] },
    });
    // A move that read no approval loses too.
    const stale = await store.transition(
      'p-1',
      move('pending', 'approved', hours(1), { decision: SIGNED, approvals: [SECOND], priorApprovals: 0 }),
    );
    expect(stale.kind).toBe('conflict');
    const both = await store.transition(
      'p-1',
      move('pending', 'approved', hours(1), {
        decision: SIGNED,
        approvals: [FIRST, SECOND],
        priorApprovals: 1,
      }),
    );
    expect(both).toMatchObject({ kind: 'moved', record: { status: 'approved', approvals: [FIRST, SECOND] } });
    expect(await store.get('p-1')).toMatchObject({ decision: SIGNED, approvals: [FIRST, SECOND] });
  });

  it('refuses an approval on a decided, expired or unknown proposal', async () => {
    const store = await storeWith(
      proposalRecord({ id: 'p-1' }),
      proposalRecord({ id: 'p-2', incidentKey: 'i-2' }),
    );
    await store.transition('p-2', move('pending', 'rejected'));
    expect((await store.addApproval('p-2', { approver: FIRST, at: hours(1), priorApprovals: 0 })).kind).toBe(
      'conflict',
    );
    const expiresAt = new Date('2026-06-20T02:05:00.000Z');
    expect((await store.addApproval('p-1', { approver: FIRST, at: expiresAt, priorApprovals: 0 })).kind).toBe(
      'expired',
    );
    expect(await store.addApproval('nope', { approver: FIRST, at: hours(1), priorApprovals: 0 })).toEqual({
      kind: 'not-found',
    });
    expect((await store.get('p-1'))?.approvals ?? []).toEqual([]);
  });

  it('lets exactly one of 10 simultaneous first approvals through', async () => {
    const store = await storeWith(proposalRecord({ id: 'p-1' }));
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.addApproval('p-1', {
          approver: { ...FIRST, name: `${FIRST.name}-${index}` },
          at: hours(1),
          priorApprovals: 0,
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'recorded')).toHaveLength(1);
    expect((await store.get('p-1'))?.approvals).toHaveLength(1);
  });
}
