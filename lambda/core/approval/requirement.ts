/**
 * Who may approve a proposal, as a function of what it really grants (the escalation level), the
 * deployment's approval settings and the proposal's target. Pure: the diagnose function states it
 * with the proposal, the approval function re-derives it at decision time and enforces it.
 */
import type { EscalationAnalysis } from '../escalation/model';
import type { ProposalTarget, ProposalTargetType } from '../model';
import { iamApprovalEnabled, type ApprovalMode } from './links';

/**
 * `one-approver`: one person who does not gain the grant, by review link or on the IAM routes (any
 * IAM caller: `approvers` limits only what is above `contained`); `iam-approver`: one IAM approver listed in
 * `approvers`; `two-approvers`: two distinct IAM approvers from `approvers`; `not-approvable`: no one.
 */
export type ApprovalRequirement = 'one-approver' | 'iam-approver' | 'two-approvers' | 'not-approvable';

export type AutoApprove = 'off' | 'no-new-access';

/** The deployment's approval settings. */
export interface ApprovalPolicySettings {
  approvalMode: ApprovalMode;
  /** IAM principal ARN patterns (`*` and `?` wildcards) allowed to approve on the IAM routes. */
  approvers: readonly string[];
  /** Whether `admin` grants may be approved at all (by two distinct approvers). */
  allowAdminRoles: boolean;
  autoApprove: AutoApprove;
  /** Organization mode: accounts whose grants need one step more (sensitiveRequirement). */
  sensitiveAccounts?: readonly string[];
  /**
   * Organization mode: the hub's account. Approvers on the IAM routes must be its principals; a
   * caller of any other account is refused (eligibility.ts).
   */
  approverAccount?: string | null;
  /**
   * A permission set assigned to more people than this in the denial's account (or to an unknown
   * number) needs at least one listed IAM approver; DEFAULT_PERMISSION_SET_PEOPLE_LIMIT when absent.
   */
  permissionSetPeopleLimit?: number;
}

/**
 * One team's size: a set held by more people reaches some the approver may not know, so a review
 * link (whoever holds it) no longer suffices, as for sensitive access.
 */
export const DEFAULT_PERMISSION_SET_PEOPLE_LIMIT = 10;

/** What the requirement reads of the target: its type, and for a permission set what was read of it. */
export type RequirementTarget = Pick<ProposalTarget, 'type' | 'blastRadius' | 'definitionHash'>;

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicySettings = {
  approvalMode: 'both',
  approvers: [],
  allowAdminRoles: false,
  autoApprove: 'off',
};

/** The settings a requirement was derived under, and whether they are a deployment's or the defaults. */
export interface AssumedSettings {
  source: 'deployment' | 'defaults';
  approvalMode: ApprovalMode;
  approversConfigured: boolean;
  allowAdminRoles: boolean;
  autoApprove: AutoApprove;
}

export interface ApprovalRule {
  requires: ApprovalRequirement;
  /** One sentence saying why, for the page, the message and the CLI. */
  reason: string;
  assumedSettings: AssumedSettings;
}

export function assumedSettingsOf(
  settings: ApprovalPolicySettings,
  source: AssumedSettings['source'],
): AssumedSettings {
  return {
    source,
    approvalMode: settings.approvalMode,
    approversConfigured: settings.approvers.length > 0,
    allowAdminRoles: settings.allowAdminRoles,
    autoApprove: settings.autoApprove,
  };
}

/**
 * What approving a proposal with this analysis and target needs under these settings; one step more
 * when `accountId` (the denial's) is one of the settings' sensitiveAccounts.
 */
export function approvalRequirement(
  escalation: EscalationAnalysis,
  target: ProposalTargetType | RequirementTarget,
  settings: ApprovalPolicySettings,
  source: AssumedSettings['source'],
  accountId: string | null = null,
): ApprovalRule {
  const shape = typeof target === 'string' ? { type: target } : target;
  const base = baseRequirement(escalation, shape, settings, source);
  const rule = shape.type === 'permission-set' ? raisedForBlastRadius(base, shape, settings) : base;
  const sensitive = accountId !== null && (settings.sensitiveAccounts ?? []).includes(accountId);
  return sensitive ? raisedForSensitiveAccount(rule, settings, accountId) : rule;
}

/**
 * One step more for a sensitive account: what one approver (or a link) could approve needs a listed
 * IAM approver, and what one listed approver could approve needs two. Two approvers is the top step
 * and stays; what no one may approve stays so.
 */
export function raisedForSensitiveAccount(
  rule: ApprovalRule,
  settings: ApprovalPolicySettings,
  accountId: string,
): ApprovalRule {
  const raised = (requires: ApprovalRequirement, reason: string): ApprovalRule => ({
    ...rule,
    requires,
    reason,
  });
  const configured = iamApprovalEnabled(settings.approvalMode) && settings.approvers.length > 0;
  switch (rule.requires) {
    case 'one-approver':
      return configured
        ? raised('iam-approver', `${rule.reason}; account ${accountId} is sensitive: one listed IAM approver`)
        : raised(
            'not-approvable',
            `${rule.reason}, but account ${accountId} is sensitive, which needs a listed IAM approver, and none is configured`,
          );
    case 'iam-approver':
      return raised(
        'two-approvers',
        `the grant adds sensitive access and account ${accountId} is sensitive: two distinct listed IAM approvers, neither of whom gains it`,
      );
    case 'two-approvers':
    case 'not-approvable':
      return rule;
  }
}

/**
 * A permission set read from Identity Center: held by more people than the limit, or by an unknown
 * number, what one approver (or a link) could approve needs a listed IAM approver.
 */
function raisedForBlastRadius(
  rule: ApprovalRule,
  target: RequirementTarget,
  settings: ApprovalPolicySettings,
): ApprovalRule {
  const radius = target.blastRadius;
  if (rule.requires !== 'one-approver' || radius === undefined) return rule;
  const limit = settings.permissionSetPeopleLimit ?? DEFAULT_PERMISSION_SET_PEOPLE_LIMIT;
  if (radius.people !== null && radius.people <= limit) return rule;
  const reach =
    radius.people === null
      ? 'the permission set reaches an unknown number of people'
      : `the permission set reaches ${radius.people} people, more than ${limit}`;
  const configured = iamApprovalEnabled(settings.approvalMode) && settings.approvers.length > 0;
  return configured
    ? { ...rule, requires: 'iam-approver', reason: `${rule.reason}; ${reach}: one listed IAM approver` }
    : {
        ...rule,
        requires: 'not-approvable',
        reason: `${rule.reason}, but ${reach}, which needs a listed IAM approver, and none is configured`,
      };
}

function baseRequirement(
  escalation: EscalationAnalysis,
  target: Pick<RequirementTarget, 'type' | 'definitionHash'>,
  settings: ApprovalPolicySettings,
  source: AssumedSettings['source'],
): ApprovalRule {
  const assumedSettings = assumedSettingsOf(settings, source);
  const rule = (requires: ApprovalRequirement, reason: string): ApprovalRule => ({
    requires,
    reason,
    assumedSettings,
  });
  // Only a set read from Identity Center (its definition hashed) can be changed from here.
  if (target.type === 'permission-set' && target.definitionHash === undefined) {
    return rule(
      'not-approvable',
      'the target is an Identity Center permission set: change it in Identity Center, not from here',
    );
  }
  if (escalation.kind === 'unknown') {
    return rule('not-approvable', `what the grant adds is unknown: ${escalation.reason}`);
  }
  const iam = iamApprovalEnabled(settings.approvalMode);
  const approvers = settings.approvers.length > 0;
  switch (escalation.level) {
    case 'none':
    case 'contained': {
      const what = escalation.level === 'none' ? 'adds no new access' : 'adds access, none of it sensitive';
      return rule('one-approver', `the grant ${what}: one approver who does not gain it`);
    }
    case 'sensitive':
      if (!iam || !approvers) {
        return rule(
          'not-approvable',
          'the grant adds sensitive access, which only a listed IAM approver may approve, and none is configured',
        );
      }
      return rule(
        'iam-approver',
        'the grant adds sensitive access: one listed IAM approver who does not gain it',
      );
    case 'admin':
      if (!settings.allowAdminRoles) {
        return rule(
          'not-approvable',
          'the grant makes its holders effectively administrators, and allowAdminRoles is off',
        );
      }
      if (!iam || !approvers) {
        return rule(
          'not-approvable',
          'the grant makes its holders effectively administrators, which needs two listed IAM approvers, and none is configured',
        );
      }
      return rule(
        'two-approvers',
        'the grant makes its holders effectively administrators: two distinct listed IAM approvers, neither of whom gains it',
      );
  }
}
