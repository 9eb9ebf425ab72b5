import type { ProposalTarget, RoleDetails } from '../model';
import { toArray } from '../policy/patterns';
import { coversAction, statementsOf } from '../policy/statements';
import { sameService, type TrustAnalysis } from '../analysis/trust-policy';

const ADMIN_POLICY_ARNS = new Set(['arn:aws:iam::aws:policy/AdministratorAccess']);
const IAM_CHANGING_POLICY_ARNS = new Set([
  'arn:aws:iam::aws:policy/IAMFullAccess',
  'arn:aws:iam::aws:policy/AdministratorAccess',
]);

/** Actions through which a role can change IAM, i.e. grant itself or others more. */
const IAM_CHANGING_ACTIONS = [
  'iam:PutRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:UpdateAssumeRolePolicy',
  'iam:CreateAccessKey',
  'iam:CreateUser',
  'iam:CreateRole',
  'iam:AddUserToGroup',
  'iam:PassRole',
  'iam:DeleteRolePermissionsBoundary',
];

function roleAllowStatements(role: RoleDetails) {
  return [...role.inlinePolicies, ...role.attachedPolicies]
    .flatMap((policy) => statementsOf(policy.document))
    .filter((statement) => statement.Effect === 'Allow');
}

export function isAdminEquivalent(role: RoleDetails): boolean {
  if (role.attachedPolicies.some((policy) => ADMIN_POLICY_ARNS.has(policy.arn))) return true;
  return roleAllowStatements(role).some(
    (statement) =>
      toArray(statement.Action).includes('*') &&
      toArray(statement.Resource).includes('*') &&
      !statement.Condition,
  );
}

export function iamChangingActions(role: RoleDetails): string[] {
  if (role.attachedPolicies.some((policy) => IAM_CHANGING_POLICY_ARNS.has(policy.arn))) return ['iam:*'];
  const statements = roleAllowStatements(role);
  return IAM_CHANGING_ACTIONS.filter((action) =>
    statements.some((statement) => coversAction(statement, action)),
  );
}

/** What a reviewer must see before approving. */
export function riskFlags(
  target: ProposalTarget,
  role: RoleDetails | null,
  trust: TrustAnalysis,
  service: string,
): string[] {
  const flags: string[] = [];
  if (role) {
    if (isAdminEquivalent(role)) {
      flags.push(
        `The role ${role.name} is admin-equivalent: whoever can pass it can run code with full access.`,
      );
    } else {
      const changing = iamChangingActions(role);
      if (changing.length > 0) {
        flags.push(
          `The role ${role.name} can change IAM (${changing.join(', ')}): passing it can escalate privileges.`,
        );
      }
    }
  } else {
    flags.push('The role could not be read: its permissions are unknown.');
  }
  if (target.type === 'group' && target.memberCount !== null) {
    flags.push(
      `All ${target.memberCount} member${target.memberCount === 1 ? '' : 's'} of group ${target.name} gain this permission.`,
    );
  }
  // An unread role's trust policy is unknown, not empty.
  if (role) flags.push(...trustFlags(trust, service));
  return flags;
}

/**
 * What the role's trust policy means for the grant: other services it admits besides `service` (only
 * when it admits `service`: a role that does not trust it does not "also" trust the others), or that
 * it does not admit `service`, so the pass would not work.
 */
function trustFlags(trust: TrustAnalysis, service: string): string[] {
  // '*' admits every service, the service among them; 'glue.amazonaws.com.cn' is glue itself.
  const others = trust.trustedServices.filter((trusted) => trusted === '*' || !sameService(trusted, service));
  if (trust.trustsService === false) {
    const why = trust.deniesService
      ? 'its trust policy denies it'
      : `it trusts ${others.length > 0 ? others.join(', ') : 'no service'}`;
    return [
      `The role does not trust ${service} (${why}): passing it to ${service} will not work until its trust policy admits ${service}.`,
    ];
  }
  return others.length > 0
    ? [`The role also trusts ${others.join(', ')}: it can be used by more services than ${service}.`]
    : [];
}
