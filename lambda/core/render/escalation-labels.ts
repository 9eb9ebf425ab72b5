/**
 * The words for what a grant adds (core/escalation) and who may approve it (core/approval/requirement),
 * one name per meaning, for every renderer: the review page, the channel messages and the CLI report.
 * Everything here is raw text: each renderer escapes it for where it lands.
 */
import { approvableTarget } from '../approval/approvable-target';
import type { ApprovalMode } from '../approval/links';
import type { ApprovalRequirement, ApprovalRule, AssumedSettings } from '../approval/requirement';
import type { EscalationAnalysis, EscalationLevel, GainCategory } from '../escalation/model';
import type { Proposal } from '../model';

export const LEVEL_LABELS: Record<EscalationLevel, string> = {
  none: 'none: the grant gives no one new access',
  contained: 'contained: new access, none of it sensitive',
  sensitive: 'sensitive: new access to sensitive actions',
  admin: 'admin: effectively everything (administrator access)',
};

export const GAIN_LABELS: Record<GainCategory, string> = {
  admin: 'effectively everything',
  'iam-write': 'IAM writes',
  'organizations-write': 'Organizations writes',
  'assume-role': 'sts:AssumeRole beyond named roles',
  'code-execution': 'code or command execution as other identities',
  secrets: 'secrets and key material',
  'own-resources': "this deployment's own resources",
  'data-write': 'whole-account data writes',
  other: 'other new access',
};

/** Who approves under a requirement, by how the deployment lets people approve. */
function oneApproverWords(mode: ApprovalMode): string {
  const how = { link: 'review link', iam: 'IAM route', both: 'review link or IAM route' }[mode];
  return `one approver who does not gain it (${how})`;
}

export const REQUIREMENT_LABELS: Record<Exclude<ApprovalRequirement, 'one-approver'>, string> = {
  'iam-approver': 'one IAM approver listed in approvers (a review link cannot approve it)',
  'two-approvers': 'two distinct IAM approvers listed in approvers (a review link cannot approve it)',
  'not-approvable': 'no one: it is not approvable',
};

export function requirementWords(rule: ApprovalRule): string {
  return rule.requires === 'one-approver'
    ? oneApproverWords(rule.assumedSettings.approvalMode)
    : REQUIREMENT_LABELS[rule.requires];
}

/** How many approvals a requirement needs (0 when no one may approve). */
export function approvalsNeeded(requires: ApprovalRequirement): number {
  return { 'one-approver': 1, 'iam-approver': 1, 'two-approvers': 2, 'not-approvable': 0 }[requires];
}

/** "the deployment's approval settings" or "the default approval settings". */
export function settingsSourceWords(settings: AssumedSettings): string {
  return settings.source === 'defaults'
    ? 'the default approval settings'
    : "the deployment's approval settings";
}

/** The settings a requirement was derived under, in a few words. */
export function settingsWords(settings: AssumedSettings): string {
  return [
    `approvalMode ${settings.approvalMode}`,
    settings.approversConfigured ? 'approvers listed' : 'no approvers listed',
    `allowAdminRoles ${String(settings.allowAdminRoles)}`,
    `autoApprove ${settings.autoApprove}`,
  ].join(', ');
}

/** The level in words: the level's label, and for `sensitive` the kinds of sensitive access gained. */
export function levelWords(escalation: EscalationAnalysis): string {
  if (escalation.kind === 'unknown') return `unknown: ${escalation.reason}`;
  if (escalation.level !== 'sensitive') return LEVEL_LABELS[escalation.level];
  const kinds = [...new Set(escalation.gains.map((gain) => gain.category))]
    .filter((category) => category !== 'other')
    .map((category) => GAIN_LABELS[category]);
  return kinds.length === 0 ? LEVEL_LABELS.sensitive : `sensitive: new access to ${kinds.join(', ')}`;
}

/** Said of a proposal stored before the analysis existed (no `escalation` or `approval`). */
export const NOT_ANALYSED = 'not analysed yet (this proposal predates the escalation analysis)';

/**
 * What the grant adds, in one line for every message about a proposal: the level in words, or that it
 * is unknown (never approvable) or not analysed yet. The level comes first, so a cut tail keeps it.
 */
export function levelSummary(proposal: Pick<Proposal, 'escalation'>): string {
  const escalation = proposal.escalation;
  if (escalation === undefined) return NOT_ANALYSED;
  if (escalation.kind === 'unknown') return `unknown, not approvable: ${escalation.reason}`;
  return levelWords(escalation);
}

/** Who may approve, in one line: "<who> (assuming the default ...). Why: <reason>". */
export function approvalSummary(proposal: Pick<Proposal, 'approval'>): string {
  const rule = proposal.approval;
  if (rule === undefined) return `not stated yet: ${NOT_ANALYSED}`;
  const defaults =
    rule.assumedSettings.source === 'defaults'
      ? ` (assuming ${settingsSourceWords(rule.assumedSettings)})`
      : '';
  return `${requirementWords(rule)}${defaults}. Why: ${rule.reason}`;
}

/**
 * Whether a review link may approve this proposal, as far as the proposal itself says: only an
 * analysed proposal whose requirement is one approver. Anything missing or unknown says no.
 */
export function linkMayApproveProposal(
  proposal: Pick<Proposal, 'escalation' | 'approval' | 'target'>,
): boolean {
  return (
    approvableTarget(proposal.target) &&
    proposal.escalation?.kind === 'analysed' &&
    proposal.approval?.requires === 'one-approver' &&
    proposal.approval.assumedSettings.approvalMode !== 'iam'
  );
}

/**
 * Whether the proposal itself says no one may approve it: its analysis is unknown, or its requirement
 * is `not-approvable`. A proposal stored before the analysis is not known to be either.
 */
export function notApprovable(proposal: Pick<Proposal, 'escalation' | 'approval'>): boolean {
  return proposal.escalation?.kind === 'unknown' || proposal.approval?.requires === 'not-approvable';
}

/** Where R gets a gain: "policy X, statement 0", raw; empty when the analysis could not say. */
export function gainWhere(gain: { policy: string | null; statement: string | null }): string {
  if (gain.policy === null) return gain.statement === null ? '' : `statement ${gain.statement}`;
  return gain.statement === null
    ? `policy ${gain.policy}`
    : `policy ${gain.policy}, statement ${gain.statement}`;
}
