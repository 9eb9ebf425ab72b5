/**
 * The team-channel message of an incident, in every form its SNS subscribers read: email (plain
 * text), AWS Chatbot (Slack and Teams custom notification) and a short default text.
 */
import { renderChatbotNotification } from './chatbot';
import { renderEmail } from './email';
import { plainText, subjectLine } from './escape';
import { approvalSummary, levelSummary, notApprovable } from '../escalation-labels';
import { memberPhrase, messageFacts } from './facts';
import type { MessageInput, RenderedMessage } from './types';
import { renderSummary } from '../diagnosis-summary';
import { accountLine } from '../account-label';

export { CHATBOT_EVENT_TYPES, CHATBOT_LIMITS, renderChatbotNotification } from './chatbot';
export { chatbotNotificationProblems } from './chatbot-schema';
export { renderEmail, EMAIL_MAX } from './email';
export { chatCode, chatCodeBlock, chatText, plainBlock, plainText, subjectLine, truncate } from './escape';
export { reviewUrlOf } from './facts';
export type { ChatbotNotification, MessageInput, MessageKind, RenderedMessage } from './types';

/** SNS caps a message at 256 KB; the renderers keep well under it whatever the event holds. */
export const SNS_MESSAGE_MAX_BYTES = 256 * 1024;

function subject(input: MessageInput): string {
  const facts = messageFacts(input);
  const where = facts.account === null ? '' : ` in ${facts.account.name}`;
  const about = `PassRole denied${where}: ${facts.who} -> ${facts.roleName}`;
  if (facts.flavor === 'reminder') {
    return subjectLine(`[passrole-doctor] Reminder (${input.record.occurrenceCount}x) ${about}`);
  }
  if (facts.flavor === 'report') return subjectLine(`[passrole-doctor] ${about} (no fix proposed)`);
  return subjectLine(`[passrole-doctor] ${about}`);
}

/** Names in the short text: a forged record's name must not push the link and commands out of it. */
const SHORT_TEXT_NAME = 200;
/** The account line of the short text (organization mode): name, id and OU path, bounded. */
const SHORT_TEXT_ACCOUNT = 120;
/** The level and approval lines of the short text, each bounded. */
const SHORT_TEXT_LEVEL = 150;
const SHORT_TEXT_APPROVAL = 300;
/**
 * The short text's length. Its head (the first sentence, the account, the level and approval lines:
 * ~1,280 at most) and its tail (the review link, the commands and the id: ~700 at most with a 128-character id)
 * both fit whole; only the summary and the proposed policy's names are cut to make room.
 */
const SHORT_TEXT_MAX = 2_000;

function shortText(input: MessageInput): string {
  const { record } = input;
  const facts = messageFacts(input);
  const name = (text: string) => plainText(text, SHORT_TEXT_NAME);
  const head = [
    `${facts.flavor === 'reminder' ? `Reminder (${record.occurrenceCount} denials): ` : ''}iam:PassRole denied: ${name(facts.who)} cannot pass ${name(facts.roleName)} to ${name(facts.service)}.`,
  ];
  const proposal = record.proposal;
  if (facts.account !== null)
    head.push(`Account: ${plainText(accountLine(facts.account), SHORT_TEXT_ACCOUNT)}.`);
  if (proposal) {
    head.push(`Level: ${plainText(levelSummary(proposal), SHORT_TEXT_LEVEL)}.`);
    head.push(`Approval: ${plainText(approvalSummary(proposal), SHORT_TEXT_APPROVAL)}.`);
  }
  const body = [plainText(renderSummary(record.diagnosis), 500)];
  if (proposal) {
    body.push(
      `Proposed: inline policy ${name(proposal.policyName)} on ${proposal.target.type} ${name(proposal.target.name)}${memberPhrase(proposal.target.type, proposal.target.memberCount)}.`,
    );
  }
  const tail: string[] = [];
  if (facts.reviewUrl) tail.push(`Review: ${facts.reviewUrl}`);
  // A command that can only be refused is not offered.
  if (facts.approveCommand && proposal && !notApprovable(proposal))
    tail.push(`Approve: ${facts.approveCommand}`);
  if (facts.rejectCommand) tail.push(`Reject: ${facts.rejectCommand}`);
  tail.push(`Proposal ${record.id}.`);
  const start = head.join(' ');
  const end = plainText(tail.join(' '), SHORT_TEXT_MAX);
  const room = SHORT_TEXT_MAX - start.length - end.length - 2;
  const middle = room > 0 ? plainText(body.join(' '), room) : '';
  return plainText([start, middle, end].filter((part) => part !== '').join(' '), SHORT_TEXT_MAX);
}

export function renderMessage(input: MessageInput): RenderedMessage {
  return {
    subject: subject(input),
    email: renderEmail(input),
    chatbot: renderChatbotNotification(input),
    text: shortText(input),
  };
}

/**
 * The SNS Message for MessageStructure 'json': one string per protocol. AWS Chatbot subscribes over
 * https, so it gets the custom notification; `default` serves every protocol not named.
 */
export function snsMessageStructure(message: RenderedMessage): string {
  return JSON.stringify({
    default: message.text,
    email: message.email,
    https: JSON.stringify(message.chatbot),
  });
}
