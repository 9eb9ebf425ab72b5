import { LocalLinkMac } from '../../../../lambda/adapters/local/local-keys';
import { approvalLinksOf, type ApprovalMode } from '../../../../lambda/core/approval/links';
import { readDenials } from '../../../../lambda/core/denial';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../../../../lambda/core/incident';
import type { Denial, Proposal } from '../../../../lambda/core/model';
import {
  CHATBOT_LIMITS,
  chatbotNotificationProblems,
  renderMessage,
  SNS_MESSAGE_MAX_BYTES,
  snsMessageStructure,
  type RenderedMessage,
} from '../../../../lambda/core/render/message';
import { chatText } from '../../../../lambda/core/render/message/escape';
import { fitSections } from '../../../../lambda/core/render/message/fit';
import { seedDiagnoser, seedRecord } from '../../../handlers/diagnose/support';
import { ADMIN_GAIN, analysed, CASES, rule, withCase } from '../support/escalation-fixtures';
import { verdictOf } from '../../../../lambda/core/diagnosis/derived';
import { renderFindings } from '../../../../lambda/core/render/findings';

async function seedProposalRecord(): Promise<IncidentRecord> {
  const [outcome] = readDenials(seedRecord('evt-1'), 'seed');
  if (outcome?.kind !== 'denial') throw new Error('the seed record is not a denial');
  const diagnosed = await seedDiagnoser().diagnose(outcome.denial);
  if (diagnosed.outcome !== 'proposed') throw new Error('the seed has a proposal');
  // A hand-built `contained` analysis: the messages are tested on the contract, not today's analysis.
  const diagnosis = { ...diagnosed, proposal: withCase(diagnosed.proposal, 'contained') };
  return newIncidentRecord({
    id: 'proposal-1',
    incidentKey: incidentKeyOf(outcome.denial),
    diagnosis: { ...diagnosis, denial: outcome.denial },
    now: new Date('2026-06-17T02:05:00Z'),
    ttlHours: 72,
  });
}

let seed: IncidentRecord;
beforeAll(async () => {
  seed = await seedProposalRecord();
});

function render(
  record: IncidentRecord,
  kind: 'new' | 'reminder' = 'new',
  reviewBaseUrl: string | null = null,
) {
  return renderMessage({ kind, record, reviewBaseUrl });
}

/** The seed record with attacker-chosen text wherever the event reaches the message. */
function hostile(record: IncidentRecord): IncidentRecord {
  const evil =
    '<script>alert(1)</script> *bold* _x_ `tick` ```fence``` @here <!channel> [a](http://evil) #h |p\nnew\u0007line';
  const huge = `${evil}${'Z'.repeat(256 * 1024)}`;
  const denial: Denial = {
    ...record.denial,
    principalArn: `arn:aws:sts::123456789012:assumed-role/dev/${evil}`,
    roleArn: `arn:aws:iam::123456789012:role/${huge}`,
    eventName: huge,
    permissionSetName: huge,
    eventId: evil,
  };
  const proposal = record.proposal;
  if (!proposal) throw new Error('the seed has a proposal');
  return {
    ...record,
    denial,
    lastEventId: evil,
    // The hostile words as a record stored them (the `recorded` outcome shows its words as written).
    diagnosis: {
      outcome: 'recorded',
      denial,
      verdict: verdictOf(record.diagnosis),
      summary: huge,
      findings: [
        ...renderFindings(record.diagnosis),
        { kind: 'near-miss', message: huge, policy: evil, statement: null },
      ],
      proposal: record.proposal,
      reason: null,
    },
    proposal: {
      ...proposal,
      target: { ...proposal.target, name: evil },
      policyName: evil,
      risk: [huge, evil],
      commands: { apply: huge, verify: huge },
      document: { ...proposal.document, Id: huge },
    },
  };
}

function expectWellFormed(message: RenderedMessage): void {
  expect(chatbotNotificationProblems(message.chatbot)).toEqual([]);
  expect(message.subject.length).toBeLessThan(100);
  expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
  // eslint-disable-next-line no-control-regex
  expect(message.email).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  const structure = snsMessageStructure(message);
  expect(Buffer.byteLength(structure, 'utf8')).toBeLessThan(SNS_MESSAGE_MAX_BYTES);
  const parsed = JSON.parse(structure) as Record<string, string>;
  expect(Object.keys(parsed).sort()).toEqual(['default', 'email', 'https']);
  expect(JSON.parse(parsed['https'] ?? '')).toEqual(message.chatbot);
}

describe('renderMessage: a new proposal', () => {
  it('writes an email that says who was denied what, why, the near miss, the policy, its group and the commands', () => {
    const { email } = render(seed, 'new', 'https://review.example.com');
    expect(email).toContain(
      'iam:PassRole denied: mei.tanaka cannot pass etl-nightly-runtime to glue.amazonaws.com',
    );
    expect(email).toContain('Who:        arn:aws:iam::123456789012:user/mei.tanaka (user)');
    expect(email).toContain('Call:       glue:UpdateJob');
    expect(email).toMatch(/Why\n {2}mei\.tanaka may not pass etl-nightly-runtime/);
    expect(email).toMatch(/Near miss\n {2}AWSGlueConsoleFullAccess/);
    expect(email).toContain('Inline policy AllowPassEtlNightlyRuntimeToGlue on group GlueAccess (2 members)');
    expect(email).toContain('"iam:PassedToService": "glue.amazonaws.com"');
    expect(email).toContain('! All 2 members of group GlueAccess gain this permission.');
    expect(email).toMatch(/Apply\n {2}aws iam put-group-policy --group-name GlueAccess/);
    expect(email).toMatch(/Verify\n {2}aws iam simulate-principal-policy/);
    expect(email).toMatch(/Review\n {2}https:\/\/review\.example\.com\/proposals\/proposal-1/);
    expect(email).toContain(`Policy document SHA-256: ${seed.documentHash}`);
  });

  it('names a session by its role and the session, not the session name alone', () => {
    const session = 'arn:aws:sts::123456789012:assumed-role/deployer/build-42';
    const record = { ...seed, denial: { ...seed.denial, principalArn: session } };
    expect(render(record).email).toContain(
      'iam:PassRole denied: deployer (session build-42) cannot pass etl-nightly-runtime to glue.amazonaws.com',
    );
  });

  it('lists the findings other than the near miss with the labels of the text report', () => {
    const record: IncidentRecord = {
      ...seed,
      diagnosis: {
        outcome: 'recorded',
        denial: seed.denial,
        verdict: 'implicitDeny',
        summary: 'mei.tanaka may not pass etl-nightly-runtime',
        findings: [
          { kind: 'near-miss', message: 'near one', policy: null, statement: null },
          { kind: 'near-miss', message: 'near two', policy: null, statement: null },
          { kind: 'boundary', message: 'the boundary blocks', policy: null, statement: null },
          { kind: 'sso', message: 'use the permission set', policy: null, statement: null },
        ],
        proposal: seed.proposal,
        reason: null,
      },
    };
    const { email } = render(record);
    expect(email).toMatch(/Near miss\n {2}near one\n/);
    expect(email).toMatch(
      /Findings\n {2}- near miss: near two\n {2}- permissions boundary: the boundary blocks\n {2}- IAM Identity Center: use the permission set\n/,
    );
  });

  it('writes a Chatbot custom notification threaded by the incident, with the policy and the next steps', () => {
    const message = render(seed, 'new', 'https://review.example.com/');
    expectWellFormed(message);
    const { content, metadata } = message.chatbot;
    expect(message.chatbot).toMatchObject({ version: '1.0', source: 'custom' });
    expect(content.textType).toBe('client-markdown');
    expect(content.title).toBe(
      ':no_entry: iam:PassRole denied: mei.tanaka cannot pass etl-nightly-runtime to glue.amazonaws.com',
    );
    expect(content.description).toContain(
      '*Proposed fix:* inline policy `AllowPassEtlNightlyRuntimeToGlue` on group `GlueAccess` (2 members), verified by simulation',
    );
    expect(content.description).toContain('```\n{\n  "Version": "2012-10-17"');
    expect(content.nextSteps).toEqual([
      'Review the proposal: https://review.example.com/proposals/proposal-1',
      expect.stringMatching(/^Apply: `aws iam put-group-policy --group-name GlueAccess .*`$/),
      expect.stringMatching(/^Verify: `aws iam simulate-principal-policy .*`$/),
    ]);
    expect(metadata).toMatchObject({
      threadId: seed.incidentKey,
      eventType: 'PassRoleProposal',
      relatedResources: [
        'arn:aws:iam::123456789012:user/mei.tanaka',
        'arn:aws:iam::123456789012:role/etl-nightly-runtime',
        'arn:aws:iam::123456789012:group/GlueAccess',
      ],
    });
    expect(metadata.additionalContext).toMatchObject({ proposalId: 'proposal-1', account: '123456789012' });
    expect(message.subject).toBe('[passrole-doctor] PassRole denied: mei.tanaka -> etl-nightly-runtime');
    expect(message.text).toContain(
      'Proposed: inline policy AllowPassEtlNightlyRuntimeToGlue on group GlueAccess',
    );
  });

  it('renders no review link without a base URL', () => {
    const message = render(seed);
    expect(JSON.stringify(message)).not.toContain('/proposals/');
    expect(message.chatbot.content.nextSteps[0]).toMatch(/^Apply: /);
  });
});

describe('renderMessage: a reminder and a report', () => {
  it('reminds with the occurrence count in the same thread', () => {
    const message = render(
      {
        ...seed,
        occurrenceCount: 7,
        lastSeenAt: '2026-06-18T03:00:00.000Z',
        lastEventTime: '2026-06-18T02:59:12Z',
      },
      'reminder',
    );
    expectWellFormed(message);
    expect(message.subject).toBe(
      '[passrole-doctor] Reminder (7x) PassRole denied: mei.tanaka -> etl-nightly-runtime',
    );
    expect(message.chatbot.content.title).toContain('Reminder, still pending after 7 denials');
    expect(message.chatbot.content.description).toContain('denied 7 times');
    expect(message.chatbot.metadata).toMatchObject({
      threadId: seed.incidentKey,
      eventType: 'PassRoleReminder',
    });
    // "Last seen" is the last denial's own time, not when it was processed.
    expect(message.email).toContain('The denial was seen 7 times, last seen 2026-06-18T02:59:12Z.');
    expect(message.chatbot.content.description).toContain(
      'denied 7 times, last seen `2026-06-18T02:59:12Z`.',
    );
  });

  it('reports a diagnosis without a proposal with its verdict and findings', () => {
    const report: IncidentRecord = { ...seed, status: 'reported', proposal: null, documentHash: null };
    const message = render(report, 'new', 'https://review.example.com');
    expectWellFormed(message);
    expect(message.chatbot.metadata.eventType).toBe('PassRoleReport');
    expect(message.chatbot.content.description).toContain(
      '*Verdict:* explicit deny; no policy change is proposed.',
    );
    expect(message.email).toContain('No policy change proposed');
    expect(JSON.stringify(message)).not.toContain('/proposals/');
  });
});

describe('renderMessage: hostile names', () => {
  it('escapes every event-derived string for where it lands and keeps within every limit', () => {
    const message = render(hostile(seed), 'reminder', 'https://review.example.com');
    expectWellFormed(message);
    const chat = JSON.stringify(message.chatbot);
    expect(chat).not.toContain('<script>');
    expect(chat).not.toContain('<!channel>');
    expect(chat).not.toMatch(/@here/);
    expect(chat).toContain('&lt;script&gt;');
    // Words that would be markup are inline code; no backslash escape (Slack would show it).
    expect(message.chatbot.content.description).toContain('`*bold*` `_x_`');
    expect(message.chatbot.content.title).toContain('evil) #h |p newline');
    expect(JSON.stringify(message.chatbot.content)).not.toMatch(/\\\\[*_()#|[\]~`]/);
    expect(message.chatbot.content.title).not.toContain('\n');
    expect(message.chatbot.content.title.length).toBeLessThanOrEqual(CHATBOT_LIMITS.title);
    // Inline code spans stay balanced: an odd number of backticks on a line would open a span.
    for (const line of message.chatbot.content.description.split('\n')) {
      if (line !== '```') expect((line.match(/`/g) ?? []).length % 2).toBe(0);
    }
    // Not ARNs (the role's name is 256 KB): left out of relatedResources rather than cut.
    expect(message.chatbot.metadata.relatedResources).toEqual([
      'arn:aws:iam::123456789012:user/mei.tanaka',
      'arn:aws:iam::123456789012:group/GlueAccess',
    ]);
    expect(message.email).toContain('<script>alert(1)</script> *bold*');
    // One line per value in the email: the line break became a space, the BEL went.
    expect(message.email).toContain('#h |p newline');
    expect(message.email.length).toBeLessThanOrEqual(40_000);
  });
});

describe('renderMessage: Chatbot relatedResources', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
  const GROUP = 'arn:aws:iam::123456789012:group/GlueAccess';

  /** The seed's relatedResources with `principalArn` as the caller. */
  function relatedWith(principalArn: string): string[] {
    const denial: Denial = { ...seed.denial, principalArn, policySourceArn: null };
    const message = render({ ...seed, denial, diagnosis: { ...seed.diagnosis, denial } });
    expect(chatbotNotificationProblems(message.chatbot)).toEqual([]);
    return message.chatbot.metadata.relatedResources;
  }

  it.each([
    ['every character IAM allows in a name', 'arn:aws:iam::123456789012:user/a+b=c,d.e@f_g-h'],
    ['a role path', 'arn:aws:iam::123456789012:role/service-role/team/x'],
    ['a session named by an email address', 'arn:aws:sts::123456789012:assumed-role/dev/mei@example.com'],
    ['another partition', 'arn:aws-us-gov:iam::123456789012:user/mei'],
    ['a region', 'arn:aws:lambda:ap-northeast-1:123456789012:function:f'],
  ])('keeps an ARN with %s, as IAM spells it', (_label, arn) => {
    expect(relatedWith(arn)).toEqual([arn, ROLE, GROUP]);
  });

  it.each([
    ['a tag', 'arn:aws:iam::123456789012:user/<b>x</b>'],
    ['a lone >', 'arn:aws:iam::123456789012:user/x>'],
    ['double quotes', 'arn:aws:iam::123456789012:user/x"onmouseover="y'],
    ['a single quote', "arn:aws:iam::123456789012:user/x'y"],
    ['a space', 'arn:aws:iam::123456789012:user/x y'],
    ['a line break', 'arn:aws:iam::123456789012:user/x\ny'],
    ['a tab', 'arn:aws:iam::123456789012:user/x\ty'],
    ['markdown emphasis', 'arn:aws:iam::123456789012:user/*bold*'],
    ['a backtick', 'arn:aws:iam::123456789012:user/`code`'],
    ['a markdown link', 'arn:aws:iam::123456789012:user/[a](http://evil)'],
    ['a pipe', 'arn:aws:iam::123456789012:user/a|b'],
    ['a zero-width space', 'arn:aws:iam::123456789012:user/x\u200by'],
    ['non-ASCII letters', 'arn:aws:iam::123456789012:user/ünï'],
    ["AWS's own account", 'arn:aws:iam::aws:policy/AdministratorAccess'],
    ['an 11-digit account', 'arn:aws:iam::12345678901:user/x'],
    ['an upper-case partition', 'arn:AWS:iam::123456789012:user/x'],
    ['a partition ending in -', 'arn:aws-:iam::123456789012:user/x'],
    ['no resource', 'arn:aws:iam::123456789012:'],
    ['a service principal', 'glue.amazonaws.com'],
    ['2,049 characters', `arn:aws:iam::123456789012:user/${'u'.repeat(2049 - 31)}`],
  ])('leaves out a caller ARN with %s', (_label, arn) => {
    expect(relatedWith(arn)).toEqual([ROLE, GROUP]);
  });

  it('keeps an ARN of exactly the longest length', () => {
    const arn = `arn:aws:iam::123456789012:user/${'u'.repeat(CHATBOT_LIMITS.relatedResource - 31)}`;
    expect(arn).toHaveLength(CHATBOT_LIMITS.relatedResource);
    expect(relatedWith(arn)).toEqual([arn, ROLE, GROUP]);
  });

  it('has the validator refuse what the renderer leaves out', () => {
    const valid = render(seed).chatbot;
    const related = ['arn:aws:iam::123456789012:user/<x>', 'arn:aws:iam::aws:policy/x', ROLE];
    expect(
      chatbotNotificationProblems({ ...valid, metadata: { ...valid.metadata, relatedResources: related } }),
    ).toEqual([
      '$.metadata.relatedResources[0] is not an ARN',
      '$.metadata.relatedResources[1] is not an ARN',
    ]);
  });
});

describe('renderMessage: approval links and commands', () => {
  const BASE = 'https://abc123.execute-api.ap-northeast-1.amazonaws.com';
  const withLinks = async (record: IncidentRecord, mode: ApprovalMode) =>
    renderMessage({
      kind: 'new',
      record,
      reviewBaseUrl: null,
      links: await approvalLinksOf({ mode, record, reviewBaseUrl: BASE, linkMac: new LocalLinkMac() }),
    });
  const SIGNED_LINK = new RegExp(
    `${BASE.replace(/\./g, '\\.')}/proposals/proposal-1\\?token=[A-Za-z0-9_-]{43}`,
  );

  it('carries the signed review link in every form, and the commands in both mode', async () => {
    const message = await withLinks(seed, 'both');
    expectWellFormed(message);
    expect(message.email).toMatch(new RegExp(`Review\n {2}${SIGNED_LINK.source}`));
    expect(message.email).toContain(
      `Approve or reject, signed with your own AWS credentials\n  npx passrole-doctor approve proposal-1 --api ${BASE}\n  npx passrole-doctor reject proposal-1 --api ${BASE}`,
    );
    expect(message.chatbot.content.description).toMatch(new RegExp(`\\*Review:\\* ${SIGNED_LINK.source}`));
    expect(message.chatbot.content.nextSteps).toEqual([
      expect.stringMatching(new RegExp(`^Review the proposal: ${SIGNED_LINK.source}$`)),
      `Approve: \`npx passrole-doctor approve proposal-1 --api ${BASE}\``,
      `Reject: \`npx passrole-doctor reject proposal-1 --api ${BASE}\``,
      expect.stringMatching(/^Apply: /),
      expect.stringMatching(/^Verify: /),
    ]);
    expect(message.text).toMatch(SIGNED_LINK);
    expect(message.text).toContain(`Approve: npx passrole-doctor approve proposal-1 --api ${BASE}`);
  });

  it('carries the commands instead of a link in iam mode, and the link alone in link mode', async () => {
    const iam = await withLinks(seed, 'iam');
    expectWellFormed(iam);
    expect(JSON.stringify(iam)).not.toContain('/proposals/');
    expect(iam.email).toContain('passrole-doctor approve proposal-1');
    expect(iam.chatbot.content.nextSteps[0]).toBe(
      `Approve: \`npx passrole-doctor approve proposal-1 --api ${BASE}\``,
    );
    const link = await withLinks(seed, 'link');
    expect(link.text).toMatch(SIGNED_LINK);
    expect(JSON.stringify(link)).not.toContain('passrole-doctor approve');
  });

  it('carries neither for a report', async () => {
    const report: IncidentRecord = { ...seed, status: 'reported', proposal: null, documentHash: null };
    const message = await withLinks(report, 'both');
    expect(JSON.stringify(message)).not.toMatch(/proposals\/|passrole-doctor (approve|reject)/);
  });
});

describe('chatbotNotificationProblems', () => {
  it('accepts what the renderer writes and names each departure from the schema', () => {
    const valid = render(seed).chatbot;
    expect(chatbotNotificationProblems(valid)).toEqual([]);
    expect(chatbotNotificationProblems('text')).toEqual(['the notification must be a JSON object']);
    expect(
      chatbotNotificationProblems({
        ...valid,
        version: '2.0',
        extra: true,
        content: {
          ...valid.content,
          textType: 'markdown',
          description: '',
          title: `t\n${'x'.repeat(300)}`,
          keywords: [1],
        },
        metadata: { ...valid.metadata, relatedResources: ['not-an-arn'], additionalContext: { key: 5 } },
      }),
    ).toEqual([
      '$.extra is not part of the schema',
      '$.version must be "1.0"',
      '$.content.textType must be "client-markdown"',
      '$.content.title is 302 characters, over 250',
      '$.content.title holds a control character',
      '$.content.description must not be empty',
      '$.content.keywords[0] must be a string',
      '$.metadata.relatedResources[0] is not an ARN',
      '$.metadata.additionalContext.key must be a string',
    ]);
  });
});

describe('renderMessage: the level and the approval it needs', () => {
  const withProposal = (record: IncidentRecord, change: Partial<Proposal>): IncidentRecord => {
    if (record.proposal === null) throw new Error('the seed has a proposal');
    return { ...record, proposal: { ...record.proposal, ...change } };
  };
  const BASE = 'https://abc123.execute-api.ap-northeast-1.amazonaws.com';
  const withLinks = async (record: IncidentRecord, kind: 'new' | 'reminder' = 'new') =>
    renderMessage({
      kind,
      record,
      reviewBaseUrl: null,
      links: await approvalLinksOf({
        mode: 'both',
        record,
        reviewBaseUrl: BASE,
        linkMac: new LocalLinkMac(),
      }),
    });

  it.each([
    [
      'none',
      'none: the grant gives no one new access',
      'one approver who does not gain it (review link or IAM route)',
    ],
    [
      'contained',
      'contained: new access, none of it sensitive',
      'one approver who does not gain it (review link or IAM route)',
    ],
    [
      'sensitive',
      'sensitive: new access to IAM writes',
      'one IAM approver listed in approvers (a review link cannot approve it)',
    ],
    [
      'admin',
      'admin: effectively everything (administrator access)',
      'two distinct IAM approvers listed in approvers (a review link cannot approve it)',
    ],
    [
      'unknown',
      'unknown, not approvable: the role etl-runtime could not be read',
      'no one: it is not approvable',
    ],
  ] as const)(
    'states a %s grant and what approval it needs in every form, one line each',
    async (name, level, approval) => {
      const message = await withLinks(withProposal(seed, CASES[name]));
      expectWellFormed(message);
      const reason = CASES[name].approval.reason;
      expect(message.email).toContain(`\nLevel:      ${level}\nApproval:   ${approval}. Why: ${reason}\n`);
      const lines = message.chatbot.content.description.split('\n');
      expect(lines).toContain(`*Level:* ${chatText(level, 1000)}`);
      expect(lines).toContain(`*Approval:* ${chatText(`${approval}. Why: ${reason}`, 1000)}`);
      expect(message.text).toContain(`Level: ${level}. Approval: ${approval}. Why: ${reason}.`);
      expect(message.chatbot.metadata.additionalContext).toMatchObject({
        escalationLevel: CASES[name].escalation.level ?? 'unknown',
        approvalRequires: CASES[name].approval.requires,
      });
    },
  );

  it('lists the gains, the member compared with and the settings in the email, and the gains in Chatbot', () => {
    const message = render(withProposal(seed, CASES.sensitive));
    expect(message.email).toContain(
      [
        'What this grant adds',
        '  Compared with: arn:aws:iam::123456789012:user/ana',
        '  + IAM writes: iam:PutRolePolicy, iam:AttachRolePolicy [policy arn:aws:iam::aws:policy/IAMFullAccess, statement 0]',
        '  + other new access: s3:PutObject [policy etl-data, statement WriteStaging]',
        '  also reachable: role deploy-admin trusts it (sts:AssumeRole)',
        "  Approval settings: the deployment's approval settings (approvalMode both, approvers listed, allowAdminRoles true, autoApprove off)",
      ].join('\n'),
    );
    expect(message.chatbot.content.description).toContain(
      '*What it adds* (compared with `arn:aws:iam::123456789012:user/ana`):\n• IAM writes: iam:PutRolePolicy, iam:AttachRolePolicy (policy `arn:aws:iam::aws:policy/IAMFullAccess`, statement 0)',
    );
  });

  it('offers no Approve command for what no one may approve, and says when the link cannot approve', async () => {
    const unknown = await withLinks(withProposal(seed, CASES.unknown));
    expect(JSON.stringify(unknown)).not.toContain('passrole-doctor approve');
    expect(unknown.email).toContain('passrole-doctor reject proposal-1');
    const sensitive = await withLinks(withProposal(seed, CASES.sensitive));
    expect(sensitive.chatbot.content.nextSteps[0]).toMatch(
      /^Review the proposal \(the link cannot approve it\): https:/,
    );
    expect(sensitive.chatbot.content.nextSteps[1]).toBe(
      `Approve: \`npx passrole-doctor approve proposal-1 --api ${BASE}\``,
    );
    expect(sensitive.email).toContain('Review (the link cannot approve it)\n  https://');
    expect(sensitive.email).not.toContain('This link can approve');
    expect((await withLinks(seed)).email).toMatch(
      /Review\n {2}https:\S+\n {2}This link can approve: it carries no identity, so whoever holds it can decide\. Do not forward it\./,
    );
    expect((await withLinks(seed)).chatbot.content.nextSteps[0]).toMatch(/^Review the proposal: https:/);
  });

  it('says a proposal stored before the analysis is not analysed yet', async () => {
    const { escalation: _escalation, approval: _approval, ...bare } = seed.proposal ?? CASES.none;
    const old = { ...seed, proposal: bare as Proposal };
    const message = render(old);
    expect(message.email).toContain(
      'Level:      not analysed yet (this proposal predates the escalation analysis)',
    );
    expect(message.chatbot.content.description).toContain('*Level:* not analysed yet');
    expect(message.chatbot.metadata.additionalContext['escalationLevel']).toBe('not analysed');
  });

  it('never cuts the level and approval lines when the rest overflows Chatbot’s limit', async () => {
    const loud = hostile(seed);
    const huge = `arn:aws:iam::123456789012:user/${'H'.repeat(10_000)}`;
    const denial = { ...loud.denial, principalArn: huge, policySourceArn: `${huge}x` };
    const record = withProposal(
      { ...loud, denial, diagnosis: { ...loud.diagnosis, denial } },
      {
        ...CASES.admin,
        escalation: analysed(
          'admin',
          Array.from({ length: 40 }, () => ({ ...ADMIN_GAIN, policy: 'P'.repeat(5_000) })),
        ),
        // A long reason: the approval line alone is larger than the room the other sections leave.
        approval: rule('two-approvers', `two distinct listed IAM approvers ${'because '.repeat(90)}`),
      },
    );
    const message = await withLinks(record, 'reminder');
    expectWellFormed(message);
    const description = message.chatbot.content.description;
    // The other sections overflowed: some were left out, and the note says so.
    expect(description.endsWith('_(more in the email report)_')).toBe(true);
    expect(description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(description).toContain('\n*Level:* admin: effectively everything (administrator access)\n');
    expect(description).toContain('\n*Approval:* two distinct IAM approvers listed in approvers');
    expect(message.email).toContain('\nLevel:      admin: effectively everything (administrator access)\n');
    expect(message.email).toContain('[report cut: too long for one message]');
    expect(message.text).toContain(
      'Level: admin: effectively everything (administrator access). Approval: two',
    );
  });

  it('keeps hostile, huge reasons and gains to bounded, escaped lines within every limit', async () => {
    const evil = '<script>alert(1)</script> *b* `t` @here <!channel>\n';
    const huge = `${evil}${'R'.repeat(300_000)}`;
    const record = withProposal(hostile(seed), {
      escalation: {
        ...analysed(
          'sensitive',
          [{ category: 'secrets', actions: [evil], policy: evil, statement: evil }],
          [huge],
        ),
        comparedWith: `arn:aws:iam::123456789012:user/${evil}`,
      },
      approval: rule('iam-approver', huge),
    });
    const message = await withLinks(record);
    expectWellFormed(message);
    const chat = JSON.stringify(message.chatbot);
    expect(chat).not.toContain('<script>');
    expect(chat).not.toContain('<!channel>');
    expect(chat).not.toMatch(/@here/);
    const lines = message.chatbot.content.description.split('\n');
    expect(lines.find((line) => line.startsWith('*Approval:* one IAM approver'))?.length).toBeLessThanOrEqual(
      920,
    );
    expect(message.text).toMatch(/Approval: one IAM approver listed in approvers .*…\./);
    expect(message.text).toContain('Proposal proposal-1.');
  });
});

describe('fitSections', () => {
  it('keeps a kept section in its place whatever comes before it, and drops what does not fit whole', () => {
    const text = fitSections(['A'.repeat(60), { text: 'KEEP', kept: true }, 'B'.repeat(30), 'C'], 80, 'NOTE');
    expect(text).toBe(`${'A'.repeat(60)}\nKEEP\nC\nNOTE`);
    expect(fitSections(['A'.repeat(200), { text: 'KEEP', kept: true }], 20, 'NOTE')).toBe('KEEP\nNOTE');
    expect(fitSections(['a', null, '', 'b'], 20, 'NOTE')).toBe('a\nb');
  });
});
