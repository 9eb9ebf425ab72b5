import { escapeHtml, PAGE_HEADERS } from '../../../lambda/core/render/html';
import {
  renderResultPage,
  renderReviewPage,
  type ReviewPageInput,
} from '../../../lambda/core/render/review-page';
import type { Diagnosis, Proposal } from '../../../lambda/core/model';
import { minimalPassRoleDocument } from '../../../lambda/core/proposal/document';
import { denialOf } from '../../support/denials';

const HOSTILE = `<script>alert("x")</script>&'\``;
const ROLE = 'arn:aws:iam::123456789012:role/etl-runtime';

const proposal: Proposal = {
  target: {
    type: 'group',
    name: 'GlueAccess',
    arn: 'arn:aws:iam::123456789012:group/GlueAccess',
    memberCount: 2,
  },
  policyName: 'AllowPassEtlRuntimeToGlue',
  document: minimalPassRoleDocument(ROLE, 'glue.amazonaws.com', 'AllowPassEtlRuntimeToGlue'),
  verified: true,
  blockers: [],
  verificationContext: {},
  risk: ['All 2 members of group GlueAccess gain this permission.'],
  commands: { apply: 'aws iam put-group-policy ...', verify: 'aws iam simulate-principal-policy ...' },
};

function input(
  parts: Partial<ReviewPageInput['record']> = {},
  extra: Partial<ReviewPageInput> = {},
): ReviewPageInput {
  const denial = denialOf({ principalArn: `arn:aws:sts::123456789012:assumed-role/dev/${HOSTILE}` });
  const diagnosis: Diagnosis = {
    denial,
    verdict: 'implicitDeny',
    summary: `mei may not pass etl-runtime ${HOSTILE}`,
    findings: [
      {
        kind: 'near-miss',
        message: `AWSGlueConsoleFullAccess allows only AWSGlueServiceRole* ${HOSTILE}`,
        policy: null,
        statement: null,
      },
    ],
    proposal,
    reason: null,
  };
  return {
    record: {
      id: 'p-1',
      status: 'pending',
      denial,
      diagnosis,
      proposal,
      occurrenceCount: 3,
      createdAt: '2026-06-17T02:05:00.000Z',
      lastSeenAt: '2026-06-17T03:00:00.000Z',
      expiresAt: '2026-06-20T02:05:00.000Z',
      ...parts,
    },
    history: [],
    token: 'T'.repeat(43),
    actionBase: '/proposals/p-1',
    now: new Date('2026-06-18T00:00:00Z'),
    ...extra,
  };
}

describe('the review page', () => {
  it('shows the cause, the near miss, the exact policy, target, members, risks, occurrences and expiry', () => {
    const html = renderReviewPage(input());
    expect(html).toContain('AllowPassEtlRuntimeToGlue');
    expect(html).toContain(escapeHtml(JSON.stringify(proposal.document, null, 2)));
    expect(html).toContain('group GlueAccess (2 members gain it)');
    expect(html).toContain('All 2 members of group GlueAccess gain this permission.');
    expect(html).toContain('3 (last seen 2026-06-17T03:00:00.000Z)');
    expect(html).toContain('2026-06-20T02:05:00.000Z');
    expect(html).toContain('AWSGlueConsoleFullAccess allows only AWSGlueServiceRole*');
  });

  it('escapes every event-derived string', () => {
    const html = renderReviewPage(input());
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;');
  });

  it('posts the token to approve and reject when pending', () => {
    const html = renderReviewPage(input());
    expect(html).toContain(
      '<form method="post" action="/proposals/p-1/approve"><input type="hidden" name="token" value="' +
        'T'.repeat(43) +
        '">',
    );
    expect(html).toContain('action="/proposals/p-1/reject"');
  });

  it.each([
    ['decided', input({ status: 'verified' }), /can no longer be approved/],
    ['expired', input({}, { now: new Date('2026-06-21T00:00:00Z') }), /has expired/],
    ['without a token', input({}, { token: null }), /passrole-doctor approve/],
  ])('shows no buttons when %s', (_label, pageInput, message) => {
    const html = renderReviewPage(pageInput);
    expect(html).not.toContain('<form');
    expect(html).toMatch(message);
  });

  it('explains where a permission-set policy goes, without an Approve button', () => {
    const permissionSet = {
      ...proposal,
      target: { type: 'permission-set' as const, name: 'DataEngineer', arn: null, memberCount: null },
    };
    const html = renderReviewPage(input({ proposal: permissionSet }));
    expect(html).not.toContain('<form');
    expect(html).toContain('permission set <strong>DataEngineer</strong>');
  });

  it('tells who decided, when and from where', () => {
    const html = renderReviewPage(
      input(
        { status: 'rejected' },
        {
          history: [
            {
              status: 'rejected',
              actor: 'link holder',
              at: '2026-06-18T00:00:00Z',
              sourceIp: '198.51.100.7',
            },
          ],
        },
      ),
    );
    expect(html).toContain('2026-06-18T00:00:00Z: rejected by link holder from 198.51.100.7');
  });
});

describe('the review page after the decision', () => {
  const outcome = {
    readBackMatches: true,
    verification: 'allowed',
    blockers: [],
    attempts: 3,
    appliedAt: '2026-06-18T00:00:05.000Z',
    finishedAt: '2026-06-18T00:00:40.000Z',
  };
  const applier = {
    actor: 'arn:aws:iam::123456789012:role/apply',
    at: '2026-06-18T00:00:40Z',
    sourceIp: null,
  };

  it.each([
    [
      'approved',
      {},
      [],
      'Approved: the change is being applied. The result appears on this page (reload it)',
    ],
    ['applied', {}, [], 'Applied: verifying by simulation'],
    [
      'verified',
      { outcome },
      [],
      'Applied and verified: the denied request is now allowed. The policy read back from IAM matches the approved document; 3 simulations.',
    ],
    [
      'not-verified',
      { outcome: { ...outcome, verification: 'explicitDeny', blockers: ['SCP DenyPassRole <x>'] } },
      [],
      'Applied, but not verified: the request is still not allowed. Still blocking: SCP DenyPassRole &lt;x&gt;.',
    ],
    [
      'failed',
      {},
      [{ status: 'failed', ...applier, detail: 'hash mismatch: the stored document changed' }],
      'Failed: hash mismatch: the stored document changed',
    ],
    ['rejected', {}, [], 'Rejected: nothing was changed.'],
  ])('says where a %s proposal stands', (status, parts, history, text) => {
    const html = renderReviewPage(input({ status, ...parts }, { history }));
    expect(html).toContain(`<p id="outcome">${text}`);
    expect(html).not.toContain('<form');
  });

  it('says nothing of an outcome while pending, and tells a step’s detail in the history', () => {
    expect(renderReviewPage(input())).not.toContain('id="outcome"');
    const html = renderReviewPage(
      input(
        { status: 'failed' },
        { history: [{ status: 'failed', ...applier, detail: 'read-back <differs>' }] },
      ),
    );
    expect(html).toContain('failed by arn:aws:iam::123456789012:role/apply (read-back &lt;differs&gt;)');
  });
});

describe('result pages and headers', () => {
  it('link back to the review page, escaped', () => {
    const { body } = renderResultPage('done', 'Approved', 'x', {
      href: '/proposals/p-1?token=a"b&c',
      label: 'Back <to> the review page',
    });
    expect(body).toContain(
      '<a id="review-link" href="/proposals/p-1?token=a&quot;b&amp;c">Back &lt;to&gt; the review page</a>',
    );
    expect(renderResultPage('unavailable', 'Try again', 'x').statusCode).toBe(503);
    expect(renderResultPage('method-not-allowed', 'No', 'x').statusCode).toBe(405);
  });

  it('maps outcomes to HTTP statuses and escapes the message', () => {
    expect(renderResultPage('forbidden', 'Forbidden', '<b>').statusCode).toBe(403);
    expect(renderResultPage('expired', 'Expired', 'x').statusCode).toBe(410);
    expect(renderResultPage('conflict', 'Already decided', 'x').statusCode).toBe(409);
    expect(renderResultPage('forbidden', 'Forbidden', '<b>').body).toContain('&lt;b&gt;');
  });

  it('forbid scripts, framing and referrers', () => {
    expect(PAGE_HEADERS['content-security-policy']).toContain("default-src 'none'");
    expect(PAGE_HEADERS['referrer-policy']).toBe('no-referrer');
    expect(PAGE_HEADERS['cache-control']).toBe('no-store');
  });
});
