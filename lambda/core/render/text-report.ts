import { proposalOf, verdictOf } from '../diagnosis/derived';
import type { Diagnosis, Proposal, Verdict } from '../model';
import { renderSummary } from './diagnosis-summary';
import { FINDING_LABELS } from './finding-labels';
import { renderFindings } from './findings';
import { blastRadiusLines, mergedInto } from './identity-center';
import { andAssumed, assumedConditions } from './verification-context';
import {
  GAIN_LABELS,
  gainWhere,
  levelWords,
  NOT_ANALYSED,
  requirementWords,
  settingsSourceWords,
  settingsWords,
} from './escalation-labels';

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Event-derived strings reach a terminal: control characters (ANSI escapes, carriage returns)
 * could rewrite what the reader sees, so they are shown as escapes instead.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const VERDICT_WORDS: Record<Verdict, string> = {
  allowed: 'ALLOWED now',
  explicitDeny: 'EXPLICIT DENY',
  implicitDeny: 'IMPLICIT DENY (no policy allows it)',
  'not-applicable': 'NOT APPLICABLE',
};

/**
 * The verdict line. A cross-account pass is refused by AWS before any policy is evaluated: calling it
 * "no policy allows it" would be untrue, whatever the JSON contract's implicitDeny says.
 */
function verdictWords(diagnosis: Diagnosis): string {
  const crossAccount =
    (diagnosis.outcome === 'unsimulated' && diagnosis.why.kind === 'cross-account') ||
    // A record stored by an earlier release says so in its findings only.
    (diagnosis.outcome === 'recorded' &&
      diagnosis.proposal === null &&
      diagnosis.findings.some((finding) => finding.kind === 'cross-account'));
  if (crossAccount) return 'DENIED (AWS never allows passing a role of another account)';
  return VERDICT_WORDS[verdictOf(diagnosis)];
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** What the grant adds (level, compared with, gains, exposure) and who may approve it. */
function escalationLines(proposal: Proposal): string[] {
  const lines: string[] = [];
  const escalation = proposal.escalation;
  if (escalation === undefined) {
    lines.push(`  What it adds: ${NOT_ANALYSED}`);
  } else if (escalation.kind === 'unknown') {
    lines.push(`  What it adds: unknown, not approvable: ${escalation.reason}`);
  } else {
    lines.push(`  What it adds: ${levelWords(escalation)}`);
    lines.push(`    compared with: ${escalation.comparedWith ?? 'no one (nothing to compare with)'}`);
    for (const gain of escalation.gains) {
      const where = gainWhere(gain);
      const actions = gain.actions.length > 0 ? `: ${gain.actions.join(', ')}` : '';
      lines.push(`    + ${GAIN_LABELS[gain.category]}${actions}${where === '' ? '' : ` [${where}]`}`);
    }
  }
  for (const line of escalation?.exposure ?? []) lines.push(`    also reachable: ${line}`);
  const rule = proposal.approval;
  if (rule === undefined) {
    lines.push(`  Approval: not stated yet: ${NOT_ANALYSED}`);
    return lines;
  }
  lines.push(`  Approval: ${requirementWords(rule)}`);
  lines.push(`    why: ${rule.reason}`);
  if (rule.assumedSettings.source === 'defaults') {
    lines.push(
      `    assuming ${settingsSourceWords(rule.assumedSettings)}: ${settingsWords(rule.assumedSettings)}`,
    );
  }
  return lines;
}

/** The report a person reads in the terminal. */
export function renderTextReport(diagnosis: Diagnosis): string {
  const lines: string[] = [];
  const denial = diagnosis.denial;
  if (denial) {
    lines.push(
      `Denial ${denial.eventId} at ${denial.eventTime ?? 'unknown time'} in ${denial.account} (${denial.region})`,
    );
    lines.push(`  who:      ${denial.principalArn} [${denial.principalType}]`);
    if (denial.policySourceArn && denial.policySourceArn !== denial.principalArn) {
      lines.push(`  entity:   ${denial.policySourceArn}`);
    }
    lines.push(`  call:     ${denial.deniedAction} (${denial.eventSource} ${denial.eventName})`);
    const through =
      denial.instanceProfile === null ? '' : ` (through instance profile ${denial.instanceProfile})`;
    lines.push(
      `  passing:  ${denial.roleArn ?? 'unknown role'}${through} to ${denial.passedToService ?? 'unknown service'}`,
    );
    for (const note of denial.notes) lines.push(`  note:     ${note}`);
  }
  lines.push(`Verdict: ${verdictWords(diagnosis)}`);
  lines.push(`  ${renderSummary(diagnosis)}`);
  const findings = renderFindings(diagnosis);
  if (findings.length > 0) {
    lines.push('Findings:');
    for (const item of findings) {
      const where = item.policy
        ? ` [${item.policy}${item.statement !== null ? ` / ${item.statement}` : ''}]`
        : '';
      lines.push(`  - ${FINDING_LABELS[item.kind]}: ${item.message}${where}`);
    }
  }
  const proposal = proposalOf(diagnosis);
  if (proposal) {
    const members =
      proposal.target.memberCount !== null && proposal.target.type === 'group'
        ? `, ${proposal.target.memberCount} member${proposal.target.memberCount === 1 ? '' : 's'}`
        : '';
    lines.push(
      mergedInto(proposal.target)
        ? `Proposed fix: statement ${proposal.policyName} merged into the inline policy of permission set ${proposal.target.name}`
        : `Proposed fix: inline policy ${proposal.policyName} on ${proposal.target.type} ${proposal.target.name}${members}`,
    );
    const reach = blastRadiusLines(proposal.target.blastRadius, denial?.account ?? 'unknown');
    if (reach !== null) {
      lines.push(`  Reaches: ${reach.summary}`);
      for (const line of reach.assignments) lines.push(`    ${line}`);
    }
    lines.push(indent(JSON.stringify(proposal.document, null, 2), '    '));
    lines.push(
      proposal.verified
        ? `  Verified by simulation: ${mergedInto(proposal.target) ? `allowed as the set would be provisioned to account ${denial?.account ?? 'unknown'}, with the statement merged` : 'allowed with this policy added'}${andAssumed(assumedConditions(diagnosis.denial?.context, proposal.verificationContext))}.`
        : `  NOT verified: still blocked (${proposal.blockers.join('; ')}).`,
    );
    lines.push(...escalationLines(proposal));
    if (proposal.risk.length > 0) {
      lines.push('  Risk:');
      for (const flag of proposal.risk) lines.push(`    ! ${flag}`);
    }
    if (proposal.commands.apply) lines.push(`  Apply:  ${proposal.commands.apply}`);
    lines.push(`  Verify: ${proposal.commands.verify}`);
  }
  return terminalSafe(lines.join('\n'));
}
