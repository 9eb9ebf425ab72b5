import type { LinkDecisionOutcome } from '../../../lambda/core/approval/decide';
import type { Actor } from '../../../lambda/core/approval/status';
import type { ProposalRecord } from '../../../lambda/core/incident';
import { expiredPage, INVALID_LINK_PAGE, linkDecisionPage } from '../../../lambda/core/render/decision-page';
import { proposalRecord } from '../../adapters/support/proposal-records';

const HOLDER: Actor = { kind: 'link-holder', name: 'link holder', sourceIp: '198.51.100.7', userAgent: null };

function moved(
  status: ProposalRecord['status'],
  overrides: Partial<ProposalRecord> = {},
): LinkDecisionOutcome {
  return { kind: 'moved', record: proposalRecord({ status, ...overrides }) };
}

describe('linkDecisionPage', () => {
  it('shows the same invalid-link page for a refused link, an unknown id and a report', () => {
    const report = proposalRecord({ proposal: null, status: 'reported' });
    expect(linkDecisionPage({ kind: 'forbidden', reason: 'wrong token' })).toBe(INVALID_LINK_PAGE);
    expect(linkDecisionPage({ kind: 'not-found' })).toBe(INVALID_LINK_PAGE);
    expect(linkDecisionPage({ kind: 'no-proposal', record: report })).toBe(INVALID_LINK_PAGE);
    expect(INVALID_LINK_PAGE).toMatchObject({ kind: 'forbidden', linksBack: false });
  });

  it('tells an expired proposal its expiry, with no way back to deciding it', () => {
    const page = linkDecisionPage({ kind: 'expired', record: proposalRecord() });
    expect(page).toEqual(expiredPage(proposalRecord()));
    expect(page).toMatchObject({ kind: 'expired', linksBack: false });
    expect(page.message).toContain('2026-06-20T02:05:00.000Z');
  });

  it('tells who decided first, that a permission set is not applied here, and an apply that did not start', () => {
    const decided = proposalRecord({
      status: 'rejected',
      history: [{ status: 'rejected', actor: HOLDER, at: '2026-06-18T00:00:00.000Z', detail: null }],
    });
    expect(linkDecisionPage({ kind: 'conflict', record: decided })).toMatchObject({
      kind: 'conflict',
      title: 'Already decided',
      message: expect.stringContaining('rejected by link holder from 198.51.100.7'),
      linksBack: true,
    });
    expect(linkDecisionPage({ kind: 'permission-set', record: proposalRecord() })).toMatchObject({
      kind: 'bad-request',
      linksBack: true,
    });
    expect(
      linkDecisionPage({
        kind: 'apply-deferred',
        record: proposalRecord({ status: 'approved' }),
        reason: 'no start now',
      }),
    ).toMatchObject({
      kind: 'done',
      title: 'Approved; the apply follows',
      message: expect.stringContaining(
        'but no start now (within about ten minutes). Nothing has been written',
      ),
      linksBack: true,
    });
  });

  it('tells where a moved proposal stands', () => {
    expect(linkDecisionPage(moved('rejected')).title).toBe('Rejected');
    expect(linkDecisionPage(moved('approved')).title).toBe('Approved: being applied');
    expect(linkDecisionPage(moved('approved')).message).toContain('group GlueAccess');
    expect(linkDecisionPage(moved('verified')).title).toBe('Applied and verified');
    const blocked = moved('not-verified', {
      outcome: {
        readBackMatches: true,
        verification: 'explicitDeny',
        blockers: ['SCP DenyPassRole'],
        attempts: 3,
        appliedAt: '2026-06-18T00:00:01.000Z',
        finishedAt: '2026-06-18T00:00:09.000Z',
      },
    });
    expect(linkDecisionPage(blocked).message).toContain('still not allowed: SCP DenyPassRole.');
    const failed = moved('failed', {
      history: [{ status: 'failed', actor: HOLDER, at: '2026-06-18T00:00:00.000Z', detail: 'IAM said no' }],
    });
    expect(linkDecisionPage(failed)).toMatchObject({
      title: 'Approved, but the apply failed',
      message: 'IAM said no',
    });
    for (const status of ['rejected', 'approved', 'verified', 'not-verified', 'failed'] as const) {
      expect(linkDecisionPage(moved(status))).toMatchObject({ kind: 'done', linksBack: true });
    }
  });
});
