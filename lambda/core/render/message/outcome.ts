/**
 * The apply outcome in the team channel: "applied and verified: allowed", "applied, NOT verified:
 * <blockers>", "refused: <reason>" or "failed: <reason>". Same forms as the proposal's message (email,
 * AWS Chatbot, short text) and the same Chatbot thread (threadId = the incident key), so the answer
 * lands under the proposal it answers. Every event-derived string goes through the same escaping.
 */
import type { IncidentRecord } from '../../incident';
import type { ApplyOutcome } from '../../apply/outcome';
import { approvalSummary, levelSummary } from '../escalation-labels';
import { CHATBOT_LIMITS, escalationSections } from './chatbot';
import { escalationLines } from './email';
import { chatCode, chatCodeBlock, chatText, plainBlock, plainText, subjectLine, truncate } from './escape';
import { memberPhrase, messageFacts } from './facts';
import { fitSections, type Section } from './fit';
import type { ChatbotNotification, RenderedMessage } from './types';
import { accountContext, accountSection } from './account';
import { accountLine } from '../account-label';
import { allowedAsVerified, assumedBy, joined } from '../verification-context';

export type ApplyMessageOutcome =
  | { kind: 'verified' }
  | { kind: 'not-verified'; blockers: string[] }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string };

export interface OutcomeMessageInput {
  /** The record as the apply step left it. */
  record: IncidentRecord;
  result: ApplyMessageOutcome;
  /** What the apply step found (read-back, verification); null for a refusal before any write. */
  outcome: ApplyOutcome | null;
  /**
   * Not rendered: a review link needs the proposal's token, which the apply function does not hold,
   * and a tokenless link only opens the 403 page. The outcome message points to the thread instead.
   */
  reviewBaseUrl: string | null;
}

export const OUTCOME_EVENT_TYPE = 'PassRoleApplyOutcome';

const NAME = 48;
const IDENTIFIER = 300;
const SENTENCE = 600;
const EMAIL_VALUE = 2_000;
const EMAIL_MAX = 20_000;

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:[A-Za-z0-9+=,.@_/:-]+$/;

const ICONS: Record<ApplyMessageOutcome['kind'], string> = {
  verified: ':white_check_mark:',
  'not-verified': ':warning:',
  refused: ':no_entry_sign:',
  failed: ':x:',
};

/** The headline's raw text, before escaping for its channel. */
function headline(
  result: ApplyMessageOutcome,
  record: IncidentRecord,
): { lead: string; rest: string | null } {
  switch (result.kind) {
    case 'verified':
      // The context the verification assumed (MFA present, ...) is part of the claim.
      return { lead: `applied and verified: ${allowedAsVerified(record)}`, rest: null };
    case 'not-verified':
      return { lead: 'applied, NOT verified:', rest: result.blockers.join('; ') || 'still not allowed' };
    case 'refused':
      return { lead: 'refused:', rest: result.reason };
    case 'failed':
      return { lead: 'failed:', rest: result.reason };
  }
}

function plainHeadline(result: ApplyMessageOutcome, record: IncidentRecord, max: number): string {
  const { lead, rest } = headline(result, record);
  return rest === null ? lead : `${lead} ${plainText(rest, max)}`;
}

function approvalOf(record: IncidentRecord): { by: string; at: string } | null {
  const approved = record.history.find((event) => event.status === 'approved');
  return approved ? { by: approved.actor.name, at: approved.at } : null;
}

function policyWritten(outcome: ApplyOutcome | null): boolean {
  return outcome !== null && outcome.appliedAt !== null;
}

function verificationLine(outcome: ApplyOutcome | null, record: IncidentRecord): string | null {
  if (outcome === null || !policyWritten(outcome) || outcome.attempts === 0) return null;
  const decision =
    outcome.verification === 'allowed' ? allowedAsVerified(record) : (outcome.verification ?? 'no answer');
  return `${decision} after ${outcome.attempts} simulation${outcome.attempts === 1 ? '' : 's'} (written ${outcome.appliedAt}, finished ${outcome.finishedAt})`;
}

// ---------------------------------------------------------------- AWS Chatbot

function chatbot(input: OutcomeMessageInput): ChatbotNotification {
  const { record, result, outcome } = input;
  const facts = messageFacts({ kind: 'new', record, reviewBaseUrl: null });
  const proposal = record.proposal;
  const { lead, rest } = headline(result, record);
  // Icon and lead take under 40 characters but for `verified`, which has no rest: the title fits its 250.
  const title = `${ICONS[result.kind]} ${chatText(lead, 200)}${rest === null ? '' : ` ${chatText(rest, 180)}`}`;

  const sections: (Section | string)[] = [];
  if (facts.account !== null) sections.push(accountSection(facts.account));
  sections.push(
    `*Denial:* ${chatText(facts.who, NAME)} could not pass ${chatText(facts.roleName, NAME)} to ${chatText(facts.service, NAME)}`,
  );
  if (proposal) {
    sections.push(
      `*Policy:* inline policy ${chatCode(proposal.policyName, IDENTIFIER)} on ${chatText(proposal.target.type, NAME)} ${chatCode(proposal.target.name, IDENTIFIER)}${memberPhrase(proposal.target.type, proposal.target.memberCount)}`,
    );
    sections.push(...escalationSections(proposal));
  }
  const approval = approvalOf(record);
  if (approval) {
    sections.push(`*Approved by:* ${chatCode(approval.by, IDENTIFIER)} at ${chatCode(approval.at, NAME)}`);
  }
  if (result.kind === 'refused') sections.push('*Nothing was written to IAM.*');
  if (result.kind === 'not-verified') {
    sections.push(
      `*Still blocks:*\n${result.blockers
        .slice(0, 4)
        .map((blocker) => `• ${chatText(blocker, SENTENCE)}`)
        .join('\n')}`,
    );
  }
  if (result.kind === 'refused' || result.kind === 'failed') {
    sections.push(`*Why:* ${chatText(result.reason, 1200)}`);
  }
  const verification = verificationLine(outcome, record);
  if (verification) sections.push(`*Verification:* ${chatText(verification, SENTENCE)}`);
  if (proposal && result.kind !== 'refused') {
    sections.push(chatCodeBlock(JSON.stringify(proposal.document, null, 2), 1200));
  }
  if (facts.reviewUrl) sections.push(`*Record:* ${facts.reviewUrl}`);
  const description = fitSections(sections, CHATBOT_LIMITS.description);

  const nextSteps: string[] = [];
  if (result.kind === 'verified') {
    const assumed = assumedBy(record);
    nextSteps.push(
      assumed.length === 0
        ? `${chatText(facts.who, NAME)} can retry the call: IAM now allows passing the role.`
        : `${chatText(facts.who, NAME)} can retry the call with ${chatText(joined(assumed), SENTENCE)}: with that, IAM now allows passing the role.`,
    );
  } else if (result.kind === 'not-verified') {
    nextSteps.push(
      'The policy is in place, but the request is still not allowed: resolve what still blocks.',
    );
  } else if (result.kind === 'refused') {
    nextSteps.push('Check the proposal record: it no longer passes the checks it was approved under.');
  } else if (proposal) {
    const target = `${chatText(proposal.target.type, NAME)} ${chatCode(proposal.target.name, IDENTIFIER)}`;
    nextSteps.push(
      policyWritten(outcome)
        ? `The policy was written: check what ${target} holds in IAM now.`
        : `The write did not complete: check ${target} in IAM before applying by hand.`,
    );
  }
  if (proposal) nextSteps.push(`Verify: ${chatCode(proposal.commands.verify, 1200)}`);

  const keywords = [...new Set(['iam:PassRole', `apply ${result.kind}`, facts.service])].map((word) =>
    chatText(word, CHATBOT_LIMITS.keyword),
  );

  const relatedResources = [
    ...new Set(
      [record.denial.policySourceArn, record.denial.roleArn, proposal?.target.arn ?? null].filter(
        (arn): arn is string => arn !== null && ARN.test(arn) && arn.length <= CHATBOT_LIMITS.relatedResource,
      ),
    ),
  ];
  const context: Record<string, string> = {
    account: record.denial.account,
    incident: record.incidentKey,
    proposalId: record.id,
    status: record.status,
    outcome: result.kind,
  };
  if (record.documentHash !== null) context['documentSha256'] = record.documentHash;
  if (outcome !== null && outcome.appliedAt !== null) context['attempts'] = String(outcome.attempts);
  if (facts.account !== null) Object.assign(context, accountContext(facts.account));

  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title,
      description,
      nextSteps: nextSteps.slice(0, CHATBOT_LIMITS.nextSteps),
      keywords: keywords.slice(0, CHATBOT_LIMITS.keywords),
    },
    metadata: {
      threadId: record.incidentKey,
      summary: chatText(`${facts.roleName} to ${facts.service}: ${plainHeadline(result, record, 150)}`, 200),
      eventType: OUTCOME_EVENT_TYPE,
      relatedResources: relatedResources.slice(0, CHATBOT_LIMITS.relatedResources),
      additionalContext: Object.fromEntries(
        Object.entries(context).map(([key, value]) => [key, chatText(value, CHATBOT_LIMITS.contextValue)]),
      ),
    },
  };
}

// ---------------------------------------------------------------- email and short text

function email(input: OutcomeMessageInput): string {
  const { record, result, outcome } = input;
  const facts = messageFacts({ kind: 'new', record, reviewBaseUrl: null });
  const value = (text: string | null): string => plainText(text ?? 'unknown', EMAIL_VALUE);
  const proposal = record.proposal;
  const lines: string[] = [plainHeadline(result, record, EMAIL_VALUE), ''];
  lines.push(
    `Denial:     ${value(facts.who)} could not pass ${value(facts.roleName)} to ${value(facts.service)}`,
  );
  if (facts.account !== null) lines.push(`Account:    ${value(accountLine(facts.account))}`);
  lines.push(`Principal:  ${value(record.denial.policySourceArn)}`);
  if (proposal) {
    lines.push(
      `Policy:     ${value(proposal.policyName)} on ${proposal.target.type} ${value(proposal.target.name)}${memberPhrase(proposal.target.type, proposal.target.memberCount)}`,
    );
    lines.push(...escalationLines(proposal));
  }
  const approval = approvalOf(record);
  if (approval) lines.push(`Approved:   by ${value(approval.by)} at ${value(approval.at)}`);
  const verification = verificationLine(outcome, record);
  if (verification) lines.push(`Verified:   ${value(verification)}`);
  if (result.kind === 'refused') lines.push('', 'Nothing was written to IAM.');
  if (result.kind === 'failed') {
    lines.push(
      '',
      policyWritten(outcome)
        ? 'The policy was written to IAM: check what the target holds now.'
        : 'The write did not complete: check the target in IAM before applying by hand.',
    );
  }
  if (result.kind === 'not-verified') {
    lines.push('', 'Still blocks:', ...result.blockers.map((blocker) => `  - ${value(blocker)}`));
  }
  if (proposal && result.kind !== 'refused') {
    lines.push(
      '',
      'Policy document:',
      ...plainBlock(JSON.stringify(proposal.document, null, 2), 10_000).split('\n'),
    );
  }
  if (proposal) lines.push('', 'Verify it yourself:', plainText(proposal.commands.verify, 12_000));
  if (facts.reviewUrl) lines.push('', `Record: ${facts.reviewUrl}`);
  lines.push(
    '',
    `Proposal ${record.id} (status ${record.status}), incident ${record.incidentKey}.`,
    ...(record.documentHash !== null ? [`Policy document SHA-256: ${record.documentHash}`] : []),
    'Sent by passrole-doctor.',
  );
  return truncate(lines.join('\n'), EMAIL_MAX);
}

function subject(input: OutcomeMessageInput): string {
  const facts = messageFacts({ kind: 'new', record: input.record, reviewBaseUrl: null });
  const what: Record<ApplyMessageOutcome['kind'], string> = {
    verified: 'Applied and verified',
    'not-verified': 'Applied, NOT verified',
    refused: 'Refused',
    failed: 'Apply failed',
  };
  const where = facts.account === null ? '' : ` in ${facts.account.name}`;
  return subjectLine(
    `[passrole-doctor] ${what[input.result.kind]}${where}: ${facts.who} -> ${facts.roleName}`,
  );
}

function shortText(input: OutcomeMessageInput): string {
  const { record, result } = input;
  const facts = messageFacts({ kind: 'new', record, reviewBaseUrl: null });
  const name = (text: string) => plainText(text, 100);
  // The account line takes ~130 characters from the headline's reason: the budget below still holds.
  const reason = facts.account === null ? 600 : 470;
  const parts = [
    `iam:PassRole fix for ${name(facts.who)} passing ${name(facts.roleName)} to ${name(facts.service)}: ${plainHeadline(result, record, reason)}.`,
  ];
  if (facts.account !== null) parts.push(`Account: ${plainText(accountLine(facts.account), 120)}.`);
  // Bounded, after at most ~950 characters: the 1,500-character cut never reaches them.
  if (record.proposal) {
    parts.push(`Level: ${plainText(levelSummary(record.proposal), 150)}.`);
    parts.push(`Approval: ${plainText(approvalSummary(record.proposal), 300)}.`);
  }
  if (facts.reviewUrl) parts.push(`Record: ${facts.reviewUrl}`);
  parts.push(`Proposal ${record.id}.`);
  return plainText(parts.join(' '), 1_500);
}

export function renderOutcomeMessage(input: OutcomeMessageInput): RenderedMessage {
  return { subject: subject(input), email: email(input), chatbot: chatbot(input), text: shortText(input) };
}
