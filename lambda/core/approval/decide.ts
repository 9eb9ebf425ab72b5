/**
 * Deciding a pending proposal, by a link holder, an IAM caller or the auto-approval rule: the
 * refusals first (nothing to apply, already decided, expired, a permission set); for an approval, the
 * re-check at decision time (core/approval/recheck.ts: the account read and analysed again), who may
 * approve under the fresh rule (eligibility.ts: separation of duties, approvers, links, levels), the
 * first of two approvals recorded, or the decision signed and stored in the one conditional move
 * forward; then starting the apply. When the apply cannot be started now, the proposal stays
 * approved: the reconciler (core/apply/reconcile.ts) asks for it again. Pure over the ports; what a
 * decision came to is a value, and each step is reported as it happens (for the log).
 */
import { approvableTarget } from './approvable-target';
import { randomUUID } from 'node:crypto';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import type { DecisionStore, TransitionRequest } from '../../ports/approval-store';
import type { DecisionSigner } from '../../ports/decision-signer';
import type { IdentityCenterReader } from '../../ports/identity-center';
import type { RolePathResolver } from '../../ports/role-path-resolver';
import { ConcurrentChangeError } from '../errors';
import type { IncidentRecord } from '../incident';
import type { Proposal } from '../model';
import { decisionEnvelope } from './decision-envelope';
import {
  approvalRefusal,
  approvalsNeeded,
  approverOf,
  AUTO_APPROVE_RULE_NAME,
  type ApprovalRefusal,
  type ApproverClaim,
  type EligibilityFacts,
} from './eligibility';
import { parsePrincipalArn } from '../iam/principal-arn';
import { anyPatternNeedsRolePath, sameIdentity } from './principals';
import { recheckProposal, type RecheckDependencies } from './recheck';
import { checkReviewLink, type LinkDependencies } from './review';
import { readIdentityCenterSeparation } from './identity-center-separation';
import { selfApproval } from './separation';
import { signDecision, type DecisionApprover } from './signed-decision';
import type { Actor } from './status';

export type ApprovalDecision = 'approve' | 'reject';

export interface DecisionRequest {
  decision: ApprovalDecision;
  /** Who decides: its kind says how (a link holder, an IAM caller by its ARN, the auto-approval rule). */
  actor: Actor;
  /** When the request came: the expiry is judged at this instant. */
  now: Date;
  /** Stored with the history entry (an IAM caller may give one); null without. */
  reason: string | null;
}

export type DecisionOutcome =
  /** Moved (rejected, or approved and its apply started); the record as it now stands. */
  | { kind: 'moved'; record: IncidentRecord }
  /** Approved, but the apply could not be started now: it stays approved and is started again later. */
  | { kind: 'apply-deferred'; record: IncidentRecord; reason: string }
  /** The first of two approvals is recorded; the proposal stays pending for a second, distinct one. */
  | { kind: 'first-approval'; record: IncidentRecord; approver: DecisionApprover }
  /** This approver may not approve it now, and why: nothing was written. */
  | { kind: 'refused'; record: IncidentRecord; refusal: ApprovalRefusal }
  /** Someone decided it first, or it was never pending: nothing changed. */
  | { kind: 'conflict'; record: IncidentRecord }
  | { kind: 'expired'; record: IncidentRecord }
  | { kind: 'not-found' }
  /**
   * An Identity Center permission set known only by name (not read from Identity Center): it cannot
   * be applied from here (rejecting it can).
   */
  | { kind: 'permission-set'; record: IncidentRecord }
  /** A diagnosis without a proposal: there is nothing to decide. */
  | { kind: 'no-proposal'; record: IncidentRecord };

/** What a review link's decision came to: the decision's outcomes, or a link that vouches for nothing. */
export type LinkDecisionOutcome = { kind: 'forbidden'; reason: string } | DecisionOutcome;

/** A step that happened, told as it happens so a later failure cannot hide it. */
export type DecisionProgress =
  | { kind: 'decided'; decision: ApprovalDecision; actor: Actor; record: IncidentRecord }
  | { kind: 'approval-recorded'; actor: Actor; record: IncidentRecord }
  | { kind: 'apply-requested'; proposalId: string }
  | { kind: 'apply-deferred'; proposalId: string; cause: unknown };

export interface DecideDependencies extends RecheckDependencies {
  store: DecisionStore;
  applyTrigger: ApplyTrigger;
  /** Signs approvals (the approval function is the only signer). */
  signer: DecisionSigner;
  clock: () => Date;
  /**
   * Identity Center (organization mode with IDENTITY_CENTER_REGION): a permission set's assignments
   * and the deciders' groups, for separation of duties. Absent: an Identity Center user deciding on a
   * permission set is refused (its assignment is unknown).
   */
  identityCenter?: IdentityCenterReader;
  /** Resolves a session's role path for `approvers` patterns that name one; without it they never match. */
  rolePaths?: RolePathResolver;
  newDecisionId?: () => string;
  onProgress?: (progress: DecisionProgress) => void;
}

/** What a deferred apply tells the approver. */
export const APPLY_DEFERRED_REASON =
  'the apply step could not be started right now; it is started again automatically, and the result goes to the channel';

/** How often a decision is tried again when the record changed under it (another approval landed). */
const DECISION_ATTEMPTS = 3;

/** Why `record` cannot take `decision` at `now`, or null when it can. */
export function decisionRefusal(
  record: IncidentRecord,
  decision: ApprovalDecision,
  now: Date,
): DecisionOutcome | null {
  if (record.proposal === null || record.documentHash === null) return { kind: 'no-proposal', record };
  if (record.status !== 'pending') return { kind: 'conflict', record };
  if (now.toISOString() >= record.expiresAt) return { kind: 'expired', record };
  if (decision === 'approve' && !approvableTarget(record.proposal.target)) {
    return { kind: 'permission-set', record };
  }
  return null;
}

type Attempt = DecisionOutcome | { kind: 'retry'; record: IncidentRecord };

/** Decides a loaded record: refusals, the re-check and who may approve, the conditional move, the apply. */
export async function decideProposal(
  deps: DecideDependencies,
  record: IncidentRecord,
  request: DecisionRequest,
): Promise<DecisionOutcome> {
  let current = record;
  for (let attempt = 1; ; attempt++) {
    const outcome = await decideOnce(deps, current, request);
    if (outcome.kind !== 'retry') return outcome;
    if (attempt >= DECISION_ATTEMPTS) {
      throw new ConcurrentChangeError(`proposal ${record.id} kept changing while it was decided`);
    }
    current = outcome.record;
  }
}

async function decideOnce(
  deps: DecideDependencies,
  record: IncidentRecord,
  request: DecisionRequest,
): Promise<Attempt> {
  const refusal = decisionRefusal(record, request.decision, request.now);
  if (refusal !== null) return refusal;
  const { decision, actor, now, reason } = request;
  if (decision === 'reject') {
    const moved = await deps.store.transition(record.id, {
      from: 'pending',
      to: 'rejected',
      actor,
      at: now,
      ...(reason !== null ? { detail: reason } : {}),
    });
    if (moved.kind !== 'moved') return moved;
    deps.onProgress?.({ kind: 'decided', decision, actor, record: moved.record });
    return moved;
  }
  return approve(deps, record as Approvable, request);
}

type Approvable = IncidentRecord & { proposal: Proposal; documentHash: string };

async function approve(
  deps: DecideDependencies,
  record: Approvable,
  request: DecisionRequest,
): Promise<Attempt> {
  const { actor, now, reason } = request;
  const recheck = await recheckProposal(deps, record);
  const refused = (refusal: ApprovalRefusal): DecisionOutcome => ({ kind: 'refused', record, refusal });
  if (recheck.rose !== null) return refused({ kind: 'level-rose', ...recheck.rose });
  const claim = await approverClaim(deps, actor);
  // A permission set's gainers are its assignees: read for the Identity Center users deciding now.
  const deciders = [
    ...(claim.kind === 'iam' ? [claim.callerArn] : []),
    ...(record.approvals ?? []).flatMap((first) => (first.kind === 'iam' ? [first.name] : [])),
  ];
  const identityCenter = await readIdentityCenterSeparation(
    deps.identityCenter,
    record.proposal.target,
    record.denial.account,
    deciders,
  );
  const facts: EligibilityFacts = {
    denial: record.denial,
    target: record.proposal.target,
    gainers: recheck.gainers,
    rule: recheck.rule,
    analysis: recheck.analysis,
    approvers: deps.policy.approvers,
    autoApprove: deps.policy.autoApprove,
    approverAccount: deps.policy.approverAccount ?? null,
    ...(identityCenter !== undefined ? { identityCenter } : {}),
  };
  const refusal = approvalRefusal(claim, facts);
  if (refusal !== null) return refused(refusal);
  // Not-approvable analyses were refused above: an approvable one is analysed.
  if (recheck.analysis.kind !== 'analysed')
    return refused({ kind: 'not-approvable', reason: recheck.rule.reason });
  const approver = approverOf(claim);

  let approvers = [approver];
  let twoApprovers: Pick<TransitionRequest, 'approvals' | 'priorApprovals'> = {};
  if (approvalsNeeded(recheck.rule) === 2) {
    const earlier = record.approvals ?? [];
    if (earlier.some((first) => sameIdentity(first.identity, approver.identity))) {
      return refused({ kind: 'same-approver', identity: approver.identity });
    }
    // Whoever approved first is held to separation of duties as the account stands now.
    for (const first of earlier) {
      const self = first.kind === 'iam' ? selfApproval(first.name, facts) : null;
      if (self !== null) return refused({ kind: 'self-approval', caller: first.name, ...self });
    }
    if (earlier.length === 0) {
      const added = await deps.store.addApproval(record.id, { approver, at: now, priorApprovals: 0 });
      if (added.kind === 'recorded') {
        deps.onProgress?.({ kind: 'approval-recorded', actor, record: added.record });
        return { kind: 'first-approval', record: added.record, approver };
      }
      if (added.kind === 'conflict' && added.record.status === 'pending')
        return { kind: 'retry', record: added.record };
      return added;
    }
    approvers = [...earlier, approver];
    twoApprovers = { approvals: approvers, priorApprovals: earlier.length };
  }

  // A signing failure propagates: nothing is decided without a signature.
  const signed = await signDecision(
    deps.signer,
    decisionEnvelope({
      record,
      analysis: recheck.analysis,
      approvers,
      decisionId: (deps.newDecisionId ?? randomUUID)(),
      decidedAt: now,
    }),
  );
  const moved = await deps.store.transition(record.id, {
    from: 'pending',
    to: 'approved',
    actor,
    at: now,
    ...(reason !== null ? { detail: reason } : {}),
    decision: signed,
    ...twoApprovers,
  });
  if (moved.kind === 'conflict' && moved.record.status === 'pending')
    return { kind: 'retry', record: moved.record };
  if (moved.kind !== 'moved') return moved;
  deps.onProgress?.({ kind: 'decided', decision: 'approve', actor, record: moved.record });
  return startApply(deps, moved.record);
}

/** Who the actor is, with its role's path when an `approvers` pattern needs it. */
async function approverClaim(deps: DecideDependencies, actor: Actor): Promise<ApproverClaim> {
  if (actor.kind === 'link-holder') return { kind: 'link-holder', actor };
  if (actor.kind === 'rule') return { kind: 'rule', actor };
  const caller = parsePrincipalArn(actor.name);
  const rolePath =
    caller.kind === 'session' &&
    deps.rolePaths !== undefined &&
    anyPatternNeedsRolePath(deps.policy.approvers)
      ? await deps.rolePaths.rolePath(caller.account, caller.roleName)
      : null;
  return { kind: 'iam', actor, callerArn: actor.name, rolePath };
}

async function startApply(deps: DecideDependencies, approved: IncidentRecord): Promise<DecisionOutcome> {
  const { store } = deps;
  const id = approved.id;
  try {
    await deps.applyTrigger.requestApply(id);
  } catch (cause) {
    // Nothing more is written: an approved record nobody applies is the reconciler's to start again.
    deps.onProgress?.({ kind: 'apply-deferred', proposalId: id, cause });
    return {
      kind: 'apply-deferred',
      record: (await store.get(id)) ?? approved,
      reason: APPLY_DEFERRED_REASON,
    };
  }
  deps.onProgress?.({ kind: 'apply-requested', proposalId: id });
  // An in-process trigger (the local server) applies before it returns: the record may tell the result.
  return { kind: 'moved', record: (await store.get(id)) ?? approved };
}

/** A decision by the holder of a review link: only a token signed for this record may decide it. */
export async function decideByLink(
  deps: DecideDependencies & LinkDependencies,
  proposalId: string,
  token: string | null,
  request: DecisionRequest,
): Promise<LinkDecisionOutcome> {
  const link = await checkReviewLink(deps, proposalId, token, request.now);
  if (link.kind === 'invalid') return { kind: 'forbidden', reason: link.reason };
  if (link.kind === 'expired') {
    const record = link.record;
    return record.status === 'pending' ? { kind: 'expired', record } : { kind: 'conflict', record };
  }
  return decideProposal(deps, link.record, request);
}

/** A decision by an IAM caller, whose right to decide the AWS_IAM authorizer has checked. */
export async function decideById(
  deps: DecideDependencies,
  proposalId: string,
  request: DecisionRequest,
): Promise<DecisionOutcome> {
  const record = await deps.store.get(proposalId);
  return record === null ? { kind: 'not-found' } : decideProposal(deps, record, request);
}

/** Who the auto-approval rule is, in the history. */
export const AUTO_APPROVE_ACTOR: Actor = {
  kind: 'rule',
  name: AUTO_APPROVE_RULE_NAME,
  sourceIp: null,
  userAgent: null,
};

/**
 * The auto-approval rule (autoApprove: no-new-access): the proposal is read and analysed again, and
 * approved only when the fresh level is a proven `none`. The request that asks for it decides nothing
 * by itself: anything else is refused, and with the setting off nothing is even read.
 */
export async function autoApproveProposal(
  deps: DecideDependencies,
  proposalId: string,
): Promise<DecisionOutcome> {
  const record = await deps.store.get(proposalId);
  if (record === null) return { kind: 'not-found' };
  if (deps.policy.autoApprove !== 'no-new-access') {
    return {
      kind: 'refused',
      record,
      refusal: { kind: 'not-auto-approvable', autoApprove: deps.policy.autoApprove, level: null },
    };
  }
  const request = {
    decision: 'approve' as const,
    actor: AUTO_APPROVE_ACTOR,
    now: deps.clock(),
    reason: null,
  };
  return decideProposal(deps, record, request);
}
