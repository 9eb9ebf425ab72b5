/** Decoding a stored permission-set apply progress: whole ones kept, malformed ones dropped. */
import { decodeApplyProgress } from '../../../../lambda/core/apply/permission-set/progress';

const PROGRESS = {
  kind: 'permission-set',
  decisionId: 'd-1',
  previousInlinePolicy: null,
  mergedInlinePolicy: '{"Version":"2012-10-17","Statement":[]}',
  provisionRequestId: 'r-1',
  rollback: {
    cause: 'not-verified',
    reason: 'not verified',
    restored: true,
    provisionRequestId: null,
    verification: { decision: 'implicitDeny', blockers: ['no allow'], attempts: 3, readBackMatches: true },
  },
};

describe('decodeApplyProgress', () => {
  it('keeps a whole progress, with or without its rollback', () => {
    expect(decodeApplyProgress(PROGRESS)).toEqual(PROGRESS);
    expect(decodeApplyProgress({ ...PROGRESS, rollback: null })).toEqual({ ...PROGRESS, rollback: null });
  });

  it.each([
    ['no map', 'x'],
    ['another kind', { ...PROGRESS, kind: 'iam' }],
    ['no merged policy', { ...PROGRESS, mergedInlinePolicy: null }],
    ['a request id that is no string', { ...PROGRESS, provisionRequestId: 7 }],
    ['a rollback of unknown cause', { ...PROGRESS, rollback: { ...PROGRESS.rollback, cause: 'whim' } }],
    [
      'a verification of unknown decision',
      {
        ...PROGRESS,
        rollback: {
          ...PROGRESS.rollback,
          verification: { ...PROGRESS.rollback.verification, decision: 'maybe' },
        },
      },
    ],
  ])('drops %s', (_what, value) => {
    expect(decodeApplyProgress(value)).toBeNull();
  });
});
