/**
 * What the analysis can tell about a statement's Condition for one principal. Conditions on the
 * principal's own attributes it knows (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
 * aws:username) are evaluated; everything else depends on the request or the session and is unknown.
 * Callers then lean the conservative way: R's access is never made smaller, a gainer's never larger,
 * unless the condition is decided.
 */
import { canonicalJson } from '../incident';
import type { PolicyCondition } from '../model';
import { conditionEntries, type ConditionEntry } from '../policy/conditions';
import { matchesArnPattern } from '../policy/patterns';

/** The attributes of a principal a condition may test, as every request of it carries them. */
export interface PrincipalFacts {
  arn: string;
  accountId: string;
  kind: 'user' | 'role';
  /** The user name; null for a role (whose requests carry no aws:username). */
  username: string | null;
}

export interface ConditionVerdict {
  /** Over the entries on the principal's attributes: all hold, one fails, or some are unknown. */
  principal: 'holds' | 'fails' | 'unknown';
  /** Some entry tests the request (region, source IP, tags of the resource...), not the principal. */
  request: boolean;
  /**
   * The entries on the request, in canonical form, for "is this condition implied by that one": the
   * same test of the same request holds for both principals. (Entries on the principal are not
   * compared: R's tags or ARN say nothing of a gainer's.)
   */
  requestEntries: string[];
}

export const UNCONDITIONED: ConditionVerdict = { principal: 'holds', request: false, requestEntries: [] };

/**
 * Keys fixed for a principal's session: a Deny on them applies to the whole session, hence to the
 * request that passes the role as well (see gainer denies in compare.ts).
 */
const SESSION_KEYS = [
  'aws:multifactorauthpresent',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:userid',
  'aws:principalisawsservice',
  'aws:sourceidentity',
];

function knownValue(facts: PrincipalFacts, key: string): string | null | undefined {
  switch (key) {
    case 'aws:principalarn':
      return facts.arn;
    case 'aws:principalaccount':
      return facts.accountId;
    case 'aws:principaltype':
      return facts.kind === 'user' ? 'User' : 'AssumedRole';
    case 'aws:username':
      return facts.username;
    default:
      return undefined;
  }
}

function isPrincipalKey(key: string): boolean {
  return (
    ['aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:username'].includes(key) ||
    SESSION_KEYS.includes(key) ||
    key.startsWith('aws:principaltag/')
  );
}

function evaluateEntry(entry: ConditionEntry, value: string | null): 'holds' | 'fails' | 'unknown' {
  if (/^(ForAnyValue|ForAllValues):/.test(entry.operator)) return 'unknown';
  if (entry.values.some((candidate) => candidate.includes('${'))) return 'unknown';
  if (entry.base === 'Null') {
    const wantsAbsent = entry.values.map((candidate) => candidate.toLowerCase());
    if (wantsAbsent.length !== 1) return 'unknown';
    return (wantsAbsent[0] === 'true') === (value === null) ? 'holds' : 'fails';
  }
  const stringLike = /^(String|Arn)/.test(entry.base);
  if (!stringLike) return 'unknown';
  if (value === null) return entry.ifExists || entry.negated ? 'holds' : 'fails';
  const like = /Like$/.test(entry.base) || entry.base.startsWith('Arn');
  const ignoreCase = /IgnoreCase$/.test(entry.base);
  const matches = entry.values.some((candidate) =>
    like
      ? matchesArnPattern(candidate, value)
      : ignoreCase
        ? candidate.toLowerCase() === value.toLowerCase()
        : candidate === value,
  );
  return matches !== entry.negated ? 'holds' : 'fails';
}

export function conditionVerdict(
  condition: PolicyCondition | undefined,
  facts: PrincipalFacts,
): ConditionVerdict {
  const entries = conditionEntries(condition);
  if (entries.length === 0) return UNCONDITIONED;
  let principal: ConditionVerdict['principal'] = 'holds';
  const requestEntries: string[] = [];
  for (const entry of entries) {
    const key = entry.key.toLowerCase();
    if (!isPrincipalKey(key)) {
      requestEntries.push(canonicalJson([entry.operator, key, [...entry.values].sort()]));
      continue;
    }
    const value = knownValue(facts, key);
    const result = value === undefined ? 'unknown' : evaluateEntry(entry, value);
    if (result === 'fails') principal = 'fails';
    else if (result === 'unknown' && principal === 'holds') principal = 'unknown';
  }
  return { principal, request: requestEntries.length > 0, requestEntries: requestEntries.sort() };
}

/**
 * Does a gainer's statement hold wherever R's does: its tests of the principal surely hold for the
 * gainer, and each of its tests of the request is one R's statement makes too.
 */
export function impliedBy(weaker: ConditionVerdict, stronger: ConditionVerdict): boolean {
  return (
    weaker.principal === 'holds' &&
    weaker.requestEntries.every((entry) => stronger.requestEntries.includes(entry))
  );
}
