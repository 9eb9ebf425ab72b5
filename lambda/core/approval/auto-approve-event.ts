/**
 * The direct invoke that asks the approval function to look at a new proposal under the
 * auto-approval rule. Told apart from API Gateway's events strictly: exactly these two keys, nothing
 * else (an event that also carries a made-up requestContext is neither).
 */
import { isProposalId } from './links';

export const AUTO_APPROVE_SOURCE = 'passrole-doctor.auto-approve';

export interface AutoApproveEvent {
  source: typeof AUTO_APPROVE_SOURCE;
  proposalId: string;
}

export function isAutoApproveEvent(event: unknown): event is AutoApproveEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  if (Object.getPrototypeOf(event) !== Object.prototype) return false;
  const keys = Object.keys(event).sort();
  if (keys.length !== 2 || keys[0] !== 'proposalId' || keys[1] !== 'source') return false;
  const { source, proposalId } = event as Record<string, unknown>;
  return source === AUTO_APPROVE_SOURCE && isProposalId(proposalId);
}
