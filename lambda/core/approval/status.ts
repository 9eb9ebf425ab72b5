import type { IncidentStatus } from '../incident';

/**
 * A proposal's life. Status only moves forward (the store enforces each step with a conditional
 * write on the current status): pending -> approved -> applied -> verified | not-verified, any of the
 * apply steps -> failed, pending -> rejected. A `reported` diagnosis has nothing to approve.
 * The union itself lives with the record (core/incident.ts): one status type for the whole product.
 */
export type { IncidentStatus };

const NEXT: Record<IncidentStatus, readonly IncidentStatus[]> = {
  pending: ['approved', 'rejected'],
  reported: [],
  approved: ['applied', 'failed'],
  applied: ['verified', 'not-verified', 'failed'],
  rejected: [],
  verified: [],
  'not-verified': [],
  failed: [],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return NEXT[from].includes(to);
}

export function isDecided(status: IncidentStatus): boolean {
  return status !== 'pending';
}

/**
 * Who moved a proposal, when and from where: an IAM principal, whoever held the link, or the
 * auto-approval rule.
 */
export interface Actor {
  kind: 'iam' | 'link-holder' | 'rule';
  /** The approver's ARN for IAM; 'link holder'; the rule's name ('autoApprove: no-new-access'). */
  name: string;
  sourceIp: string | null;
  userAgent: string | null;
}
