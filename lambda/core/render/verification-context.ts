/**
 * What a verification assumed, in words. A proposal is verified under the request's own context with
 * the conditions a person can meet relieved (core/analysis/context-conditions.ts: MFA present, HTTPS,
 * a source IP, a region): "allowed" alone would claim the denied request itself now passes, which it
 * does not while it lacks them. Every place that reports a verification says it through here, from
 * the data (the denial's context and the proposal's verificationContext), never from stored prose.
 */
import { RELIEVABLE_CONTEXT_KEYS } from '../analysis/context-conditions';
import type { RequestContext } from '../model';

/** How each relievable condition key reads once met. */
const KEY_WORDS: Record<string, (value: string) => string> = {
  'aws:MultiFactorAuthPresent': (value) =>
    value === 'true' ? 'MFA present' : `aws:MultiFactorAuthPresent = ${value}`,
  'aws:SecureTransport': (value) => (value === 'true' ? 'over HTTPS' : `aws:SecureTransport = ${value}`),
  'aws:SourceIp': (value) => `from source IP ${value}`,
  'aws:RequestedRegion': (value) => `in region ${value}`,
};

/**
 * Each condition the verification assumed that the denied request did not have: a relievable key
 * whose value in `verificationContext` differs from the denial's own context (keys the engine only
 * adds, such as iam:PassedToService, are the request's own). [] when it simulated the request as made.
 */
export function assumedConditions(
  denialContext: RequestContext | undefined,
  verificationContext: RequestContext | undefined,
): string[] {
  const made = denialContext ?? {};
  const assumed = verificationContext ?? {};
  return RELIEVABLE_CONTEXT_KEYS.flatMap((key) => {
    const value = assumed[key];
    if (value === undefined || made[key] === value) return [];
    return [KEY_WORDS[key]?.(value) ?? `${key} = ${value}`];
  });
}

export function joined(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * `allowed`, or `allowed with MFA present (assumed by the simulation: the denied request did not have
 * it)`: the verdict of a verification with the context it assumed.
 */
export function allowedUnder(conditions: readonly string[]): string {
  return `allowed${assumedSuffix(conditions)}`;
}

/** ` with MFA present (assumed by the simulation: ...)`, or '' when nothing was assumed. */
export function assumedSuffix(conditions: readonly string[]): string {
  if (conditions.length === 0) return '';
  const it = conditions.length === 1 ? 'it' : 'them';
  return ` with ${joined(conditions)} (assumed by the simulation: the denied request did not have ${it})`;
}

/** `, and with MFA present (...)` after "allowed with this policy added"; '' when nothing was assumed. */
export function andAssumed(conditions: readonly string[]): string {
  const suffix = assumedSuffix(conditions);
  return suffix === '' ? '' : `, and${suffix}`;
}

/** The two contexts as the records hold them. */
export interface VerifiedContexts {
  denial: { context?: RequestContext };
  proposal: { verificationContext?: RequestContext } | null;
}

/** The conditions a record's or a diagnosis's verification assumed: its denial's context against its proposal's. */
export function assumedBy({ denial, proposal }: VerifiedContexts): string[] {
  return assumedConditions(denial.context, proposal?.verificationContext);
}

/** `allowedUnder` for a record or a diagnosis. */
export function allowedAsVerified(contexts: VerifiedContexts): string {
  return allowedUnder(assumedBy(contexts));
}
