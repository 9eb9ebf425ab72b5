import type { IncidentRecord } from '../../../../lambda/core/incident';
import type { ApplyOutcome } from '../../../../lambda/core/apply/outcome';
import {
  CHATBOT_LIMITS,
  chatbotNotificationProblems,
  renderMessage,
  SNS_MESSAGE_MAX_BYTES,
  snsMessageStructure,
  type RenderedMessage,
} from '../../../../lambda/core/render/message';
import {
  renderOutcomeMessage,
  type ApplyMessageOutcome,
} from '../../../../lambda/core/render/message/outcome';
import { approved, diagnosedSeedRecord } from '../../apply/seed-apply';
import { withCase } from '../support/escalation-fixtures';

const APPLIED: ApplyOutcome = {
  kind: 'verified',
  reason: null,
  readBackMatches: true,
  verification: 'allowed',
  blockers: [],
  attempts: 2,
  appliedAt: '2026-06-17T03:00:05.000Z',
  finishedAt: '2026-06-17T03:00:06.000Z',
};

let seed: IncidentRecord;
beforeAll(async () => {
  const record = approved(await diagnosedSeedRecord());
  if (record.proposal === null) throw new Error('the seed has a proposal');
  seed = { ...record, proposal: withCase(record.proposal, 'contained'), status: 'verified' };
});

function render(
  result: ApplyMessageOutcome,
  record: IncidentRecord = seed,
  outcome: ApplyOutcome | null = APPLIED,
): RenderedMessage {
  return renderOutcomeMessage({ record, result, outcome, reviewBaseUrl: 'https://review.example.com' });
}

function expectWellFormed(message: RenderedMessage): void {
  expect(chatbotNotificationProblems(message.chatbot)).toEqual([]);
  expect(message.subject.length).toBeLessThan(100);
  expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
  // eslint-disable-next-line no-control-regex
  expect(message.email).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  const structure = snsMessageStructure(message);
  expect(Buffer.byteLength(structure, 'utf8')).toBeLessThan(SNS_MESSAGE_MAX_BYTES);
}

describe('renderOutcomeMessage', () => {
  it('says "applied and verified: allowed" with the MFA it assumed in every form, in the proposal’s own thread', () => {
    const message = render({ kind: 'verified' });
    expectWellFormed(message);
    const proposalMessage = renderMessage({ kind: 'new', record: seed, reviewBaseUrl: null });
    expect(message.chatbot.metadata.threadId).toBe(proposalMessage.chatbot.metadata.threadId);
    expect(message.chatbot.metadata.threadId).toBe(seed.incidentKey);
    expect(message.chatbot.content.title).toBe(
      ':white_check_mark: applied and verified: allowed with MFA present (assumed by the simulation: the denied request did not have it)',
    );
    expect(message.chatbot.metadata.eventType).toBe('PassRoleApplyOutcome');
    expect(message.chatbot.content.description).toContain(
      '*Policy:* inline policy `AllowPassEtlNightlyRuntimeToGlue` on group `GlueAccess` (2 members)',
    );
    expect(message.chatbot.content.description).toContain(
      '*Approved by:* `link holder` at `2026-06-17T03:00:00.000Z`',
    );
    expect(message.chatbot.content.description).toContain(
      '*Verification:* allowed with MFA present (assumed by the simulation: the denied request did not have it) after 2 simulations',
    );
    expect(message.chatbot.content.nextSteps[0]).toBe(
      'mei.tanaka can retry the call with MFA present: with that, IAM now allows passing the role.',
    );
    // No review link: without the proposal's token it would only open the 403 page.
    expect(JSON.stringify(message)).not.toContain('https://review.example.com');
    expect(message.subject).toBe('[passrole-doctor] Applied and verified: mei.tanaka -> etl-nightly-runtime');
    expect(message.email.split('\n')[0]).toBe(
      'applied and verified: allowed with MFA present (assumed by the simulation: the denied request did not have it)',
    );
    expect(message.email).toContain('"iam:PassedToService": "glue.amazonaws.com"');
    expect(message.text).toBe(
      'iam:PassRole fix for mei.tanaka passing etl-nightly-runtime to glue.amazonaws.com: applied and verified: allowed with MFA present (assumed by the simulation: the denied request did not have it). ' +
        'Level: contained: new access, none of it sensitive. ' +
        'Approval: one approver who does not gain it (review link or IAM route). Why: the grant adds access, none of it sensitive: one approver who does not gain it. ' +
        'Proposal p-seed.',
    );
    expect(message.chatbot.metadata.additionalContext).toMatchObject({
      proposalId: 'p-seed',
      status: 'verified',
      outcome: 'verified',
      attempts: '2',
      documentSha256: seed.documentHash,
    });
  });

  it('lists what still blocks when not verified', () => {
    const message = render(
      {
        kind: 'not-verified',
        blockers: ['explicit deny in RequireMFA (on group/Developers), statement 0', 'no policy allows it'],
      },
      { ...seed, status: 'not-verified' },
      { ...APPLIED, verification: 'explicitDeny', attempts: 11 },
    );
    expectWellFormed(message);
    expect(message.chatbot.content.title).toBe(
      ':warning: applied, NOT verified: explicit deny in RequireMFA (on group/Developers), statement 0; no policy allows it',
    );
    expect(message.email.split('\n')[0]).toBe(
      'applied, NOT verified: explicit deny in RequireMFA (on group/Developers), statement 0; no policy allows it',
    );
    expect(message.email).toContain('Still blocks:\n  - explicit deny in RequireMFA');
    expect(message.subject).toBe(
      '[passrole-doctor] Applied, NOT verified: mei.tanaka -> etl-nightly-runtime',
    );
  });

  it('says a refusal wrote nothing and leaves the document out', () => {
    const message = render(
      {
        kind: 'refused',
        reason: 'the target is the permission set DataEngineer: Identity Center manages it',
      },
      { ...seed, status: 'failed' },
      null,
    );
    expectWellFormed(message);
    expect(message.chatbot.content.title).toBe(
      ':no_entry_sign: refused: the target is the permission set DataEngineer: Identity Center manages it',
    );
    expect(message.chatbot.content.description).toContain('*Nothing was written to IAM.*');
    expect(message.chatbot.content.description).not.toContain('```');
    expect(message.chatbot.content.description).not.toContain('*Verification:*');
    expect(message.email).toContain('Nothing was written to IAM.');
    expect(message.subject).toBe('[passrole-doctor] Refused: mei.tanaka -> etl-nightly-runtime');
  });

  it('says what failed, and whether the policy was written', () => {
    const notWritten = render({ kind: 'failed', reason: 'could not write the policy: Access denied' }, seed, {
      ...APPLIED,
      appliedAt: null,
      attempts: 0,
      verification: null,
      readBackMatches: false,
    });
    expectWellFormed(notWritten);
    expect(notWritten.chatbot.content.title).toBe(':x: failed: could not write the policy: Access denied');
    expect(notWritten.text).toContain(': failed: could not write the policy: Access denied.');
    expect(notWritten.chatbot.content.nextSteps[0]).toBe(
      'The write did not complete: check group `GlueAccess` in IAM before applying by hand.',
    );
    expect(notWritten.chatbot.content.description).not.toContain('*Verification:*');

    const written = render(
      {
        kind: 'failed',
        reason: 'IAM holds a different document under X on group GlueAccess after the write',
      },
      seed,
      { ...APPLIED, attempts: 0, verification: null, readBackMatches: false },
    );
    expect(written.chatbot.content.nextSteps[0]).toBe(
      'The policy was written: check what group `GlueAccess` holds in IAM now.',
    );
    expect(written.email).toContain('The policy was written to IAM: check what the target holds now.');
  });

  it('escapes hostile names, reasons and blockers and stays within every limit', () => {
    const evil = '<script>x</script> *b* `t` ```f``` @here <!channel> [a](http://e) |p\nline\u0007';
    const huge = `${evil}${'Z'.repeat(256 * 1024)}`;
    const proposal = seed.proposal;
    if (proposal === null) throw new Error('the seed has a proposal');
    const hostile: IncidentRecord = {
      ...seed,
      denial: {
        ...seed.denial,
        principalArn: `arn:aws:iam::123456789012:user/${evil}`,
        policySourceArn: `arn:aws:iam::123456789012:user/${evil}`,
        roleArn: `arn:aws:iam::123456789012:role/${huge}`,
      },
      proposal: {
        ...proposal,
        policyName: evil,
        target: { ...proposal.target, name: huge },
        commands: { apply: huge, verify: huge },
        document: { ...proposal.document, Id: huge },
      },
      history: [
        {
          status: 'approved',
          actor: { kind: 'iam', name: huge, sourceIp: null, userAgent: null },
          at: '2026-06-17T03:00:00.000Z',
          detail: evil,
        },
      ],
    };
    for (const result of [
      { kind: 'verified' },
      { kind: 'not-verified', blockers: [huge, evil, huge, evil, huge] },
      { kind: 'refused', reason: huge },
      { kind: 'failed', reason: evil },
    ] satisfies ApplyMessageOutcome[]) {
      const message = render(result, hostile);
      expectWellFormed(message);
      const chat = JSON.stringify(message.chatbot);
      expect(chat).not.toContain('<script>');
      expect(chat).not.toContain('<!channel>');
      expect(chat).not.toMatch(/@here/);
      expect(message.chatbot.content.title).not.toContain('\n');
      expect(message.chatbot.content.title.length).toBeLessThanOrEqual(CHATBOT_LIMITS.title);
      for (const line of message.chatbot.content.description.split('\n')) {
        if (line !== '```') expect((line.match(/`/g) ?? []).length % 2).toBe(0);
      }
    }
  });
});

describe('renderOutcomeMessage: the level and the approval it needed', () => {
  it('states both in every form, and never leaves them out of a full Chatbot description', () => {
    if (seed.proposal === null) throw new Error('the seed has a proposal');
    const huge = `<b>${'W'.repeat(300_000)}`;
    const record: IncidentRecord = {
      ...seed,
      proposal: {
        ...withCase(seed.proposal, 'sensitive'),
        document: { ...seed.proposal.document, Id: huge },
        policyName: huge,
        target: { ...seed.proposal.target, name: huge },
      },
    };
    const message = render(
      { kind: 'not-verified', blockers: Array.from({ length: 10 }, () => huge) },
      record,
    );
    expectWellFormed(message);
    const description = message.chatbot.content.description;
    expect(description.endsWith('_(more in the email report)_')).toBe(true);
    expect(description.split('\n')).toEqual(
      expect.arrayContaining([
        '*Level:* sensitive: new access to IAM writes',
        expect.stringMatching(/^\*Approval:\* one IAM approver listed in approvers \(a review link cannot/),
      ]),
    );
    expect(message.email).toContain(
      '\nLevel:      sensitive: new access to IAM writes\nApproval:   one IAM approver',
    );
    expect(message.text).toContain('Level: sensitive: new access to IAM writes. Approval: one IAM approver');
  });
});
