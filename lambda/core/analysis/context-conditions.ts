import type { RequestContext } from '../model';
import { conditionEntries, type ConditionEntry } from '../policy/conditions';
import { coversAction, coversResource, type LocatedStatement } from '../policy/statements';

/**
 * Request-context conditions a person can satisfy (sign in with MFA, call from the office network,
 * use HTTPS). When a deny rests on one of them, the engine simulates again as if it were met, to see
 * what lies beneath the deny: the seed's second simulation.
 */
export interface ContextRelief {
  overrides: RequestContext;
  /** Human words for each override: "MFA present", "source IP in 203.0.113.0/24". */
  descriptions: string[];
}

/** The only keys a relief ever sets (reliefFor below): what a verification may have assumed. */
export const RELIEVABLE_CONTEXT_KEYS: readonly string[] = [
  'aws:MultiFactorAuthPresent',
  'aws:SecureTransport',
  'aws:SourceIp',
  'aws:RequestedRegion',
];

function firstAddressOf(cidrOrIp: string): string | null {
  const [address] = cidrOrIp.split('/');
  if (!address) return null;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    // The network address itself is inside the range; good enough for a simulation.
    return address;
  }
  return address.includes(':') ? address : null;
}

function reliefFor(
  entry: ConditionEntry,
  context: RequestContext,
): { key: string; value: string; words: string } | null {
  const key = entry.key.toLowerCase();
  const firstValue = entry.values[0];
  if (key === 'aws:multifactorauthpresent') {
    const deniesWithoutMfa =
      (entry.base === 'Bool' && entry.values.includes('false')) ||
      (entry.base === 'Null' && entry.values.includes('true'));
    if (deniesWithoutMfa && context['aws:MultiFactorAuthPresent'] !== 'true') {
      return { key: 'aws:MultiFactorAuthPresent', value: 'true', words: 'MFA present' };
    }
    return null;
  }
  if (key === 'aws:securetransport' && entry.base === 'Bool' && entry.values.includes('false')) {
    return { key: 'aws:SecureTransport', value: 'true', words: 'over HTTPS' };
  }
  if (key === 'aws:sourceip' && entry.base === 'NotIpAddress' && firstValue !== undefined) {
    const address = firstAddressOf(firstValue);
    return address ? { key: 'aws:SourceIp', value: address, words: `source IP in ${firstValue}` } : null;
  }
  if (key === 'aws:requestedregion' && entry.base === 'StringNotEquals' && firstValue !== undefined) {
    if (entry.values.includes(context['aws:RequestedRegion'] ?? '')) return null;
    return { key: 'aws:RequestedRegion', value: firstValue, words: `region ${firstValue}` };
  }
  return null;
}

/**
 * The context under which the deny statements covering this request would no longer match,
 * or null when the denies do not rest on a request-context condition (nothing a person can do
 * but ask the policy's owner).
 */
export function contextRelief(
  denyStatements: readonly LocatedStatement[],
  action: string,
  resourceArn: string,
  context: RequestContext,
): ContextRelief | null {
  const overrides: RequestContext = {};
  const descriptions: string[] = [];
  let unconditionalDeny = false;
  for (const { statement } of denyStatements) {
    if (
      statement.Effect !== 'Deny' ||
      !coversAction(statement, action) ||
      !coversResource(statement, resourceArn)
    ) {
      continue;
    }
    const reliefs = conditionEntries(statement.Condition)
      .map((entry) => reliefFor(entry, context))
      .filter((relief) => relief !== null);
    if (reliefs.length === 0) {
      unconditionalDeny = true;
      continue;
    }
    for (const relief of reliefs) {
      if (overrides[relief.key] === undefined) {
        overrides[relief.key] = relief.value;
        descriptions.push(relief.words);
      }
    }
  }
  if (unconditionalDeny || descriptions.length === 0) return null;
  return { overrides, descriptions };
}
