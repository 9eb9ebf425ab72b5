/**
 * Separation of duties: nobody approves a grant to themselves. The denied principal, the IAM entity
 * whose policies were evaluated (any session of that role), and everyone who would gain the
 * permission (the target group's members, the target user, any session of the target role) may not
 * approve it. For a permission set, the gainers are the people it is assigned to: an Identity Center
 * user assigned the set, directly or through a group, may not approve it, and one whose assignment
 * cannot be read may not either (refusing is the safe side). Pure: the gainers, assignments and
 * memberships come from the account and Identity Center as re-read at decision time.
 */
import type { PermissionSetAssignment } from '../identity-center/model';
import type { Denial, ProposalTarget } from '../model';
import { parsePrincipalArn, type ParsedPrincipal } from '../iam/principal-arn';
import { approverIdentity, sameIdentity } from './principals';

export type SelfApprovalReason =
  /** The caller is the principal that was denied (the same user, role or Identity Center user). */
  | 'denied-principal'
  /** The caller is the IAM entity whose policies were evaluated, or a session of that role. */
  | 'denied-entity'
  /** The caller would gain the permission (a member of the target group, the target user or role). */
  | 'gains-the-grant'
  /** An Identity Center user assigned the permission set, directly or through a group. */
  | 'assigned-the-set'
  /** An Identity Center user whose assignment to the permission set could not be read. */
  | 'assignment-unknown';

export interface SelfApproval {
  reason: SelfApprovalReason;
  /**
   * The ARN the caller was found to be (the denied principal, its entity, or the gainer); for a
   * permission set, the assignment (`identity-center-user:<name>` or `identity-center-group:<name>`),
   * or for an unknown one why it is unknown.
   */
  principal: string;
}

/** An Identity Center user's identitystore id and groups (IdentityCenterReader.userMemberships). */
export interface IdentityCenterMembership {
  userId: string;
  groupIds: readonly string[];
}

/**
 * What separation of duties knows of a permission set, read at decision time: its assignments in the
 * denial's account, and the memberships of the Identity Center users deciding, by user name.
 */
export interface IdentityCenterSeparation {
  /** The set's assignments in the denial's account; a string: why they could not be read. */
  assignments:
    readonly Pick<PermissionSetAssignment, 'principalType' | 'principalId' | 'displayName'>[] | string;
  /**
   * By user name in lower case (Identity Center's user names ignore case): the membership, or a
   * string saying why it is unknown (unreadable, or no such user). A name absent here is unknown.
   */
  memberships: ReadonlyMap<string, IdentityCenterMembership | string>;
}

export interface SeparationFacts {
  denial: Pick<Denial, 'principalArn' | 'policySourceArn'>;
  target: Pick<ProposalTarget, 'type' | 'arn'>;
  /** The ARNs of everyone who gains the grant, as read now (users and roles). */
  gainers: readonly string[];
  /** A permission-set target: its assignments and the deciders' memberships; absent: unknown. */
  identityCenter?: IdentityCenterSeparation;
}

/** The Identity Center user behind a caller's session (its session name), or null for anyone else. */
export function identityCenterUserOf(callerArn: string): string | null {
  const caller = parsePrincipalArn(callerArn);
  return caller.kind === 'session' && caller.identityCenter && caller.sessionName !== ''
    ? caller.sessionName
    : null;
}

/**
 * Whether an Identity Center user gains a permission set: assigned directly, or through a group it
 * belongs to. Unknown assignments or membership: refused with the reason.
 */
function permissionSetSelfApproval(
  userName: string,
  facts: IdentityCenterSeparation | undefined,
): SelfApproval | null {
  const unknown = (why: string): SelfApproval => ({ reason: 'assignment-unknown', principal: why });
  if (facts === undefined) return unknown("the permission set's assignments were not read");
  if (typeof facts.assignments === 'string') return unknown(facts.assignments);
  const membership = facts.memberships.get(userName.toLowerCase());
  if (membership === undefined) return unknown(`the memberships of ${userName} were not read`);
  if (typeof membership === 'string') return unknown(membership);
  const groups = new Set(membership.groupIds);
  for (const assignment of facts.assignments) {
    if (assignment.principalType === 'USER' && assignment.principalId === membership.userId) {
      return { reason: 'assigned-the-set', principal: `identity-center-user:${userName}` };
    }
    if (assignment.principalType === 'GROUP' && groups.has(assignment.principalId)) {
      const group = assignment.displayName ?? assignment.principalId;
      return { reason: 'assigned-the-set', principal: `identity-center-group:${group}` };
    }
  }
  return null;
}

function sameName(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

/** Whether the caller is `entityArn` (an IAM user or role) or, for a role, one of its sessions. */
function isEntityOrSession(caller: ParsedPrincipal, entityArn: string): boolean {
  const entity = parsePrincipalArn(entityArn);
  if (entity.kind === 'user') {
    return caller.kind === 'user' && caller.account === entity.account && sameName(caller.name, entity.name);
  }
  if (entity.kind === 'role') {
    if (caller.kind === 'session')
      return caller.account === entity.account && sameName(caller.roleName, entity.name);
    return caller.kind === 'role' && caller.account === entity.account && sameName(caller.name, entity.name);
  }
  return sameIdentity(caller.arn, entityArn);
}

/** Why the caller may not approve this grant, or null when separation of duties allows it. */
export function selfApproval(callerArn: string, facts: SeparationFacts): SelfApproval | null {
  const caller = parsePrincipalArn(callerArn);
  const { denial } = facts;
  if (sameIdentity(approverIdentity(callerArn), approverIdentity(denial.principalArn))) {
    return { reason: 'denied-principal', principal: denial.principalArn };
  }
  if (isEntityOrSession(caller, denial.principalArn)) {
    return { reason: 'denied-principal', principal: denial.principalArn };
  }
  if (denial.policySourceArn !== null && isEntityOrSession(caller, denial.policySourceArn)) {
    return { reason: 'denied-entity', principal: denial.policySourceArn };
  }
  const identityCenterUser = identityCenterUserOf(callerArn);
  if (facts.target.type === 'permission-set' && identityCenterUser !== null) {
    const assigned = permissionSetSelfApproval(identityCenterUser, facts.identityCenter);
    if (assigned !== null) return assigned;
  }
  const gainers = [...facts.gainers];
  if (facts.target.arn !== null && facts.target.type !== 'group') gainers.push(facts.target.arn);
  const gainer = gainers.find((arn) => isEntityOrSession(caller, arn));
  return gainer === undefined ? null : { reason: 'gains-the-grant', principal: gainer };
}
