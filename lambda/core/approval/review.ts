/**
 * Reading proposals for the people who decide them: the review page behind a signed link (which
 * never writes: mail scanners and chat link previews fetch links), and the pending list the IAM
 * routes answer with. Pure over the ApprovalStore port; what a request came to is a value.
 */
import type { ApprovalStore } from '../../ports/approval-store';
import type { LinkMacVerifier } from '../../ports/link-mac';
import type { IncidentRecord } from '../incident';
import type { ReviewEvent } from '../render/review-page';
import { approvalClaimsOf, isProposalId } from './links';
import { recheckProposal, withAnalysis, type RecheckDependencies } from './recheck';
import { approvalRequirement } from './requirement';
import { verifyApprovalToken } from './token';
import { reviewHistory } from './views';

export interface LinkDependencies {
  store: Pick<ApprovalStore, 'get'>;
  /** Checks a link's MAC (KMS VerifyMac in the approval function): the key never leaves KMS. */
  linkMac: LinkMacVerifier;
}

export type LinkCheck =
  | { kind: 'valid'; record: IncidentRecord }
  /** The token was signed for this record, but its expiry has passed. */
  | { kind: 'expired'; record: IncidentRecord }
  /** Why the link vouches for nothing: for the log only, never told to the caller. */
  | { kind: 'invalid'; reason: string };

/** The record behind a review link, if the token is the one signed for it. */
export async function checkReviewLink(
  deps: LinkDependencies,
  proposalId: string,
  token: unknown,
  now: Date,
): Promise<LinkCheck> {
  if (!isProposalId(proposalId)) return { kind: 'invalid', reason: 'not a proposal id' };
  if (typeof token !== 'string' || token === '') return { kind: 'invalid', reason: 'no token' };
  const record = await deps.store.get(proposalId);
  if (record === null) return { kind: 'invalid', reason: 'unknown proposal' };
  const claims = approvalClaimsOf(record);
  if (claims === null) return { kind: 'invalid', reason: 'nothing to review' };
  // A record the hub stored (it names its organization account) never takes a pre-account link.
  const check = await verifyApprovalToken(token, claims, deps.linkMac, now, {
    acceptLegacy: record.organizationAccount === undefined,
  });
  if (check.ok) return { kind: 'valid', record };
  return check.reason === 'expired'
    ? { kind: 'expired', record }
    : { kind: 'invalid', reason: 'wrong token' };
}

export type ReviewOutcome =
  /** Wrong, tampered or missing token, or no such proposal: the caller learns nothing more. */
  | { kind: 'forbidden'; reason: string }
  /** A pending proposal past its expiry: gone for good. */
  | { kind: 'expired'; record: IncidentRecord }
  /**
   * The review page; `token` (for the decision forms) is null once the link has expired.
   * `linkMayApprove`: whether the page may offer Approve (a link approves `none` and `contained` only;
   * Reject stays). The record carries its escalation analysis and approval rule (analysed now for
   * proposals stored before the analysis existed; nothing is written).
   */
  | {
      kind: 'page';
      record: IncidentRecord;
      history: ReviewEvent[];
      token: string | null;
      linkMayApprove: boolean;
    };

/** What the holder of a review link may see: the page, or why not. */
export async function reviewByLink(
  deps: LinkDependencies & RecheckDependencies,
  proposalId: string,
  token: string | undefined,
  now: Date,
): Promise<ReviewOutcome> {
  const link = await checkReviewLink(deps, proposalId, token, now);
  if (link.kind === 'invalid') return { kind: 'forbidden', reason: link.reason };
  const record = link.record;
  // Past the expiry a pending proposal is gone for good; a decided one still shows what happened.
  if (link.kind === 'expired' && record.status === 'pending') return { kind: 'expired', record };
  const view = await decisionView(deps, record);
  return {
    kind: 'page',
    record: view.record,
    history: reviewHistory(record),
    token: link.kind === 'valid' ? (token ?? null) : null,
    linkMayApprove: view.linkMayApprove,
  };
}

/**
 * A record as the people deciding it see it: a pending proposal stored before the escalation analysis
 * existed is analysed now (the same re-check an approval runs; nothing is written), and whether a
 * review link may approve it under the deployment's settings. Decided records are shown as they are.
 */
export async function decisionView(
  deps: RecheckDependencies,
  record: IncidentRecord,
): Promise<{ record: IncidentRecord; linkMayApprove: boolean }> {
  const proposal = record.proposal;
  if (record.status !== 'pending' || proposal === null) return { record, linkMayApprove: false };
  if (proposal.escalation === undefined) {
    const recheck = await recheckProposal(deps, { ...record, proposal });
    return {
      record: withAnalysis({ ...record, proposal }, recheck),
      linkMayApprove: recheck.rule.requires === 'one-approver',
    };
  }
  const rule = approvalRequirement(
    proposal.escalation,
    proposal.target,
    deps.policy,
    'deployment',
    record.denial.account,
  );
  const shown =
    proposal.approval === undefined ? { ...record, proposal: { ...proposal, approval: rule } } : record;
  return { record: shown, linkMayApprove: rule.requires === 'one-approver' };
}

/** The pending proposals an IAM caller may still decide, newest first (expired ones left out). */
export async function listOpenProposals(
  store: Pick<ApprovalStore, 'listByStatus'>,
  limit: number,
  now: Date,
): Promise<IncidentRecord[]> {
  const pending = await store.listByStatus('pending', limit);
  return pending.filter((record) => record.expiresAt > now.toISOString());
}
