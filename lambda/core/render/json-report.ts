import type { Diagnosis } from '../model';

/**
 * The `--json` contract: one object per denial, keys in a stable order. Other tools parse this,
 * so fields are only ever added, never renamed.
 */
export function toJsonReport(diagnosis: Diagnosis): Record<string, unknown> {
  const { denial, proposal } = diagnosis;
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
      passedToService: denial.passedToService,
      messageCause: denial.messageCause,
      context: denial.context,
      notes: denial.notes,
    },
    verdict: diagnosis.verdict,
    summary: diagnosis.summary,
    reason: diagnosis.reason,
    findings: diagnosis.findings,
    proposal: proposal && {
      target: proposal.target,
      policyName: proposal.policyName,
      document: proposal.document,
      verified: proposal.verified,
      blockers: proposal.blockers,
      risk: proposal.risk,
      commands: proposal.commands,
    },
  };
}

export function toJsonLine(diagnosis: Diagnosis): string {
  return JSON.stringify(toJsonReport(diagnosis));
}
