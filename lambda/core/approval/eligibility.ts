/**
 * Who may approve what, as values: whether this approver (a link holder, an IAM caller, the
 * auto-approval rule) may approve a proposal under the rule re-derived at decision time, and why not.
 * The sentences are made from these values by the renderers (views.ts refusalSentence). Pure.
 */
import type { EscalationAnalysis, EscalationLevel } from '../escalation/model';
import type { ApprovalRequirement, ApprovalRule, AutoApprove } from './requirement';
import { parsePrincipalArn } from '../iam/principal-arn';
import { approverIdentity, matchApprover } from './principals';
import { selfApproval, type SelfApprovalReason, type SeparationFacts } from './separation';
import type { DecisionApprover } from './signed-decision';
import type { Actor } from './status';

export const AUTO_APPROVE_RULE_NAME = 'autoApprove: no-new-access';

export type ApprovalRefusal =
  /** No one may approve it (the level is unknown, admin without allowAdminRoles, no approvers set...). */
  | { kind: 'not-approvable'; reason: string }
  /** The level is higher now than when the proposal was made (or can no longer be known). */
  | { kind: 'level-rose'; from: EscalationLevel; to: EscalationLevel | null }
  /** A review link carries no identity: it approves `none` and `contained` only. */
  | { kind: 'link-may-not-approve'; level: EscalationLevel | null; requires: ApprovalRequirement }
  /** The caller is not in `approvers` (or a pattern naming a role path could not be checked). */
  | { kind: 'not-an-approver'; caller: string; approversConfigured: boolean; unresolvedPath: boolean }
  /** Separation of duties: the caller is the denied principal or would gain the grant. */
  | { kind: 'self-approval'; caller: string; reason: SelfApprovalReason; principal: string }
  /** Organization mode: the IAM caller is not a principal of the hub's account. */
  | { kind: 'foreign-approver'; caller: string; account: string | null; approverAccount: string }
  /** The second of two approvals comes from the human who gave the first. */
  | { kind: 'same-approver'; identity: string }
  /** The auto-approval rule approves only a proven `none` with autoApprove on. */
  | { kind: 'not-auto-approvable'; autoApprove: AutoApprove; level: EscalationLevel | null };

/** Who is approving, as the request shows it. */
export type ApproverClaim =
  | { kind: 'link-holder'; actor: Actor }
  | { kind: 'iam'; actor: Actor; callerArn: string; rolePath: string | null }
  | { kind: 'rule'; actor: Actor };

export function approverOf(claim: ApproverClaim): DecisionApprover {
  switch (claim.kind) {
    case 'iam':
      return { kind: 'iam', name: claim.callerArn, identity: approverIdentity(claim.callerArn) };
    case 'link-holder': {
      const { sourceIp, userAgent } = claim.actor;
      const identity = `link holder from ${sourceIp ?? 'an unknown address'}${userAgent ? ` (${userAgent})` : ''}`;
      return { kind: 'link-holder', name: 'link holder', identity };
    }
    case 'rule':
      return { kind: 'rule', name: AUTO_APPROVE_RULE_NAME, identity: AUTO_APPROVE_RULE_NAME };
  }
}

export interface EligibilityFacts extends SeparationFacts {
  rule: ApprovalRule;
  analysis: EscalationAnalysis;
  approvers: readonly string[];
  autoApprove: AutoApprove;
  /** Organization mode: the account IAM approvers must belong to (the hub's); null in single-account. */
  approverAccount?: string | null;
}

/** Why this approver may not approve under `facts`, or null when it may. */
export function approvalRefusal(claim: ApproverClaim, facts: EligibilityFacts): ApprovalRefusal | null {
  const { rule, analysis } = facts;
  if (rule.requires === 'not-approvable') return { kind: 'not-approvable', reason: rule.reason };
  switch (claim.kind) {
    case 'rule':
      // A proven `none` in a sensitive account needs an IAM approver: the rule is no one.
      return facts.autoApprove === 'no-new-access' &&
        rule.requires === 'one-approver' &&
        analysis.kind === 'analysed' &&
        analysis.level === 'none'
        ? null
        : { kind: 'not-auto-approvable', autoApprove: facts.autoApprove, level: analysis.level };
    case 'link-holder':
      return rule.requires === 'one-approver'
        ? null
        : { kind: 'link-may-not-approve', level: analysis.level, requires: rule.requires };
    case 'iam':
      return iamRefusal(claim.callerArn, claim.rolePath, facts);
  }
}

/**
 * An IAM caller: in organization mode a principal of the hub's account only; separation of duties
 * always; above `contained`, only a listed approver.
 */
export function iamRefusal(
  callerArn: string,
  rolePath: string | null,
  facts: EligibilityFacts,
): ApprovalRefusal | null {
  const approverAccount = facts.approverAccount ?? null;
  if (approverAccount !== null) {
    const caller = parsePrincipalArn(callerArn);
    const account = caller.kind === 'other' ? null : caller.account;
    if (account !== approverAccount) {
      return { kind: 'foreign-approver', caller: callerArn, account, approverAccount };
    }
  }
  const self = selfApproval(callerArn, facts);
  if (self !== null) return { kind: 'self-approval', caller: callerArn, ...self };
  if (facts.rule.requires === 'one-approver') return null;
  const match = matchApprover(facts.approvers, callerArn, rolePath);
  if (match.matched) return null;
  return {
    kind: 'not-an-approver',
    caller: callerArn,
    approversConfigured: facts.approvers.length > 0,
    unresolvedPath: match.unresolvedPath,
  };
}

/** How many distinct approvals the rule needs. */
export function approvalsNeeded(rule: ApprovalRule): number {
  return rule.requires === 'two-approvers' ? 2 : 1;
}
