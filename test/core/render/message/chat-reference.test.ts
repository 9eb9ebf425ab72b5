/**
 * Slack (AWS Chatbot) and Teams get the same payload from one topic. These tests read it through
 * the REFERENCE RENDERER in test/support/slack-mrkdwn-reference.ts (Slack's published mrkdwn rules):
 * a name holding `_` or `*` must be shown exactly, never formatted or stripped, and no backslash
 * escape (which Slack shows as it is) may appear.
 */
import { readDenials } from '../../../../lambda/core/denial';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../../../../lambda/core/incident';
import { chatText, renderMessage } from '../../../../lambda/core/render/message';
import { renderOutcomeMessage } from '../../../../lambda/core/render/message/outcome';
import type { ChatbotNotification } from '../../../../lambda/core/render/message/types';
import { seedDiagnoser, seedRecord } from '../../../handlers/diagnose/support';
import { renderSlackMrkdwn, type SlackRendering } from '../../../support/slack-mrkdwn-reference';
import { withCase } from '../support/escalation-fixtures';

const ROLE = 'etl_nightly*runtime_';
const GROUP = '_Data*Eng_';
const CALLER = 'mei_tanaka*';

async function hostileRecord(): Promise<IncidentRecord> {
  const [outcome] = readDenials(seedRecord('evt-1'), 'seed');
  if (outcome?.kind !== 'denial') throw new Error('the seed record is not a denial');
  const diagnosed = await seedDiagnoser().diagnose(outcome.denial);
  if (diagnosed.outcome !== 'proposed') throw new Error('the seed has a proposal');
  const denial = {
    ...outcome.denial,
    principalArn: `arn:aws:iam::123456789012:user/${CALLER}`,
    roleArn: `arn:aws:iam::123456789012:role/${ROLE}`,
  };
  const proposal = {
    ...withCase(diagnosed.proposal, 'contained'),
    target: { ...diagnosed.proposal.target, name: GROUP },
  };
  return newIncidentRecord({
    id: 'proposal-1',
    incidentKey: incidentKeyOf(denial),
    diagnosis: { ...diagnosed, denial, proposal },
    now: new Date('2026-06-17T02:05:00Z'),
    ttlHours: 72,
  });
}

/** Every text of a notification a channel renders as mrkdwn. */
function renderedTexts(chatbot: ChatbotNotification): string[] {
  const { title, description, nextSteps } = chatbot.content;
  return [title, description, ...nextSteps];
}

/** Formatting the product means: its own bold labels and status icons; nothing from the event. */
function foreignFormatting(rendering: SlackRendering): SlackRendering['spans'] {
  return rendering.spans.filter(
    (span) =>
      !(span.kind === 'code' || span.kind === 'code-block') &&
      !(span.kind === 'bold' && /^[A-Z][A-Za-z ]*:?$/.test(span.text)) &&
      !(span.kind === 'bold' && span.text === 'Nothing was written to IAM.') &&
      !(
        span.kind === 'emoji' && /^(no_entry|bell|white_check_mark|warning|no_entry_sign|x)$/.test(span.text)
      ),
  );
}

describe('the reference renderer itself', () => {
  it('formats what Slack formats, and shows a backslash escape as it is', () => {
    expect(renderSlackMrkdwn('*bold* _it_ ~s~ :x: `*c*` &lt;b&gt;')).toEqual({
      text: 'bold it s [emoji:x] *c* <b>',
      spans: [
        { kind: 'bold', text: 'bold' },
        { kind: 'italic', text: 'it' },
        { kind: 'strike', text: 's' },
        { kind: 'emoji', text: 'x' },
        { kind: 'code', text: '*c*' },
      ],
    });
    expect(renderSlackMrkdwn('\\*admin\\*').text).toBe('\\*admin\\*');
    expect(renderSlackMrkdwn('etl_nightly_runtime').spans).toEqual([]);
  });
});

describe('chat payloads through the Slack mrkdwn reference renderer', () => {
  it.each([
    ['an underscore name', 'etl_nightly_runtime'],
    ['stars', '*admin*'],
    ['underscores around', '_x_'],
    ['tildes', '~strike~'],
    ['an ARN with a wildcard', 'arn:aws:iam::*:role/a_b'],
    ['a backslash', 'back\\slash'],
    ['an emoji shortcode', ':smile:'],
    ['entities', 'x&y<z>'],
    ['a link', '[l](u)'],
  ])('shows %s in prose exactly, formatted by nothing', (_, name) => {
    const sentence = `role ${name} (on group ${name}), statement 0.`;
    const rendered = renderSlackMrkdwn(chatText(sentence, 500));
    expect(rendered.text).toBe(sentence);
    expect(foreignFormatting(rendered)).toEqual([]);
  });

  it('writes no backslash escape in the proposal or the outcome, and shows each name exactly', async () => {
    const record = await hostileRecord();
    const proposal = renderMessage({ kind: 'new', record, reviewBaseUrl: 'https://review.example.com' });
    const outcome = renderOutcomeMessage({
      record: { ...record, status: 'verified' },
      result: { kind: 'verified' },
      outcome: null,
      reviewBaseUrl: null,
    });
    for (const chatbot of [proposal.chatbot, outcome.chatbot]) {
      for (const text of renderedTexts(chatbot)) {
        expect(text).not.toContain('\\');
        expect(foreignFormatting(renderSlackMrkdwn(text))).toEqual([]);
      }
    }
    const { title, description } = proposal.chatbot.content;
    expect(title).toBe(
      `:no_entry: iam:PassRole denied: \`${CALLER}\` cannot pass \`${ROLE}\` to glue.amazonaws.com`,
    );
    expect(renderSlackMrkdwn(title).text).toBe(
      `[emoji:no_entry] iam:PassRole denied: ${CALLER} cannot pass ${ROLE} to glue.amazonaws.com`,
    );
    const shown = renderSlackMrkdwn(description).text;
    expect(shown).toContain(`on group ${GROUP}`);
    expect(shown).toContain(`arn:aws:iam::123456789012:role/${ROLE}`);
    expect(renderSlackMrkdwn(outcome.chatbot.content.description).text).toContain(
      `${CALLER} could not pass ${ROLE} to glue.amazonaws.com`,
    );
  });
});
