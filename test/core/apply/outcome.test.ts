import {
  decodeApplyOutcome,
  historyDetailOf,
  unsuccessfulOutcome,
  type ApplyOutcome,
  type OutcomeContext,
} from '../../../lambda/core/apply/outcome';

const AT = new Date('2026-06-17T03:00:02.000Z');

/** An outcome as the previous release stored it: no kind, no reason. */
const STORED_BEFORE = {
  readBackMatches: false,
  verification: null,
  blockers: [],
  attempts: 0,
  appliedAt: null,
  finishedAt: AT.toISOString(),
};

function decidedAs(status: string, ...details: (string | null)[]): OutcomeContext {
  return {
    status,
    history: [{ status: 'approved', detail: null }, ...details.map((detail) => ({ status, detail }))],
  };
}

describe('the history entry of a refusal or a failure', () => {
  it('keeps the words the previous release wrote: a refusal behind its prefix, a failure bare', () => {
    expect(historyDetailOf('refused', 'the role is not in account 123456789012')).toBe(
      'refused: the role is not in account 123456789012',
    );
    expect(historyDetailOf('failed', 'could not write the policy: Access denied')).toBe(
      'could not write the policy: Access denied',
    );
  });

  it('records the kind and the reason on the outcome, with what the run knows of its write', () => {
    expect(unsuccessfulOutcome('refused', 'no', AT)).toEqual({
      ...STORED_BEFORE,
      kind: 'refused',
      reason: 'no',
    });
    const appliedAt = new Date('2026-06-17T03:00:01.000Z');
    expect(unsuccessfulOutcome('failed', 'gave up', AT, { readBackMatches: true, appliedAt })).toEqual({
      ...STORED_BEFORE,
      kind: 'failed',
      reason: 'gave up',
      readBackMatches: true,
      appliedAt: appliedAt.toISOString(),
    });
  });
});

describe('decoding a stored outcome', () => {
  it('takes an outcome of this release as stored', () => {
    const outcome: ApplyOutcome = { ...STORED_BEFORE, kind: 'refused', reason: 'the role is protected' };
    // The record's words do not overrule the data (they would say failed).
    expect(decodeApplyOutcome(outcome, decidedAs('failed', 'something else'))).toEqual(outcome);
  });

  it('has none when nothing, or no object, is stored', () => {
    expect(decodeApplyOutcome(null, decidedAs('failed', 'x'))).toBeNull();
    expect(decodeApplyOutcome(undefined, decidedAs('failed', 'x'))).toBeNull();
    expect(decodeApplyOutcome('verified', decidedAs('verified', 'x'))).toBeNull();
    expect(decodeApplyOutcome([], decidedAs('verified', 'x'))).toBeNull();
  });

  describe('of the previous release (only the history entry told a refusal)', () => {
    it('reads a refusal from its prefix, the reason without it', () => {
      const context = decidedAs('failed', 'refused: the role is not in account 123456789012');
      expect(decodeApplyOutcome(STORED_BEFORE, context)).toEqual({
        ...STORED_BEFORE,
        kind: 'refused',
        reason: 'the role is not in account 123456789012',
      });
    });

    it('reads a failure from its words, and from the last failed entry only', () => {
      const context = decidedAs(
        'failed',
        'refused: an older entry',
        'could not write the policy: Access denied',
      );
      expect(decodeApplyOutcome(STORED_BEFORE, context)).toEqual({
        ...STORED_BEFORE,
        kind: 'failed',
        reason: 'could not write the policy: Access denied',
      });
      expect(decodeApplyOutcome(STORED_BEFORE, decidedAs('failed', null))).toMatchObject({
        kind: 'failed',
        reason: 'unknown reason',
      });
    });

    it('reads verified and not verified from the status, with no reason', () => {
      const written = { ...STORED_BEFORE, readBackMatches: true, attempts: 3, appliedAt: AT.toISOString() };
      expect(decodeApplyOutcome(written, decidedAs('verified', 'allowed after 3 simulations'))).toEqual({
        ...written,
        kind: 'verified',
        reason: null,
      });
      expect(
        decodeApplyOutcome(
          { ...written, blockers: ['no policy allows it'] },
          decidedAs('not-verified', 'still blocked: no policy allows it'),
        ),
      ).toMatchObject({ kind: 'not-verified', reason: null, blockers: ['no policy allows it'] });
    });
  });
});
