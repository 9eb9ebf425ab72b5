/**
 * What still blocks a simulated request, in the words a proposal's `blockers` keep: the diagnosis
 * (a proposal's verification) and the apply step (its re-simulation) both say it this way.
 */
import type { MatchedStatement, SimulationResult } from '../model';

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
