/**
 * Organization mode: every form of the team-channel messages (the proposal, the reminder, the report
 * and the apply outcome) names the denial's account by name, id and OU path, escaped for where it
 * lands; single-account records carry none of it.
 */
import type { IncidentRecord } from '../../../../lambda/core/incident';
import type { OrganizationAccount } from '../../../../lambda/core/organization/model';
import {
  chatbotNotificationProblems,
  renderMessage,
  SNS_MESSAGE_MAX_BYTES,
  snsMessageStructure,
  type RenderedMessage,
} from '../../../../lambda/core/render/message';
import { renderOutcomeMessage } from '../../../../lambda/core/render/message/outcome';
import { approved, diagnosedSeedRecord } from '../../apply/seed-apply';

const ACCOUNT: OrganizationAccount = {
  id: '123456789012',
  name: 'data-prod',
  ouPath: [
    { id: 'r-ab12', name: 'Root' },
    { id: 'ou-ab12-aaaaaaaa', name: 'Workloads' },
    { id: 'ou-ab12-bbbbbbbb', name: 'Data' },
  ],
};

/** An account name and OU names as a hostile organization administrator could choose them. */
const EVIL = '<script>x</script> *b* `t` @here <!channel> [l](http://evil) #h |p\nline\u202e';
const HOSTILE: OrganizationAccount = {
  id: '123456789012',
  name: `${EVIL}${'N'.repeat(5_000)}`,
  ouPath: [
    { id: 'r-ab12', name: 'Root' },
    ...Array.from({ length: 5 }, (_, index) => ({
      id: `ou-ab12-0000000${index}`,
      name: `${EVIL}${'O'.repeat(2_000)}`,
    })),
  ],
};

let seed: IncidentRecord;
beforeAll(async () => {
  seed = await diagnosedSeedRecord();
});

const inOrg = (record: IncidentRecord, account: OrganizationAccount = ACCOUNT): IncidentRecord => ({
  ...record,
  organizationAccount: account,
});

function expectWellFormed(message: RenderedMessage): void {
  expect(chatbotNotificationProblems(message.chatbot)).toEqual([]);
  expect(message.subject.length).toBeLessThan(100);
  expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
  // eslint-disable-next-line no-control-regex
  expect(message.email).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
  expect(message.text).not.toMatch(/[\n\u202e]/);
  expect(Buffer.byteLength(snsMessageStructure(message), 'utf8')).toBeLessThan(SNS_MESSAGE_MAX_BYTES);
}

function messagesOf(record: IncidentRecord): RenderedMessage[] {
  return [
    renderMessage({ kind: 'new', record, reviewBaseUrl: 'https://review.example.com' }),
    renderMessage({ kind: 'reminder', record, reviewBaseUrl: null }),
    renderMessage({
      kind: 'new',
      record: { ...record, proposal: null, status: 'reported' },
      reviewBaseUrl: null,
    }),
    renderOutcomeMessage({
      record: approved(record),
      result: { kind: 'refused', reason: 'the document changed' },
      outcome: null,
      reviewBaseUrl: null,
    }),
  ];
}

describe('messages name the organization account', () => {
  it('in every form: subject, email, Chatbot title, description and context, short text', () => {
    for (const message of messagesOf(inOrg(seed))) {
      expectWellFormed(message);
      expect(message.subject).toContain('in data-prod');
      expect(message.email).toContain('data-prod (123456789012) in Root / Workloads / Data');
      expect(message.text).toContain('Account: data-prod (123456789012) in Root / Workloads / Data.');
      expect(message.chatbot.content.description).toContain(
        '*Account:* data-prod `123456789012` in Root / Workloads / Data',
      );
      expect(message.chatbot.metadata.additionalContext).toMatchObject({
        account: '123456789012',
        accountName: 'data-prod',
        ouPath: 'Root / Workloads / Data',
      });
    }
    const [proposal] = messagesOf(inOrg(seed));
    expect(proposal?.chatbot.content.title).toContain('iam:PassRole denied in data-prod:');
    expect(proposal?.email.split('\n')[0]).toContain('iam:PassRole denied in data-prod (123456789012):');
  });

  it('says nothing of an organization in single-account mode', () => {
    for (const message of messagesOf(seed)) {
      expect(message.email).not.toContain('Account:');
      expect(message.text).not.toContain('Account:');
      expect(message.chatbot.content.description).not.toContain('*Account:*');
      expect(message.chatbot.metadata.additionalContext).not.toHaveProperty('accountName');
      expect(message.subject).not.toContain(' in ');
    }
  });

  it('escapes a hostile account name and OU names where each lands, within every limit', () => {
    for (const message of messagesOf(inOrg(seed, HOSTILE))) {
      expectWellFormed(message);
      const chat = JSON.stringify(message.chatbot);
      expect(chat).not.toContain('<script>');
      expect(chat).not.toContain('<!channel>');
      expect(chat).not.toMatch(/@here/);
      expect(chat).toContain('&lt;script&gt;x&lt;/script&gt; `*b*`');
      // The account line is kept whole in the description: never dropped to make room.
      expect(message.chatbot.content.description).toContain('*Account:* &lt;script&gt;');
      for (const line of message.chatbot.content.description.split('\n')) {
        if (line !== '```') expect((line.match(/`/g) ?? []).length % 2).toBe(0);
      }
      // Plain forms: one line, the bidi override gone, the link and the proposal id still there.
      expect(message.email).toContain('<script>x</script> *b*');
      expect(message.text).toContain(`Proposal ${seed.id}.`);
    }
  });
});
