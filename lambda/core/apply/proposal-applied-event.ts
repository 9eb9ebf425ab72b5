/**
 * The public `Proposal Applied` EventBridge event (source `passrole-doctor`): one per apply outcome,
 * what downstream automation filters and acts on. Its detail is a published contract: a field may be
 * added, never renamed, retyped or removed (test/core/apply/proposal-applied-event.test.ts pins it).
 */
import type { IncidentRecord, IncidentStatus } from '../incident';
import type { Decision, ProposalTargetType } from '../model';
import type { ApplyMessageOutcome } from '../render/message/outcome';
import type { ApplyOutcome } from './outcome';

/** The EventBridge detail-type of every apply outcome. */
export const PROPOSAL_APPLIED_DETAIL_TYPE = 'Proposal Applied';

/** The detail of a `Proposal Applied` event. A type alias, so it is a JSON record as the port takes it. */
export type ProposalAppliedDetail = {
  proposalId: string;
  incidentKey: string;
  /** The account of the denial. */
  account: string;
  /** Where the policy goes; null for a record without a proposal. */
  target: { type: ProposalTargetType; name: string; arn: string | null } | null;
  policyName: string | null;
  /** The IAM entity whose policies decide (the role behind a session). */
  principalArn: string | null;
  /** The role that could not be passed. */
  roleArn: string | null;
  /** The service it was passed to. */
  service: string | null;
  /** The record's final status: a refusal is `failed` too (see `reason`). */
  status: Extract<IncidentStatus, 'verified' | 'not-verified' | 'failed'>;
  /** Whether the policy was written to IAM. */
  policyWritten: boolean;
  /** Why it was refused or failed; null otherwise. */
  reason: string | null;
  /** The re-simulation after the write; null when nothing was written. */
  verification: { decision: Decision | null; blockers: string[]; attempts: number } | null;
  /** SHA-256 of the approved document's canonical JSON. */
  documentSha256: string | null;
};

const EVENT_STATUS: Record<ApplyMessageOutcome['kind'], ProposalAppliedDetail['status']> = {
  verified: 'verified',
  'not-verified': 'not-verified',
  refused: 'failed',
  failed: 'failed',
};

/** The detail of an outcome's event; `outcome` is null for a refusal announced as it is decided. */
export function appliedEventDetail(
  record: IncidentRecord,
  result: ApplyMessageOutcome,
  outcome: ApplyOutcome | null,
): ProposalAppliedDetail {
  const proposal = record.proposal;
  return {
    proposalId: record.id,
    incidentKey: record.incidentKey,
    account: record.denial.account,
    target: proposal
      ? { type: proposal.target.type, name: proposal.target.name, arn: proposal.target.arn }
      : null,
    policyName: proposal?.policyName ?? null,
    principalArn: record.denial.policySourceArn,
    roleArn: record.denial.roleArn,
    service: record.denial.passedToService,
    status: EVENT_STATUS[result.kind],
    policyWritten: outcome?.appliedAt != null,
    reason: result.kind === 'refused' || result.kind === 'failed' ? result.reason : null,
    verification:
      outcome === null || outcome.appliedAt === null
        ? null
        : { decision: outcome.verification, blockers: outcome.blockers, attempts: outcome.attempts },
    documentSha256: record.documentHash,
  };
}
