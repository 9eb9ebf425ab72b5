/**
 * The review page's account of what a grant really adds and who may approve it: "What this grant
 * adds" (level, the member compared with, the gains and where R gets them, the exposure) and "Who may
 * approve" (the requirement, why, under which settings, the approvals collected so far). Every value
 * goes through escapeHtml: gains, policy names and ARNs come from the account and the event.
 */
import type { DecisionApprover } from '../approval/signed-decision';
import type { EscalationGain } from '../escalation/model';
import type { Proposal } from '../model';
import {
  approvalsNeeded,
  GAIN_LABELS,
  gainWhere,
  levelWords,
  NOT_ANALYSED,
  requirementWords,
  settingsSourceWords,
  settingsWords,
} from './escalation-labels';
import { escapeHtml } from './html';

function rows(items: [string, string][], id: string): string {
  return `<dl id="${id}">${items.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

function gainItem(gain: EscalationGain): string {
  const where = gainWhere(gain);
  const actions = gain.actions.length > 0 ? `: ${gain.actions.join(', ')}` : '';
  return `<li><strong>${escapeHtml(GAIN_LABELS[gain.category])}</strong>${escapeHtml(actions)}${where === '' ? '' : ` <span class="muted">(${escapeHtml(where)})</span>`}</li>`;
}

/** "What this grant adds": the level in words, who it was compared with, the gains and the exposure. */
export function escalationSection(proposal: Proposal): string {
  const heading = '<h2>What this grant adds</h2>';
  const escalation = proposal.escalation;
  if (escalation === undefined) {
    return `${heading}<p id="escalation" class="muted">${escapeHtml(`It is ${NOT_ANALYSED}, so it is not known what the grant adds.`)}</p>`;
  }
  const exposure =
    escalation.exposure.length > 0
      ? `<p>Also within the role's reach, as the account data shows it:</p><ul id="exposure">${escalation.exposure.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`
      : '';
  if (escalation.kind === 'unknown') {
    return `${heading}<p id="escalation" class="risk"><span class="status">unknown</span> ${escapeHtml(`What the grant adds could not be worked out: ${escalation.reason}. It is not approvable.`)}</p>${exposure}`;
  }
  const gains =
    escalation.gains.length > 0
      ? `<p>What the role can do that ${escalation.comparedWith === null ? 'those who gain it' : 'the member compared with'} cannot already do, and where the role gets it:</p><ul id="gains" class="risk">${escalation.gains.map(gainItem).join('')}</ul>`
      : '<p id="gains" class="muted">No new access.</p>';
  return `${heading}${rows(
    [
      ['Level', levelWords(escalation)],
      [
        'Compared with',
        escalation.comparedWith === null
          ? 'no one (nothing to compare with)'
          : `${escalation.comparedWith} (the least-privileged of those who gain it)`,
      ],
    ],
    'escalation',
  )}${gains}${exposure}`;
}

function approvalsSoFar(approvals: readonly DecisionApprover[], needed: number): string {
  const who = approvals.map((approver) => approver.name).join('; ');
  return `${approvals.length} of ${needed}${who === '' ? '' : `: ${who}`}`;
}

/** "Who may approve": the requirement, why, the settings it assumes, the approvals collected so far. */
export function approvalSection(
  proposal: Proposal,
  approvals: readonly DecisionApprover[] | undefined,
): string {
  const heading = '<h2>Who may approve</h2>';
  const rule = proposal.approval;
  if (rule === undefined) {
    return `${heading}<p id="approval" class="muted">${escapeHtml(`Not stated yet: it is ${NOT_ANALYSED}. A review link does not approve it.`)}</p>`;
  }
  const settings = `${settingsSourceWords(rule.assumedSettings)} (${settingsWords(rule.assumedSettings)})`;
  const items: [string, string][] = [
    ['Requires', requirementWords(rule)],
    ['Why', rule.reason],
    ['Under', settings],
  ];
  const needed = approvalsNeeded(rule.requires);
  if (rule.requires === 'two-approvers' || (approvals !== undefined && approvals.length > 0 && needed > 0)) {
    items.push(['Approvals so far', approvalsSoFar(approvals ?? [], needed)]);
  }
  return `${heading}${rows(items, 'approval')}`;
}

/**
 * Said beside a link's Approve button: what a link is worth, as the threat model states it (README,
 * "Who can approve what").
 */
export const LINK_THREAT_SENTENCE =
  'A review link carries no identity: whoever holds it can approve, including the person who was denied if they can read the channel, and the approval is recorded as "link holder" with the IP address and browser. A deployment with approvalMode=iam removes approval by link.';
