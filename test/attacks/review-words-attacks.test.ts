/**
 * Words a reviewer reads that come from the account or the event: the target group's member names
 * (now named on the review page) and IAM-legal names that are markup in chat (`_`, `*`, `@`). A
 * snapshot file is whatever its author wrote, so a member name may hold anything: it must land as
 * text, each in its own <bdi>. In chat a name must be shown exactly (Slack's mrkdwn rules, through
 * the reference renderer), never formatted, stripped or turned into a mention.
 */
import type { IncidentRecord } from '../../lambda/core/incident';
import { renderMessage } from '../../lambda/core/render/message';
import { renderReviewPage } from '../../lambda/core/render/review-page';
import { proposalRecord } from '../adapters/support/proposal-records';
import { renderSlackMrkdwn } from '../support/slack-mrkdwn-reference';
import { recordAttack } from './support/attack-results';

const PART = 'review-words';

const HOSTILE_MEMBERS: [string, string][] = [
  ['an HTML script tag', '<script>fetch("//evil")</script>'],
  ['an attribute break', '"><img src=x onerror=alert(1)>'],
  ['a bidi override', 'mei\u202egnp.exe'],
  ['a fake list closing', '</bdi></span> and 0 more</dd><dt>Approved</dt><dd>yes'],
];

const MARKUP_NAMES: [string, string][] = [
  ['italic underscores', '_all_staff_'],
  ['bold stars', '*admin*'],
  ['a broadcast', '@channel_ops'],
  ['an emoji shortcode', ':white_check_mark:'],
];

function withMembers(record: IncidentRecord, names: string[]): IncidentRecord {
  if (record.proposal === null) throw new Error('a proposal record');
  const target = { ...record.proposal.target, memberCount: names.length, memberNames: names };
  return { ...record, proposal: { ...record.proposal, target } };
}

function page(record: IncidentRecord): string {
  return renderReviewPage({
    record,
    history: [],
    token: 'T'.repeat(43),
    actionBase: '/proposals/p-1',
    now: new Date('2026-06-18T00:00:00Z'),
  });
}

describe('a hostile member name lands as text on the review page', () => {
  it.each(HOSTILE_MEMBERS)('%s', (label, name) => {
    const html = page(withMembers(proposalRecord(), [name, 'ana']));
    const members = /<span id="members">(.*?)<\/span>/.exec(html)?.[1] ?? '';
    const breaches: string[] = [];
    if (/[<>"&]/.test(name) && html.includes(name)) breaches.push('unescaped');
    // Each name isolated: a bidi override cannot reorder its neighbours.
    if (!members.includes(`<bdi class="member">${name.replace(/[<>"&'`]/g, '')}`) && !/[<>"&]/.test(name))
      breaches.push('not isolated');
    if ((members.match(/<bdi class="member">/g) ?? []).length !== 2) breaches.push('list shape');
    if (/<script|<img/i.test(html)) breaches.push('markup');
    recordAttack({
      part: PART,
      name: `member name: ${label}`,
      escalated: breaches.length > 0,
      forgedApplied: false,
    });
    expect(breaches).toEqual([]);
  });
});

describe('an IAM-legal name that is chat markup is shown exactly', () => {
  it.each(MARKUP_NAMES)('%s', (label, name) => {
    const base = proposalRecord();
    if (base.proposal === null) throw new Error('a proposal record');
    const record: IncidentRecord = {
      ...base,
      denial: { ...base.denial, roleArn: `arn:aws:iam::123456789012:role/${name}` },
      proposal: { ...base.proposal, target: { ...base.proposal.target, name } },
    };
    const { chatbot } = renderMessage({ kind: 'new', record, reviewBaseUrl: null });
    const breaches: string[] = [];
    for (const text of [chatbot.content.title, chatbot.content.description]) {
      const shown = renderSlackMrkdwn(text);
      if (text.includes('\\')) breaches.push('backslash escape');
      // A broken mention carries a zero-width space, which no one sees.
      if (!shown.text.replace(/\u200b/g, '').includes(name)) breaches.push('not shown exactly');
      // Formatting other than code is the product's own: its bold labels and its status icon.
      const foreign = shown.spans.filter(
        (span) =>
          span.kind !== 'code' &&
          span.kind !== 'code-block' &&
          !(span.kind === 'bold' && /^[A-Z][A-Za-z ]*:?$/.test(span.text)) &&
          !(span.kind === 'emoji' && span.text === 'no_entry'),
      );
      if (foreign.length > 0) breaches.push('formatted');
      if (/(?<!\u200b)@channel/.test(text)) breaches.push('mention');
    }
    recordAttack({
      part: PART,
      name: `chat name: ${label}`,
      escalated: breaches.length > 0,
      forgedApplied: false,
    });
    expect(breaches).toEqual([]);
  });
});
