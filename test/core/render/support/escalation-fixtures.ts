/**
 * Hand-built escalation analyses and approval rules for the renderers' tests: one per level, an
 * unknown one, and the requirement each gets. Built by hand so the renderers are tested on what the
 * contract (core/escalation/model.ts, core/approval/requirement.ts) allows, not on today's analysis.
 */
import type {
  ApprovalRequirement,
  ApprovalRule,
  AssumedSettings,
} from '../../../../lambda/core/approval/requirement';
import type { EscalationAnalysis, EscalationGain } from '../../../../lambda/core/escalation/model';
import type { Proposal } from '../../../../lambda/core/model';

export const MEMBER = 'arn:aws:iam::123456789012:user/ana';

const FINGERPRINT = { rolePolicies: 'a'.repeat(64), membership: 'b'.repeat(64) };

export const DEPLOYMENT_SETTINGS: AssumedSettings = {
  source: 'deployment',
  approvalMode: 'both',
  approversConfigured: true,
  allowAdminRoles: true,
  autoApprove: 'off',
};

export const DEFAULT_SETTINGS: AssumedSettings = {
  source: 'defaults',
  approvalMode: 'both',
  approversConfigured: false,
  allowAdminRoles: false,
  autoApprove: 'off',
};

export type Analysed = Extract<EscalationAnalysis, { kind: 'analysed' }>;

export function analysed(
  level: Analysed['level'],
  gains: EscalationGain[] = [],
  exposure: string[] = [],
  comparedWith: string | null = MEMBER,
): Analysed {
  return { kind: 'analysed', level, comparedWith, gains, exposure, fingerprint: FINGERPRINT };
}

export function unknownAnalysis(reason: string): EscalationAnalysis {
  return {
    kind: 'unknown',
    level: null,
    comparedWith: null,
    gains: [],
    exposure: [],
    reason,
    fingerprint: null,
  };
}

export const CONTAINED_GAIN: EscalationGain = {
  category: 'other',
  actions: ['s3:PutObject'],
  policy: 'etl-data',
  statement: 'WriteStaging',
};

export const IAM_WRITE_GAIN: EscalationGain = {
  category: 'iam-write',
  actions: ['iam:PutRolePolicy', 'iam:AttachRolePolicy'],
  policy: 'arn:aws:iam::aws:policy/IAMFullAccess',
  statement: '0',
};

export const ADMIN_GAIN: EscalationGain = {
  category: 'admin',
  actions: ['*'],
  policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
  statement: '0',
};

export function rule(
  requires: ApprovalRequirement,
  reason: string,
  assumedSettings: AssumedSettings = DEPLOYMENT_SETTINGS,
): ApprovalRule {
  return { requires, reason, assumedSettings };
}

/** The analysis and rule of each case the renderers tell apart. */
export const CASES = {
  none: {
    escalation: analysed('none'),
    approval: rule('one-approver', 'the grant adds no new access: one approver who does not gain it'),
  },
  contained: {
    escalation: analysed('contained', [CONTAINED_GAIN]),
    approval: rule(
      'one-approver',
      'the grant adds access, none of it sensitive: one approver who does not gain it',
    ),
  },
  sensitive: {
    escalation: analysed(
      'sensitive',
      [IAM_WRITE_GAIN, CONTAINED_GAIN],
      ['role deploy-admin trusts it (sts:AssumeRole)'],
    ),
    approval: rule(
      'iam-approver',
      'the grant adds sensitive access: one listed IAM approver who does not gain it',
    ),
  },
  admin: {
    escalation: analysed('admin', [ADMIN_GAIN]),
    approval: rule(
      'two-approvers',
      'the grant makes its holders effectively administrators: two distinct listed IAM approvers, neither of whom gains it',
    ),
  },
  unknown: {
    escalation: unknownAnalysis('the role etl-runtime could not be read'),
    approval: rule(
      'not-approvable',
      'what the grant adds is unknown: the role etl-runtime could not be read',
    ),
  },
} satisfies Record<string, Pick<Proposal, 'escalation' | 'approval'>>;

export type CaseName = keyof typeof CASES;

/** The proposal with the case's analysis and rule. */
export function withCase<P extends Proposal>(proposal: P, name: CaseName): P {
  return { ...proposal, ...CASES[name] };
}
