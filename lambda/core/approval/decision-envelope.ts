/**
 * What the approval function signs once a proposal is approved: the proposal, its document, its
 * target, the level and the fingerprint of the account as analysed at decision time, who approved,
 * when, and until when the apply step may act on it.
 */
import type { EscalationAnalysis } from '../escalation/model';
import type { IncidentRecord } from '../incident';
import type { Proposal } from '../model';
import type { DecisionApprover, DecisionEnvelope, PermissionSetClaim } from './signed-decision';

export type AnalysedEscalation = Extract<EscalationAnalysis, { kind: 'analysed' }>;

export interface EnvelopeInput {
  record: IncidentRecord & { proposal: Proposal; documentHash: string };
  analysis: AnalysedEscalation;
  approvers: DecisionApprover[];
  /** One-time (a random UUID): the apply step writes IAM at most once per decision id. */
  decisionId: string;
  decidedAt: Date;
}

export function decisionEnvelope(input: EnvelopeInput): Omit<DecisionEnvelope, 'keyId' | 'version'> {
  const { record, analysis } = input;
  const { type, name, arn } = record.proposal.target;
  return {
    decisionId: input.decisionId,
    proposalId: record.id,
    account: record.denial.account,
    documentHash: record.documentHash,
    target: { type, name, arn },
    policyName: record.proposal.policyName,
    escalationLevel: analysis.level,
    rolePoliciesHash: analysis.fingerprint.rolePolicies,
    membershipHash: analysis.fingerprint.membership,
    approvers: input.approvers.map((approver) => ({ ...approver })),
    decidedAt: input.decidedAt.toISOString(),
    expiresAt: record.expiresAt,
    ...permissionSetClaimOf(record),
  };
}

/**
 * A permission set read from Identity Center: the set, the denial's account and the definition hash
 * are signed too. A set the proposal could not read (no ARN or hash) gets no claim, and the apply step
 * refuses a permission-set decision without one.
 */
function permissionSetClaimOf(record: EnvelopeInput['record']): { permissionSet?: PermissionSetClaim } {
  const { type, instanceArn, permissionSetArn, definitionHash } = record.proposal.target;
  if (type !== 'permission-set' || instanceArn === undefined || permissionSetArn === undefined) return {};
  if (definitionHash === undefined) return {};
  return {
    permissionSet: { instanceArn, permissionSetArn, accountId: record.denial.account, definitionHash },
  };
}
