/**
 * Organization mode: an account's name and its OU names are chosen by whoever administers the
 * organization (or a compromised member's management), read by the hub's real OrganizationsReader
 * and shown to reviewers in every message, the review page and the CLI listing. A hostile name must
 * land as text everywhere: no HTML, no chat markup, mention or link, no terminal control or faked
 * listing line. The network is a recording `fetch` answering as Organizations would.
 */
import { OrganizationsReader } from '../../lambda/adapters/aws/organizations-reader';
import { OrganizationsApi } from '../../lambda/adapters/aws/organizations/organizations-api';
import { SignedApiClient } from '../../lambda/adapters/aws/signed-api-client';
import { proposalSummary } from '../../lambda/core/approval/views';
import type { IncidentRecord } from '../../lambda/core/incident';
import type { OrganizationAccount } from '../../lambda/core/organization/model';
import { renderMessage } from '../../lambda/core/render/message';
import { renderOutcomeMessage } from '../../lambda/core/render/message/outcome';
import { renderReviewPage } from '../../lambda/core/render/review-page';
import { runRemote } from '../../lambda/handlers/cli/remote-commands';
import { proposalRecord } from '../adapters/support/proposal-records';
import { recordAttack } from './support/attack-results';

const PART = 'organization-names';
const MEMBER = '111122223333';
const OU = 'ou-ab12-aaaaaaaa';

const HOSTILE_NAMES: [string, string][] = [
  ['an HTML script tag', '<script>fetch("//evil")</script>'],
  ['an HTML attribute break', '"><img src=x onerror=alert(1)>'],
  ['a Slack broadcast', '<!channel> @here please approve'],
  ['a markdown link', '[Approve now](https://evil.example/approve)'],
  ['a code fence break', '```\n*Approval:* not needed\n```'],
  ['a terminal escape', '\u001b[2J\u001b[1;1Hpasswd'],
  ['a faked listing line', 'prod\np-9  AllowAll on role admin  expires never'],
  ['a bidi override', 'prod\u202egnp.exe'],
];

/** Organizations answering with `name` for the account and its OU, as DescribeAccount and friends do. */
function organizationsAnswering(name: string): typeof fetch {
  return (async (_input: string | URL | Request, init?: RequestInit) => {
    const target = String((init?.headers as Record<string, string>)['x-amz-target'] ?? '');
    const operation = target.split('.')[1];
    const body: Record<string, unknown> =
      operation === 'DescribeAccount'
        ? { Account: { Id: MEMBER, Name: name } }
        : operation === 'ListParents'
          ? JSON.parse(String(init?.body)).ChildId === MEMBER
            ? { Parents: [{ Id: OU, Type: 'ORGANIZATIONAL_UNIT' }] }
            : { Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] }
          : operation === 'DescribeOrganizationalUnit'
            ? { OrganizationalUnit: { Id: OU, Name: name } }
            : operation === 'ListRoots'
              ? { Roots: [{ Id: 'r-ab12', Name: 'Root', PolicyTypes: [] }] }
              : {};
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
}

async function accountNamed(name: string): Promise<OrganizationAccount> {
  const reader = new OrganizationsReader(
    new OrganizationsApi({
      endpoint: { url: new URL('https://organizations.us-east-1.amazonaws.com'), signingRegion: 'us-east-1' },
      credentials: async () => ({ accessKeyId: 'AKIAATTACK', secretAccessKey: 'attack' }),
      fetch: organizationsAnswering(name),
    }),
  );
  const account = await reader.account(MEMBER);
  if (account === null) throw new Error('the reader found no account');
  return account;
}

/** Raw markup that would act in a page or a chat client (escaped forms are fine). */
const HTML_MARKUP = /<script|<img|<!channel>/i;
const CHAT_MARKUP = /<script|<img|<!channel>|(?<!\u200b)@here|(?<!\\)\[Approve now\]\(https/i;
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

async function cliListing(record: IncidentRecord): Promise<string[]> {
  const out: string[] = [];
  const fetchList = (async () =>
    new Response(JSON.stringify({ proposals: [proposalSummary(record)] }), { status: 200 })) as typeof fetch;
  await runRemote(
    { kind: 'proposals' },
    { api: 'https://abc123.execute-api.eu-west-1.amazonaws.com', json: false },
    { out: (text) => out.push(text), err: (text) => out.push(text) },
    (url) =>
      new SignedApiClient(url, {
        credentials: async () => ({ accessKeyId: 'AKIAATTACK', secretAccessKey: 'attack' }),
        fetch: fetchList,
      }),
  );
  return out.join('\n').split('\n');
}

describe('a hostile account or OU name lands as text wherever the hub shows it', () => {
  it.each(HOSTILE_NAMES)('%s', async (label, name) => {
    const account = await accountNamed(name);
    expect(account.name).toBe(name);
    const record = proposalRecord({ organizationAccount: account });
    const messages = [
      renderMessage({ kind: 'new', record, reviewBaseUrl: 'https://review.example.com' }),
      renderOutcomeMessage({
        record: { ...record, status: 'failed' },
        result: { kind: 'failed', reason: 'x' },
        outcome: null,
        reviewBaseUrl: null,
      }),
    ];
    const html = renderReviewPage({
      record,
      history: [],
      token: 'T'.repeat(43),
      actionBase: '/proposals/p-1',
      now: new Date('2026-06-18T00:00:00Z'),
    });
    const listing = await cliListing(record);

    const breaches: string[] = [];
    // The page's own markup has no script or image; the name itself never appears unescaped.
    if (HTML_MARKUP.test(html) || (/[<>"&]/.test(name) && html.includes(name))) breaches.push('review page');
    // A bidi override in the page's account line is isolated: it cannot reorder the id or the path.
    const accountParagraph = /<p id="account">.*?<\/p>/.exec(html)?.[0] ?? '';
    if (name.includes('\u202e') && !accountParagraph.includes(`<bdi>${name}</bdi>`))
      breaches.push('review page bidi');
    for (const message of messages) {
      const chat = JSON.stringify(message.chatbot);
      if (CHAT_MARKUP.test(chat)) breaches.push('chat');
      // The account's line in the chat description stays one line, its code spans balanced.
      const accountLine = message.chatbot.content.description
        .split('\n')
        .find((line) => line.startsWith('*Account:*'));
      if (accountLine === undefined || (accountLine.match(/`/g) ?? []).length % 2 !== 0)
        breaches.push('chat account line');
      if (TERMINAL_CONTROL.test(message.email) || TERMINAL_CONTROL.test(message.text))
        breaches.push('plain text');
      if (!/^[\x20-\x7e]+$/.test(message.subject)) breaches.push('subject');
    }
    if (listing.length !== 3 || listing.some((line) => TERMINAL_CONTROL.test(line)))
      breaches.push('CLI listing');

    recordAttack({
      part: PART,
      name: `account name: ${label}`,
      escalated: breaches.length > 0,
      forgedApplied: false,
    });
    expect(breaches).toEqual([]);
  });
});
