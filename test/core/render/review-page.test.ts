import { escapeHtml, PAGE_HEADERS } from '../../../lambda/core/render/html';
import {
  renderResultPage,
  renderReviewPage,
  type ReviewPageInput,
} from '../../../lambda/core/render/review-page';
import type { Diagnosis, Proposal } from '../../../lambda/core/model';
import { minimalPassRoleDocument } from '../../../lambda/core/proposal/document';
import { denialOf } from '../../support/denials';
import {
  analysed,
  CASES,
  DEFAULT_SETTINGS,
  DEPLOYMENT_SETTINGS,
  MEMBER,
  rule,
  unknownAnalysis,
  withCase,
} from './support/escalation-fixtures';

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
  ...CASES.contained,
};

function input(
  parts: Partial<ReviewPageInput['record']> = {},
  extra: Partial<ReviewPageInput> = {},
): ReviewPageInput {
  const denial = denialOf({ principalArn: `arn:aws:sts::123456789012:assumed-role/dev/${HOSTILE}` });
  const diagnosis: Diagnosis = {
    outcome: 'recorded',
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
      lastEventTime: '2026-06-17T02:59:12Z',
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
    // The last denial's own time, not when it was processed.
    expect(html).toContain('3 (last seen 2026-06-17T02:59:12Z)');
    expect(html).toContain('2026-06-20T02:05:00.000Z');
    expect(html).toContain('AWSGlueConsoleFullAccess allows only AWSGlueServiceRole*');
  });

  it('names the target group’s members, each escaped, at most 20 and the rest counted', () => {
    const names = Array.from({ length: 20 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    const named = { ...proposal, target: { ...proposal.target, memberCount: 23, memberNames: names } };
    const html = renderReviewPage(input({ proposal: named }));
    expect(html).toContain(
      '<dt>Members who gain it</dt><dd><span id="members"><bdi class="member">user-00</bdi>, <bdi class="member">user-01</bdi>,',
    );
    expect(html).toContain('<bdi class="member">user-19</bdi></span> and 3 more</dd>');
    const hostile = { ...proposal, target: { ...proposal.target, memberNames: [HOSTILE, 'ana'] } };
    const page = renderReviewPage(input({ proposal: hostile }));
    expect(page).toContain(
      `<bdi class="member">${escapeHtml(HOSTILE)}</bdi>, <bdi class="member">ana</bdi></span></dd>`,
    );
    // Names not read: counted only, as before.
    expect(renderReviewPage(input())).not.toContain('Members who gain it');
  });

  it('says the verdict in words, and when a denial was last seen by its own time', () => {
    const html = renderReviewPage(input());
    expect(html).toContain('<dt>Verdict</dt><dd>implicit deny</dd>');
    expect(html).not.toContain('implicitDeny');
    // A record stored before the denial's time was kept: one occurrence is the denial itself...
    const one = input({ occurrenceCount: 1, lastEventTime: undefined });
    expect(renderReviewPage(one)).toContain('1 (last seen 2026-06-17T02:04:37Z)');
    // ...of several, only the processing time is known, and said to be that.
    const several = input({ lastEventTime: undefined });
    expect(renderReviewPage(several)).toContain('3 (last processed 2026-06-17T03:00:00.000Z)');
  });

  it('wraps long values only where they cannot fit, never mid-word by rule', () => {
    const html = renderReviewPage(input());
    expect(html).not.toContain('break-all');
    expect(html).toContain('overflow-wrap:anywhere');
  });

  it('states the context the verification assumed wherever it reports one', () => {
    const mfa = input({
      status: 'verified',
      denial: denialOf({ context: { 'aws:MultiFactorAuthPresent': 'false' } }),
      proposal: { ...proposal, verificationContext: { 'aws:MultiFactorAuthPresent': 'true' } },
    });
    const html = renderReviewPage(mfa);
    expect(html).toContain(
      '<dt>Verified by simulation</dt><dd>yes: allowed with it, and with MFA present (assumed by the simulation: the denied request did not have it)</dd>',
    );
    expect(html).toContain(
      'Applied and verified: the denied request is now allowed with MFA present (assumed by the simulation: the denied request did not have it).',
    );
  });

  it('titles a decided proposal by what became of it, not "review proposal"', () => {
    const pending = renderReviewPage(input());
    expect(pending).toContain('<title>Review proposal p-1</title>');
    expect(pending).toContain('<h1>iam:PassRole denial: review proposal</h1>');
    const verified = renderReviewPage(input({ status: 'verified' }));
    expect(verified).toContain('<title>Applied and verified proposal p-1</title>');
    expect(verified).toContain('<h1>iam:PassRole denial: applied and verified proposal</h1>');
    expect(verified).not.toMatch(/review proposal/i);
    expect(renderReviewPage(input({ status: 'rejected' }))).toContain('<title>Rejected proposal p-1</title>');
    expect(renderReviewPage(input({}, { now: new Date('2026-06-21T00:00:00Z') }))).toContain(
      '<title>Expired proposal p-1</title>',
    );
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

  it('gives a permission set read from Identity Center the normal decision section', () => {
    const permissionSet: Proposal = {
      ...proposal,
      target: {
        type: 'permission-set',
        name: `Data_${HOSTILE}`,
        arn: null,
        memberCount: null,
        instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
        permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef',
        definitionHash: 'a'.repeat(64),
      },
    };
    const html = renderReviewPage(input({ proposal: permissionSet }, { token: 'tok' }));
    expect(html).not.toContain('cannot be applied from here');
    expect(html).toContain('<button class="approve"');
    expect(html).toContain(
      `Approving merges exactly the statement above into the inline policy of permission set <strong>Data_${escapeHtml(HOSTILE)}</strong>, provisions it to account 123456789012 only`,
    );
  });

  it('keeps a permission set missing its definition hash as advice, without an Approve button', () => {
    const permissionSet: Proposal = {
      ...proposal,
      target: {
        type: 'permission-set',
        name: 'DataEngineer',
        arn: null,
        memberCount: null,
        instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
        permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef',
      },
    };
    const html = renderReviewPage(input({ proposal: permissionSet }, { token: 'tok' }));
    expect(html).toContain('cannot be applied from here');
    expect(html).not.toContain('<button class="approve"');
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

describe('the review page: what the grant adds and who may approve', () => {
  const APPROVE_FORM = 'action="/proposals/p-1/approve"';
  const REJECT_FORM = 'action="/proposals/p-1/reject"';
  const pageOf = (change: Proposal, extra: Partial<ReviewPageInput> = {}, parts = {}) =>
    renderReviewPage(input({ proposal: change, ...parts }, extra));

  it.each([
    ['none', 'none: the grant gives no one new access', true],
    ['contained', 'contained: new access, none of it sensitive', true],
    ['sensitive', 'sensitive: new access to IAM writes', false],
    ['admin', 'admin: effectively everything (administrator access)', false],
  ] as const)(
    'shows a %s grant in words, with Approve only where a link may approve',
    (name, words, approve) => {
      const html = pageOf(withCase(proposal, name));
      expect(html).toContain(`<dt>Level</dt><dd>${escapeHtml(words)}</dd>`);
      expect(html).toContain(
        `<dt>Compared with</dt><dd>${MEMBER} (the least-privileged of those who gain it)</dd>`,
      );
      expect(html).toContain(`<dt>Why</dt><dd>${escapeHtml(CASES[name].approval.reason)}</dd>`);
      expect(html.includes(APPROVE_FORM)).toBe(approve);
      expect(html.includes('id="link-threat"')).toBe(approve);
      expect(html).toContain(REJECT_FORM);
    },
  );

  it('lists each gain with its example actions and the policy and statement of the role that grant it', () => {
    const html = pageOf(withCase(proposal, 'sensitive'));
    expect(html).toContain(
      '<li><strong>IAM writes</strong>: iam:PutRolePolicy, iam:AttachRolePolicy <span class="muted">(policy arn:aws:iam::aws:policy/IAMFullAccess, statement 0)</span></li>',
    );
    expect(html).toContain(
      '<li><strong>other new access</strong>: s3:PutObject <span class="muted">(policy etl-data, statement WriteStaging)</span></li>',
    );
    expect(html).toContain('<ul id="exposure"><li>role deploy-admin trusts it (sts:AssumeRole)</li></ul>');
  });

  it('says who may approve a sensitive grant and how, instead of an Approve button', () => {
    const html = pageOf(withCase(proposal, 'sensitive'));
    expect(html).toContain(
      '<dt>Requires</dt><dd>one IAM approver listed in approvers (a review link cannot approve it)</dd>',
    );
    expect(html).toContain('<p id="no-approve">This link cannot approve it: it needs one IAM approver');
    expect(html).toContain(
      "<code>npx passrole-doctor approve p-1 --api URL</code> (URL: the stack's ApprovalApiUrl output",
    );
    expect(html).toContain('<dt>Under</dt><dd>the deployment&#39;s approval settings (approvalMode both');
  });

  it('counts the approvals of a two-approver grant collected so far', () => {
    const html = pageOf(
      withCase(proposal, 'admin'),
      {},
      {
        approvals: [
          {
            kind: 'iam',
            name: 'arn:aws:sts::123456789012:assumed-role/sec/<kim>',
            identity: 'arn:aws:iam::123456789012:role/sec',
          },
        ],
      },
    );
    expect(html).toContain(
      '<dt>Approvals so far</dt><dd>1 of 2: arn:aws:sts::123456789012:assumed-role/sec/&lt;kim&gt;</dd>',
    );
    expect(html).not.toContain(APPROVE_FORM);
    expect(pageOf(withCase(proposal, 'admin'))).toContain('<dt>Approvals so far</dt><dd>0 of 2</dd>');
  });

  it('shows an unknown analysis with its reason as not approvable, with Reject only', () => {
    const html = pageOf(withCase(proposal, 'unknown'));
    expect(html).toContain(
      'What the grant adds could not be worked out: the role etl-runtime could not be read. It is not approvable.',
    );
    expect(html).toContain(
      '<p id="no-approve">No one can approve this proposal: what the grant adds is unknown: the role etl-runtime could not be read. You can still reject it.</p>',
    );
    expect(html).not.toContain(APPROVE_FORM);
    expect(html).toContain(REJECT_FORM);
  });

  it('offers no Approve, by default, where the proposal carries no analysis or no requirement', () => {
    const { escalation: _escalation, approval: _approval, ...bare } = proposal;
    for (const change of [
      bare,
      { ...bare, escalation: CASES.contained.escalation },
      { ...bare, approval: CASES.contained.approval },
    ]) {
      const html = pageOf(change);
      expect(html).not.toContain(APPROVE_FORM);
      expect(html).toContain(REJECT_FORM);
    }
    expect(pageOf(bare)).toContain('It is not analysed yet (this proposal predates the escalation analysis)');
  });

  it('offers no Approve where the caller says the link may not approve, nor in iam mode', () => {
    expect(pageOf(proposal, { linkMayApprove: false })).not.toContain(APPROVE_FORM);
    expect(pageOf(proposal, { linkMayApprove: true })).toContain(APPROVE_FORM);
    const iamOnly = {
      ...proposal,
      approval: rule('one-approver', 'x', { ...DEPLOYMENT_SETTINGS, approvalMode: 'iam' }),
    };
    expect(pageOf(iamOnly, { linkMayApprove: true })).not.toContain(APPROVE_FORM);
    // A sensitive grant stays without Approve whatever the caller says.
    expect(pageOf(withCase(proposal, 'sensitive'), { linkMayApprove: true })).not.toContain(APPROVE_FORM);
  });

  it('tells the reviewer, beside Approve, what a link is worth', () => {
    expect(pageOf(proposal)).toContain(
      '<p id="link-threat" class="muted">A review link carries no identity: whoever holds it can approve, including the person who was denied if they can read the channel',
    );
  });

  it('says when the requirement assumes the default settings', () => {
    const html = pageOf({
      ...proposal,
      approval: rule(
        'not-approvable',
        'the grant adds sensitive access, and none is configured',
        DEFAULT_SETTINGS,
      ),
    });
    expect(html).toContain(
      '<dt>Under</dt><dd>the default approval settings (approvalMode both, no approvers listed, allowAdminRoles false, autoApprove off)</dd>',
    );
    expect(html).not.toContain(APPROVE_FORM);
  });

  it('escapes hostile gains, policy names, ARNs, exposure and reasons', () => {
    const change: Proposal = {
      ...proposal,
      escalation: {
        ...analysed(
          'sensitive',
          [
            {
              category: 'secrets',
              actions: [`secretsmanager:${HOSTILE}`],
              policy: HOSTILE,
              statement: HOSTILE,
            },
          ],
          [`role ${HOSTILE} trusts it`],
        ),
        comparedWith: `arn:aws:iam::123456789012:user/${HOSTILE}`,
      },
      approval: rule('iam-approver', `because ${HOSTILE}`),
    };
    const unknown: Proposal = {
      ...proposal,
      escalation: unknownAnalysis(HOSTILE),
      approval: rule('not-approvable', HOSTILE),
    };
    for (const html of [pageOf(change), pageOf(unknown)]) {
      expect(html).not.toMatch(/<script>|alert\("x"\)/);
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;');
    }
  });
});

describe('the review page in organization mode', () => {
  const account = {
    id: '123456789012',
    name: `data-prod ${HOSTILE}`,
    ouPath: [
      { id: 'r-ab12', name: 'Root' },
      { id: 'ou-ab12-aaaaaaaa', name: `Workloads ${HOSTILE}` },
    ],
  };

  it('names the account, its id and OU path before anything else, escaped', () => {
    const html = renderReviewPage(input({ organizationAccount: account }));
    const line = `<bdi>${escapeHtml(`data-prod ${HOSTILE}`)}</bdi> (123456789012) in <bdi>Root</bdi> / <bdi>${escapeHtml(`Workloads ${HOSTILE}`)}</bdi>`;
    expect(html).toContain(`<p id="account">Account: <strong>${line}</strong></p>`);
    expect(html.indexOf('id="account"')).toBeLessThan(html.indexOf('id="summary"'));
    expect(html).toContain(`<dt>Account name</dt><dd>${escapeHtml(account.name)}</dd>`);
    expect(html).toContain(`<dt>OU path</dt><dd>${escapeHtml(`Root / Workloads ${HOSTILE}`)}</dd>`);
    expect(html).toContain(`<title>Review proposal p-1 in ${escapeHtml(account.name)}</title>`);
    expect(html).not.toContain('<script>alert');
  });

  it('shows no account lines in single-account mode', () => {
    const html = renderReviewPage(input());
    expect(html).not.toContain('id="account"');
    expect(html).not.toContain('OU path');
    expect(html).toContain('<title>Review proposal p-1</title>');
  });
});
