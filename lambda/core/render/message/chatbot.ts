/**
 * The AWS Chatbot custom notification (Slack and Microsoft Teams). Schema: version "1.0", source
 * "custom", content {textType "client-markdown", title, description, nextSteps[], keywords[]},
 * metadata {threadId, summary, eventType, relatedResources[], additionalContext{}}.
 *
 * The limits below are this product's, chosen under what the channels render whole (a Slack text
 * block holds 3,000 characters); they are the contract the validator checks.
 */
import type { Proposal } from '../../model';
import {
  approvalSummary,
  GAIN_LABELS,
  gainWhere,
  levelSummary,
  linkMayApproveProposal,
  notApprovable,
} from '../escalation-labels';
import { blastRadiusLines } from '../identity-center';
import { chatCode, chatCodeBlock, chatText } from './escape';
import { memberPhrase, messageFacts, VERDICT_WORDS } from './facts';
import { fitSections, type Section } from './fit';
import type { ChatbotNotification, MessageInput } from './types';
import { verdictOf } from '../../diagnosis/derived';
import { renderSummary } from '../diagnosis-summary';
import { renderFindings } from '../findings';
import { accountContext, accountSection } from './account';
import { allowedAsVerified } from '../verification-context';
import { lastSeenWords } from '../occurrence';

export const CHATBOT_LIMITS = {
  title: 250,
  description: 3000,
  nextSteps: 5,
  nextStep: 1500,
  keywords: 5,
  keyword: 50,
  threadId: 128,
  summary: 250,
  eventType: 64,
  relatedResources: 10,
  relatedResource: 2048,
  additionalContext: 12,
  contextKey: 64,
  contextValue: 256,
} as const;

/** Lengths of escaped event-derived values. */
const NAME = 48;
const IDENTIFIER = 300;
const SENTENCE = 600;
const COMMAND = 1200;

/**
 * What relatedResources may hold: ARNs as AWS spells them (partition, service, region, a 12-digit
 * account or none, then a resource in the characters IAM allows in names and paths), nothing else.
 * The channels show them as resource links, outside the escaped markdown, so a value from a forged
 * record must bring no markup: `<`, `>`, quotes, `*`, backticks, whitespace and non-ASCII cannot pass.
 * `_` and `@` are IAM-legal and stay, so that the link names the resource as IAM does.
 */
const RELATED_RESOURCE_ARN = /^arn:aws(?:-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12})?:[\w+=,.@/:-]+$/;

export function isRelatedResourceArn(value: string): boolean {
  return value.length <= CHATBOT_LIMITS.relatedResource && RELATED_RESOURCE_ARN.test(value);
}

export const CHATBOT_EVENT_TYPES = {
  proposal: 'PassRoleProposal',
  reminder: 'PassRoleReminder',
  report: 'PassRoleReport',
} as const;

/** The escaped level and approval lines: bounded, so the kept sections always fit the description. */
const LEVEL_LINE = 500;
const APPROVAL_LINE = 900;

/**
 * The level and the approval a proposal needs, one line each, never left out of the description
 * (fit.ts): a reviewer must see them whatever else the message holds.
 */
export function escalationSections(proposal: Proposal): Section[] {
  return [
    { text: `*Level:* ${chatText(levelSummary(proposal), LEVEL_LINE)}`, kept: true },
    { text: `*Approval:* ${chatText(approvalSummary(proposal), APPROVAL_LINE)}`, kept: true },
  ];
}

/** The gains, one bullet each (at most a few): left out whole when the description is full. */
function gainsSection(proposal: Proposal): string | null {
  const escalation = proposal.escalation;
  if (escalation?.kind !== 'analysed' || escalation.gains.length === 0) return null;
  const bullets = escalation.gains.slice(0, 6).map((gain) => {
    const where = gainWhere(gain);
    const actions = gain.actions.length > 0 ? `: ${gain.actions.slice(0, 4).join(', ')}` : '';
    return `• ${chatText(`${GAIN_LABELS[gain.category]}${actions}${where === '' ? '' : ` (${where})`}`, 300)}`;
  });
  const compared =
    escalation.comparedWith === null
      ? ''
      : ` (compared with ${chatCode(escalation.comparedWith, IDENTIFIER)})`;
  const more =
    escalation.gains.length > 6 ? `\n• ${escalation.gains.length - 6} more on the review page` : '';
  return `*What it adds*${compared}:\n${bullets.join('\n')}${more}`;
}

function title(input: MessageInput): string {
  const facts = messageFacts(input);
  const who = chatText(facts.who, NAME);
  const role = chatText(facts.roleName, NAME);
  const service = chatText(facts.service, NAME);
  const account = facts.account === null ? '' : ` in ${chatText(facts.account.name, NAME)}`;
  const base = `iam:PassRole denied${account}: ${who} cannot pass ${role} to ${service}`;
  if (facts.flavor === 'reminder') {
    return `:bell: Reminder, still pending after ${input.record.occurrenceCount} denials${account}: ${who} cannot pass ${role} to ${service}`;
  }
  if (facts.flavor === 'report') return `:no_entry: ${base} (no policy change proposed)`;
  return `:no_entry: ${base}`;
}

function description(input: MessageInput): string {
  const { record } = input;
  const { denial, diagnosis, proposal } = record;
  const facts = messageFacts(input);
  const sections: (Section | string | null)[] = [];
  if (facts.flavor === 'reminder') {
    sections.push(
      `*Still pending* since ${chatCode(record.createdAt, NAME)}: denied ${record.occurrenceCount} times, ${chatText(lastSeenWords(record), SENTENCE)}.`,
    );
  }
  if (facts.account !== null) sections.push(accountSection(facts.account));
  sections.push(`*Why:* ${chatText(renderSummary(diagnosis), SENTENCE)}`);
  sections.push(
    `*Who:* ${chatCode(denial.principalArn, IDENTIFIER)} (${chatText(denial.principalType, NAME)})`,
  );
  if (denial.policySourceArn !== null && denial.policySourceArn !== denial.principalArn) {
    sections.push(`*IAM entity:* ${chatCode(denial.policySourceArn, IDENTIFIER)}`);
  }
  sections.push(
    `*Call:* ${chatCode(denial.deniedAction, NAME)} in ${chatCode(denial.account, NAME)} ${chatCode(denial.region, NAME)}, event ${chatCode(denial.eventId, NAME)}`,
  );
  sections.push(
    `*Role:* ${chatCode(denial.roleArn ?? 'unknown', IDENTIFIER)} to ${chatCode(denial.passedToService ?? 'unknown', NAME)}`,
  );
  if (facts.nearMiss) sections.push(`*Near miss:* ${chatText(facts.nearMiss.message, SENTENCE)}`);
  if (proposal) {
    const verified = proposal.verified
      ? `verified by simulation: ${chatText(allowedAsVerified(record), SENTENCE)}`
      : `*not verified*: still blocked (${chatText(proposal.blockers.join('; '), SENTENCE)})`;
    sections.push(
      `*Proposed fix:* inline policy ${chatCode(proposal.policyName, IDENTIFIER)} on ${proposal.target.type} ${chatCode(proposal.target.name, IDENTIFIER)}${memberPhrase(proposal.target.type, proposal.target.memberCount)}, ${verified}`,
    );
    const reach = blastRadiusLines(proposal.target.blastRadius, denial.account, (text) =>
      chatText(text, IDENTIFIER),
    );
    if (reach !== null) {
      sections.push(
        [`*Reaches:* ${reach.summary}`, ...reach.assignments.map((line) => `• ${line}`)].join('\n'),
      );
    }
    sections.push(...escalationSections(proposal));
    sections.push(gainsSection(proposal));
    sections.push(chatCodeBlock(JSON.stringify(proposal.document, null, 2), 1500));
    if (proposal.risk.length > 0) {
      sections.push(`*Risk:*\n${proposal.risk.map((flag) => `• ${chatText(flag, SENTENCE)}`).join('\n')}`);
    }
  } else {
    sections.push(
      `*Verdict:* ${chatText(VERDICT_WORDS[verdictOf(diagnosis)] ?? verdictOf(diagnosis), NAME)}; no policy change is proposed.`,
    );
    const findings = renderFindings(diagnosis)
      .filter((finding) => finding.kind !== 'near-miss')
      .slice(0, 4);
    if (findings.length > 0) {
      sections.push(findings.map((finding) => `• ${chatText(finding.message, SENTENCE)}`).join('\n'));
    }
  }
  if (facts.reviewUrl) sections.push(`*Review:* ${facts.reviewUrl}`);
  return fitSections(sections, CHATBOT_LIMITS.description);
}

function nextSteps(input: MessageInput): string[] {
  const { record } = input;
  const facts = messageFacts(input);
  const proposal = record.proposal;
  const steps: string[] = [];
  if (proposal) {
    if (facts.reviewUrl) {
      steps.push(
        linkMayApproveProposal(proposal)
          ? `Review the proposal: ${facts.reviewUrl}`
          : `Review the proposal (the link cannot approve it): ${facts.reviewUrl}`,
      );
    }
    // A command that can only be refused is not offered.
    if (facts.approveCommand && !notApprovable(proposal))
      steps.push(`Approve: ${chatCode(facts.approveCommand, COMMAND)}`);
    if (facts.rejectCommand) steps.push(`Reject: ${chatCode(facts.rejectCommand, COMMAND)}`);
    const apply = proposal.commands.apply;
    if (apply !== null) steps.push(`Apply: ${chatCode(apply, COMMAND)}`);
    else
      steps.push(
        `Apply by hand: ${chatText(proposal.target.type, NAME)} ${chatCode(proposal.target.name, IDENTIFIER)} (see the email report)`,
      );
    steps.push(`Verify: ${chatCode(proposal.commands.verify, COMMAND)}`);
  } else {
    const advice = renderFindings(record.diagnosis)
      .filter((finding) => finding.kind !== 'near-miss')
      .slice(0, 2);
    steps.push(...advice.map((finding) => chatText(finding.message, SENTENCE)));
  }
  return steps.slice(0, CHATBOT_LIMITS.nextSteps);
}

function keywords(input: MessageInput): string[] {
  const { record } = input;
  const words = [
    'iam:PassRole',
    record.denial.passedToService ?? 'unknown service',
    VERDICT_WORDS[verdictOf(record.diagnosis)] ?? '',
  ];
  if (record.proposal) words.push(`${record.proposal.target.type} ${record.proposal.target.name}`);
  return [...new Set(words.filter((word) => word !== ''))]
    .map((word) => chatText(word, CHATBOT_LIMITS.keyword))
    .slice(0, CHATBOT_LIMITS.keywords);
}

function relatedResources(input: MessageInput): string[] {
  const { denial, proposal } = input.record;
  const candidates = [
    denial.principalArn,
    denial.policySourceArn,
    denial.roleArn,
    proposal?.target.arn ?? null,
  ];
  // Anything else is left out whole: a cut or escaped ARN would link to another resource, or none.
  return [...new Set(candidates.filter((arn): arn is string => arn !== null && isRelatedResourceArn(arn)))];
}

function additionalContext(input: MessageInput): Record<string, string> {
  const { record } = input;
  const context: Record<string, string> = {
    account: record.denial.account,
    region: record.denial.region,
    eventId: record.lastEventId,
    incident: record.incidentKey,
    proposalId: record.id,
    verdict: verdictOf(record.diagnosis),
    occurrences: String(record.occurrenceCount),
  };
  if (record.documentHash !== null) context['documentSha256'] = record.documentHash;
  if (record.organizationAccount !== undefined)
    Object.assign(context, accountContext(record.organizationAccount));
  if (record.proposal !== null) {
    const escalation = record.proposal.escalation;
    context['escalationLevel'] = escalation === undefined ? 'not analysed' : (escalation.level ?? 'unknown');
    context['approvalRequires'] = record.proposal.approval?.requires ?? 'not stated';
  }
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => [key, chatText(value, CHATBOT_LIMITS.contextValue)]),
  );
}

export function renderChatbotNotification(input: MessageInput): ChatbotNotification {
  const facts = messageFacts(input);
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: title(input),
      description: description(input),
      nextSteps: nextSteps(input),
      keywords: keywords(input),
    },
    metadata: {
      threadId: input.record.incidentKey,
      summary: chatText(
        `iam:PassRole denied: ${facts.who} cannot pass ${facts.roleName} to ${facts.service}`,
        200,
      ),
      eventType: CHATBOT_EVENT_TYPES[facts.flavor],
      relatedResources: relatedResources(input),
      additionalContext: additionalContext(input),
    },
  };
}
