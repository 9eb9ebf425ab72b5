import type {
  Denial,
  GroupDetails,
  InlinePolicy,
  PrincipalDetails,
  ProposalTarget,
  UserDetails,
} from '../model';
import { roleNameOf } from '../iam/arn';
import { coversAction, statementsOf } from '../policy/statements';

/** How many of a target group's members are named (the review page, the JSON): the rest are counted. */
export const TARGET_MEMBER_NAMES = 20;

/** IAM's aggregate inline-policy size quotas, in characters without whitespace. */
export const INLINE_POLICY_QUOTA: Record<'group' | 'role' | 'user', number> = {
  group: 5120,
  role: 10240,
  user: 2048,
};

function groupGrantsAction(group: GroupDetails, action: string): boolean {
  const documents = [...group.inlinePolicies, ...group.attachedPolicies].map((policy) => policy.document);
  return documents.some((document) =>
    statementsOf(document).some(
      (statement) => statement.Effect === 'Allow' && coversAction(statement, action),
    ),
  );
}

/**
 * The group through which the user is granted the denied API call (the seed put the fix on GlueAccess,
 * the group that grants glue:UpdateJob): whoever may call the API is whoever should pass its role.
 * Among several, the fewest members, since every member gains the permission.
 */
export function chooseUserTarget(user: UserDetails, deniedAction: string): ProposalTarget {
  const granting = user.groups
    .filter((group) => groupGrantsAction(group, deniedAction))
    .sort((a, b) => a.memberCount - b.memberCount || a.name.localeCompare(b.name));
  const group = granting[0];
  if (group) {
    const names = group.memberNames?.slice(0, TARGET_MEMBER_NAMES);
    return {
      type: 'group',
      name: group.name,
      arn: group.arn,
      memberCount: group.memberCount,
      ...(names === undefined ? {} : { memberNames: names }),
    };
  }
  return { type: 'user', name: user.name, arn: user.arn, memberCount: 1 };
}

export function chooseTarget(denial: Denial, principal: PrincipalDetails): ProposalTarget {
  if (denial.principalType === 'sso-role') {
    const permissionSet = denial.permissionSetName ?? principal.name;
    return { type: 'permission-set', name: permissionSet, arn: null, memberCount: null };
  }
  if (principal.kind === 'user') return chooseUserTarget(principal, denial.deniedAction);
  return { type: 'role', name: principal.name, arn: principal.arn, memberCount: null };
}

/** The inline policies already on the target (none known for a permission set). */
export function targetInlinePolicies(target: ProposalTarget, principal: PrincipalDetails): InlinePolicy[] {
  if (target.type === 'group' && principal.kind === 'user') {
    return principal.groups.find((group) => group.name === target.name)?.inlinePolicies ?? [];
  }
  if (target.type === 'user' || target.type === 'role') return principal.inlinePolicies;
  return [];
}

/** The inline policies already on the target, for the size quota (a same-named one is replaced). */
export function existingInlineSize(
  target: ProposalTarget,
  principal: PrincipalDetails,
  policyName: string,
): number {
  return targetInlinePolicies(target, principal)
    .filter((policy) => policy.name !== policyName)
    .reduce((total, policy) => total + JSON.stringify(policy.document).length, 0);
}

/**
 * Who the escalation analysis compares with: for a permission set read from Identity Center, the role
 * it provisions in the denial's account (`policySourceArn`: everyone assigned the set there acts as
 * that role, and the statement names a role of that account only); otherwise the target itself.
 */
export function escalationTarget(target: ProposalTarget, policySourceArn: string | null): ProposalTarget {
  if (target.type !== 'permission-set' || target.definitionHash === undefined || policySourceArn === null) {
    return target;
  }
  return { type: 'role', name: roleNameOf(policySourceArn), arn: policySourceArn, memberCount: null };
}
