/**
 * What still blocks a simulated request, in the words a proposal's `blockers` keep: the diagnosis
 * (a proposal's verification) and the apply step (its re-simulation) both say it this way.
 */
import type { DenyingPolicyType, MatchedStatement, SimulationResult } from '../model';

/** Each policy type as a sentence names it (with its article). */
export const DENYING_POLICY_WORDS: Record<DenyingPolicyType, string> = {
  identity: 'an identity-based policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  boundary: 'a permissions boundary',
  session: 'a session policy',
  resource: 'a resource-based policy',
  'vpc-endpoint': 'a VPC endpoint policy',
};

/** 'a service control policy arn:...', or 'a policy' when the message was cut before its type. */
export function denyingPolicyWords(policyType: DenyingPolicyType | null, policyArn: string | null): string {
  const type = policyType === null ? 'a policy' : DENYING_POLICY_WORDS[policyType];
  return policyArn === null ? type : `${type} ${policyArn}`;
}

/** The blocker of a proposal when the message's explicit deny is not among the policies read here. */
export function unseenDenyBlocker(deny: {
  policyType: DenyingPolicyType | null;
  policyArn: string | null;
}): string {
  return `explicit deny in ${denyingPolicyWords(deny.policyType, deny.policyArn)} that errorMessage names, not visible here`;
}

/** 'RequireMFA (on group/Developers), statement DenyAll': a matched statement, where it sits. */
export function describeMatched(match: MatchedStatement): string {
  const where = match.attachedTo ? ` (on ${match.attachedTo})` : '';
  const statement = match.statement !== null ? `, statement ${match.statement}` : '';
  return `${match.policyName}${where}${statement}`;
}

/** Empty when allowed; else each deny and each layer that blocks, once. */
export function blockersOf(result: SimulationResult): string[] {
  if (result.decision === 'allowed') return [];
  const blockers = result.matchedStatements
    .filter((match) => match.effect === 'Deny')
    .map((match) => `explicit deny in ${describeMatched(match)}`);
  for (const layer of result.blockedBy) {
    if (layer === 'scp') blockers.push('a service control policy does not allow it');
    else if (layer === 'boundary') blockers.push('the permissions boundary does not allow it');
  }
  if (blockers.length === 0) {
    blockers.push(result.decision === 'explicitDeny' ? 'an explicit deny' : 'no policy allows it');
  }
  return [...new Set(blockers)];
}
