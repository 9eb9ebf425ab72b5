/**
 * The plain-text report for email subscribers: who was denied what, why in one sentence, the near
 * miss, the proposed policy, its target, risks and the commands to apply and verify it. Event-derived
 * text has its control characters removed (a mail client shows what it is given).
 */
import type { Proposal } from '../../model';
import {
  approvalSummary,
  GAIN_LABELS,
  gainWhere,
  levelSummary,
  linkMayApproveProposal,
  notApprovable,
  settingsSourceWords,
  settingsWords,
} from '../escalation-labels';
import { blastRadiusLines, mergedInto } from '../identity-center';
import { plainBlock, plainText, truncate } from './escape';
import { memberPhrase, messageFacts, VERDICT_WORDS } from './facts';
import type { MessageInput } from './types';
import { verdictOf } from '../../diagnosis/derived';
import { renderSummary } from '../diagnosis-summary';
import { FINDING_LABELS } from '../finding-labels';
import { renderFindings } from '../findings';
import { accountLine, accountName } from '../account-label';
import { andAssumed, assumedBy } from '../verification-context';
import { lastSeenWords } from '../occurrence';

/** Per value and overall: the whole SNS message must stay under 256 KB, whatever the event holds. */
const VALUE = 2_000;
const COMMAND = 12_000;
const DOCUMENT = 10_000;
export const EMAIL_MAX = 40_000;

function section(heading: string, lines: string[]): string {
  return [heading, ...lines.map((line) => `  ${line}`)].join('\n');
}

function indentBlock(text: string): string[] {
  return text.split('\n');
}

/** Said under a link that can approve: the threat model's word on what a link is worth. */
const LINK_APPROVES =
  'This link can approve: it carries no identity, so whoever holds it can decide. Do not forward it.';

/** The level and approval lines: near the top and bounded, so cutting an over-long email never reaches them. */
const SUMMARY_LINE = 2_500;
const GAINS_SHOWN = 20;

/** Level and approval, one line each, for the top of every email about a proposal. */
export function escalationLines(proposal: Proposal): string[] {
  return [
    `Level:      ${plainText(levelSummary(proposal), SUMMARY_LINE)}`,
    `Approval:   ${plainText(approvalSummary(proposal), SUMMARY_LINE)}`,
  ];
}

/** The full account: compared with whom, the gains and where R gets them, exposure, settings. */
function escalationDetail(proposal: Proposal, value: (text: string | null) => string): string | null {
  const escalation = proposal.escalation;
  const lines: string[] = [];
  if (escalation?.kind === 'analysed') {
    lines.push(`Compared with: ${value(escalation.comparedWith ?? 'no one (nothing to compare with)')}`);
    for (const gain of escalation.gains.slice(0, GAINS_SHOWN)) {
      const where = gainWhere(gain);
      const actions = gain.actions.length > 0 ? `: ${gain.actions.join(', ')}` : '';
      lines.push(`+ ${value(`${GAIN_LABELS[gain.category]}${actions}${where === '' ? '' : ` [${where}]`}`)}`);
    }
    if (escalation.gains.length > GAINS_SHOWN) {
      lines.push(`+ ${escalation.gains.length - GAINS_SHOWN} more on the review page`);
    }
  }
  for (const line of (escalation?.exposure ?? []).slice(0, GAINS_SHOWN))
    lines.push(`also reachable: ${value(line)}`);
  const rule = proposal.approval;
  if (rule !== undefined) {
    lines.push(
      `Approval settings: ${settingsSourceWords(rule.assumedSettings)} (${settingsWords(rule.assumedSettings)})`,
    );
  }
  return lines.length === 0 ? null : section('What this grant adds', lines);
}

export function renderEmail(input: MessageInput): string {
  const { record } = input;
  const { denial, diagnosis, proposal } = record;
  const facts = messageFacts(input);
  const value = (text: string | null, fallback = 'unknown'): string => plainText(text ?? fallback, VALUE);
  const parts: string[] = [];

  const inAccount = facts.account === null ? '' : ` in ${value(accountName(facts.account))}`;
  parts.push(
    `iam:PassRole denied${inAccount}: ${value(facts.who)} cannot pass ${value(facts.roleName)} to ${value(facts.service)}`,
  );
  if (proposal) parts.push(escalationLines(proposal).join('\n'));
  if (facts.flavor === 'reminder') {
    parts.push(
      `Reminder: this proposal has been pending since ${record.createdAt}. The denial was seen ${record.occurrenceCount} times, ${lastSeenWords(record)}.`,
    );
  } else if (record.occurrenceCount > 1) {
    parts.push(`Seen ${record.occurrenceCount} times, ${lastSeenWords(record)}.`);
  }

  const what = [
    `Who:        ${value(denial.principalArn)} (${value(denial.principalType)})`,
    ...(denial.policySourceArn !== null && denial.policySourceArn !== denial.principalArn
      ? [`IAM entity: ${value(denial.policySourceArn)}`]
      : []),
    ...(denial.permissionSetName !== null ? [`Permission set: ${value(denial.permissionSetName)}`] : []),
    `Call:       ${value(denial.deniedAction)} (${value(denial.eventSource)} ${value(denial.eventName)})`,
    ...(facts.account !== null ? [`Account:    ${value(accountLine(facts.account))}`] : []),
    `Where:      account ${value(denial.account)}, ${value(denial.region)}, at ${value(denial.eventTime)}`,
    `Passing:    ${value(denial.roleArn)} to ${value(denial.passedToService)}`,
    `Event:      ${value(denial.eventId)}`,
  ];
  parts.push(section('What happened', what));
  parts.push(section('Why', [value(renderSummary(diagnosis))]));
  if (facts.nearMiss) parts.push(section('Near miss', [value(facts.nearMiss.message)]));

  // The first near miss has its own section above (facts.nearMiss): the list leaves it out.
  const shown = renderFindings(diagnosis);
  const nearMissAt =
    facts.nearMiss === null ? -1 : shown.findIndex((finding) => finding.kind === 'near-miss');
  const findings = shown.filter((_, index) => index !== nearMissAt);
  if (findings.length > 0) {
    parts.push(
      section(
        'Findings',
        findings
          .slice(0, 20)
          .map((finding) => `- ${FINDING_LABELS[finding.kind]}: ${value(finding.message)}`),
      ),
    );
  }

  if (proposal) {
    const target = `${proposal.target.type} ${value(proposal.target.name)}${memberPhrase(proposal.target.type, proposal.target.memberCount)}`;
    parts.push(
      section('Proposed fix', [
        `Inline policy ${value(proposal.policyName)} on ${target}`,
        proposal.verified
          ? mergedInto(proposal.target)
            ? `Verified by simulation: the request is allowed as the set would be provisioned to account ${value(denial.account)}, with the statement merged${value(andAssumed(assumedBy(record)))}.`
            : `Verified by simulation: the request is allowed with this policy added${value(andAssumed(assumedBy(record)))}.`
          : `NOT verified: still blocked (${value(proposal.blockers.join('; '))}).`,
        '',
        ...indentBlock(plainBlock(JSON.stringify(proposal.document, null, 2), DOCUMENT)),
      ]),
    );
    const reach = blastRadiusLines(proposal.target.blastRadius, denial.account, (text) => value(text));
    if (reach !== null)
      parts.push(section('Who the permission set reaches', [reach.summary, ...reach.assignments]));
    const detail = escalationDetail(proposal, value);
    if (detail !== null) parts.push(detail);
    if (proposal.risk.length > 0) {
      parts.push(
        section(
          'Risk',
          proposal.risk.map((flag) => `! ${value(flag)}`),
        ),
      );
    }
    if (facts.reviewUrl) {
      parts.push(
        linkMayApproveProposal(proposal)
          ? section('Review', [facts.reviewUrl, LINK_APPROVES])
          : section('Review (the link cannot approve it)', [facts.reviewUrl]),
      );
    }
    // A command that can only be refused is not offered.
    const approveCommand = notApprovable(proposal) ? null : facts.approveCommand;
    const commands = [approveCommand, facts.rejectCommand].filter(
      (command): command is string => command !== null,
    );
    if (commands.length > 0) {
      parts.push(section('Approve or reject, signed with your own AWS credentials', commands));
    }
    parts.push(
      section('Apply', [
        proposal.commands.apply === null
          ? 'No CLI command: see the findings for where the statement goes.'
          : plainText(proposal.commands.apply, COMMAND),
      ]),
    );
    parts.push(section('Verify', [plainText(proposal.commands.verify, COMMAND)]));
  } else {
    parts.push(
      section('No policy change proposed', [
        `Verdict: ${VERDICT_WORDS[verdictOf(diagnosis)] ?? verdictOf(diagnosis)}. This incident is reported once; repeats until ${record.expiresAt} are counted, not sent.`,
      ]),
    );
  }

  parts.push(
    [
      `Proposal ${record.id} (status ${record.status}), incident ${record.incidentKey}, expires ${record.expiresAt}.`,
      ...(record.documentHash !== null ? [`Policy document SHA-256: ${record.documentHash}`] : []),
      'Sent by passrole-doctor.',
    ].join('\n'),
  );
  const email = parts.join('\n\n');
  return email.length > EMAIL_MAX
    ? `${truncate(email, EMAIL_MAX - 40)}\n\n[report cut: too long for one message]`
    : email;
}
