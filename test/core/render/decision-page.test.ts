import type { LinkDecisionOutcome } from '../../../lambda/core/approval/decide';
import type { ApprovalRefusal } from '../../../lambda/core/approval/eligibility';
import type { Actor } from '../../../lambda/core/approval/status';
import type { IncidentRecord } from '../../../lambda/core/incident';
import {
  CROSS_SITE_PAGE,
  expiredPage,
  INVALID_LINK_PAGE,
  linkDecisionPage,
} from '../../../lambda/core/render/decision-page';
import { proposalRecord } from '../../adapters/support/proposal-records';

const HOLDER: Actor = { kind: 'link-holder', name: 'link holder', sourceIp: '198.51.100.7', userAgent: null };

function moved(
  status: IncidentRecord['status'],
  overrides: Partial<IncidentRecord> = {},
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

  it('says what the verification assumed: allowed with MFA present is not the denied request allowed', () => {
    const record = proposalRecord({ status: 'verified' });
    if (record.proposal === null) throw new Error('a proposal record');
    const mfa = {
      ...record,
      denial: { ...record.denial, context: { 'aws:MultiFactorAuthPresent': 'false' } },
      proposal: { ...record.proposal, verificationContext: { 'aws:MultiFactorAuthPresent': 'true' } },
    };
    expect(linkDecisionPage({ kind: 'moved', record: mfa }).message).toContain(
      'verified by simulation: the denied request is now allowed with MFA present (assumed by the simulation: the denied request did not have it).',
    );
    const asMade = {
      ...mfa,
      proposal: { ...mfa.proposal, verificationContext: { 'aws:MultiFactorAuthPresent': 'false' } },
    };
    expect(linkDecisionPage({ kind: 'moved', record: asMade }).message).toContain(
      'verified by simulation: the denied request is now allowed.',
    );
  });

  it('tells where a moved proposal stands', () => {
    expect(linkDecisionPage(moved('rejected')).title).toBe('Rejected');
    expect(linkDecisionPage(moved('approved')).title).toBe('Approved: being applied');
    expect(linkDecisionPage(moved('approved')).message).toContain('group GlueAccess');
    expect(linkDecisionPage(moved('verified')).title).toBe('Applied and verified');
    const blocked = moved('not-verified', {
      outcome: {
        kind: 'not-verified',
        reason: null,
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

describe('linkDecisionPage: refusals and the first of two approvals', () => {
  const record = proposalRecord();
  const refused = (refusal: ApprovalRefusal): LinkDecisionOutcome => ({ kind: 'refused', record, refusal });

  it.each<[ApprovalRefusal, string, string, RegExp]>([
    [
      { kind: 'link-may-not-approve', level: 'admin', requires: 'two-approvers' },
      'forbidden',
      'A review link may not approve this grant',
      /This grant is admin and needs two distinct listed IAM approvers/,
    ],
    [
      { kind: 'not-approvable', reason: 'what the grant adds is unknown: the role does not exist' },
      'forbidden',
      'This proposal cannot be approved',
      /No one may approve this proposal: what the grant adds is unknown: the role does not exist\./,
    ],
    [
      { kind: 'level-rose', from: 'none', to: 'sensitive' },
      'conflict',
      'The grant has changed since it was proposed',
      /from none to sensitive/,
    ],
    [
      {
        kind: 'not-an-approver',
        caller: 'arn:aws:iam::1:user/x',
        approversConfigured: true,
        unresolvedPath: true,
      },
      'forbidden',
      'You are not an approver of this grant',
      /is not one of the configured approvers \(a pattern naming a role path could not be checked/,
    ],
    [
      {
        kind: 'not-an-approver',
        caller: 'arn:aws:iam::1:user/x',
        approversConfigured: false,
        unresolvedPath: false,
      },
      'forbidden',
      'You are not an approver of this grant',
      /No approvers are configured \(APPROVERS\)/,
    ],
    [
      { kind: 'same-approver', identity: 'arn:aws:iam::1:role/Ops' },
      'conflict',
      'A second, distinct approver is needed',
      /same person \(arn:aws:iam::1:role\/Ops\)/,
    ],
  ])('tells %j as a %s page', (refusal, kind, title, message) => {
    const page = linkDecisionPage(refused(refusal));
    expect(page).toMatchObject({ kind, title, linksBack: true });
    expect(page.message).toMatch(message);
    expect(page.message).toMatch(/Nothing was changed\.$/);
  });

  it('says the first approval is recorded and nothing is written to IAM yet', () => {
    const first = proposalRecord({
      approvals: [{ kind: 'iam', name: 'arn:aws:iam::1:user/alice', identity: 'arn:aws:iam::1:user/alice' }],
    });
    const approver = first.approvals?.[0];
    if (approver === undefined) throw new Error('no approval');
    expect(linkDecisionPage({ kind: 'first-approval', record: first, approver })).toMatchObject({
      kind: 'done',
      title: 'First of two approvals recorded',
      message: expect.stringContaining('(arn:aws:iam::1:user/alice)'),
    });
  });

  it('refuses a cross-site form with a page that leads nowhere', () => {
    expect(CROSS_SITE_PAGE).toMatchObject({ kind: 'forbidden', linksBack: false });
  });
});

describe('linkDecisionPage in organization mode', () => {
  const organizationAccount = {
    id: '123456789012',
    name: 'data-prod',
    ouPath: [{ id: 'r-ab12', name: 'Root' }],
  };

  it('names the account the change is written into', () => {
    expect(linkDecisionPage(moved('approved', { organizationAccount })).message).toContain(
      'The change to group GlueAccess in account data-prod (123456789012) is being applied',
    );
    expect(linkDecisionPage(moved('verified', { organizationAccount })).message).toContain(
      'applied to group GlueAccess in account data-prod (123456789012), read back',
    );
    expect(linkDecisionPage(moved('approved')).message).toContain('The change to group GlueAccess is being');
  });
});
