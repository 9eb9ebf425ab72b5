/**
 * Separation of duties: nobody approves a grant to themselves. The denied principal, the IAM entity
 * whose policies were evaluated (any session of that role), and everyone who would gain the
 * permission (the target group's members, the target user, any session of the target role) may not
 * approve it. Pure: the gainers come from the account as re-read at decision time.
 */
import type { Denial, ProposalTarget } from '../model';
import { parsePrincipalArn, type ParsedPrincipal } from '../iam/principal-arn';
import { approverIdentity, sameIdentity } from './principals';

export type SelfApprovalReason =
  /** The caller is the principal that was denied (the same user, role or Identity Center user). */
  | 'denied-principal'
  /** The caller is the IAM entity whose policies were evaluated, or a session of that role. */
  | 'denied-entity'
  /** The caller would gain the permission (a member of the target group, the target user or role). */
  | 'gains-the-grant';

export interface SelfApproval {
  reason: SelfApprovalReason;
  /** The ARN the caller was found to be (the denied principal, its entity, or the gainer). */
  principal: string;
}

export interface SeparationFacts {
  denial: Pick<Denial, 'principalArn' | 'policySourceArn'>;
  target: Pick<ProposalTarget, 'type' | 'arn'>;
  /** The ARNs of everyone who gains the grant, as read now (users and roles). */
  gainers: readonly string[];
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
  const gainers = [...facts.gainers];
  if (facts.target.arn !== null && facts.target.type !== 'group') gainers.push(facts.target.arn);
  const gainer = gainers.find((arn) => isEntityOrSession(caller, arn));
  return gainer === undefined ? null : { reason: 'gains-the-grant', principal: gainer };
}
