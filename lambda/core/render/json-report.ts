import type { ApprovalRule } from '../approval/requirement';
import type { EscalationAnalysis } from '../escalation/model';
import { proposalOf, verdictOf } from '../diagnosis/derived';
import type { Diagnosis } from '../model';
import { renderReason, renderSummary } from './diagnosis-summary';
import { renderFindings } from './findings';

/**
 * What the grant adds, for the report: the level (null when unknown), the member compared with, the
 * gains and the exposure, and the reason when it is unknown. The fingerprint stays internal.
 */
function escalationReport(escalation: EscalationAnalysis | undefined): Record<string, unknown> | null {
  if (escalation === undefined) return null;
  return {
    level: escalation.level,
    comparedWith: escalation.comparedWith,
    gains: escalation.gains.map((gain) => ({
      category: gain.category,
      actions: gain.actions,
      policy: gain.policy,
      statement: gain.statement,
    })),
    exposure: escalation.exposure,
    reason: escalation.kind === 'unknown' ? escalation.reason : null,
  };
}

function approvalReport(approval: ApprovalRule | undefined): Record<string, unknown> | null {
  if (approval === undefined) return null;
  return { requires: approval.requires, reason: approval.reason, assumedSettings: approval.assumedSettings };
}

/**
 * The `--json` contract: one object per denial, keys in a stable order. Other tools parse this,
 * so fields are only ever added, never renamed. The flat fields (verdict, summary, reason, findings)
 * are derived from the outcome.
 */
export function toJsonReport(diagnosis: Diagnosis): Record<string, unknown> {
  const { denial } = diagnosis;
  const proposal = proposalOf(diagnosis);
  return {
    denial: denial && {
      eventId: denial.eventId,
      eventTime: denial.eventTime,
      account: denial.account,
      region: denial.region,
      eventSource: denial.eventSource,
      eventName: denial.eventName,
      deniedAction: denial.deniedAction,
      principalArn: denial.principalArn,
      principalType: denial.principalType,
      policySourceArn: denial.policySourceArn,
      permissionSetName: denial.permissionSetName,
      roleArn: denial.roleArn,
      instanceProfile: denial.instanceProfile,
      authorizationId: denial.authorizationId,
      authorizationRegion: denial.authorizationRegion,
      passedToService: denial.passedToService,
      messageCause: denial.messageCause,
      context: denial.context,
      notes: denial.notes,
    },
    verdict: verdictOf(diagnosis),
    summary: renderSummary(diagnosis),
    reason: renderReason(diagnosis),
    findings: renderFindings(diagnosis),
    proposal: proposal && {
      target: proposal.target,
      policyName: proposal.policyName,
      document: proposal.document,
      verified: proposal.verified,
      blockers: proposal.blockers,
      risk: proposal.risk,
      commands: proposal.commands,
      // Null only for a proposal made before the escalation analysis existed.
      escalation: escalationReport(proposal.escalation),
      approval: approvalReport(proposal.approval),
      // A permission set's reach (people, accounts, assignments), after the keys that were there first;
      // null for other targets.
      blastRadius: proposal.target.blastRadius ?? null,
    },
    // Added by the outcome redesign: which variant of the diagnosis this is, and for a record that
    // is not applicable, why as a code (the reader's, or the diagnosis's own).
    outcome: diagnosis.outcome,
    reasonCode: reasonCodeOf(diagnosis),
  };
}

export function toJsonLine(diagnosis: Diagnosis): string {
  return JSON.stringify(toJsonReport(diagnosis));
}

function reasonCodeOf(diagnosis: Diagnosis): string | null {
  if (diagnosis.outcome !== 'not-applicable') return null;
  const { why } = diagnosis;
  return why.code === 'not-a-passrole-denial' ? why.readerCode : why.code;
}
