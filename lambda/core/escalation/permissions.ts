/**
 * A principal's policies compiled for the comparison: each statement with its actions as a bit set
 * over the action space, its resources (policy variables resolved or bounded), and what its condition
 * means for this principal. `over` compiles R (and the roles R can become) so that their access is
 * never smaller than AWS would allow; `under` compiles a gainer so that its access is never larger.
 */
import { accountOf } from '../iam/arn';
import { principalPolicies } from '../iam/principal-policies';
import type { PolicyDocument, PolicyStatement, PrincipalDetails } from '../model';
import { toArray } from '../policy/patterns';
import { statementIdOf, statementsOf } from '../policy/statements';
import { actionBits, type ActionSpace } from './action-space';
import { Bits } from './bits';
import { conditionVerdict, type ConditionVerdict, type PrincipalFacts } from './conditions';
import type { ResourceSpec } from './resources';

export type Side = 'over' | 'under';

export interface CompiledStatement {
  effect: 'Allow' | 'Deny';
  actions: Bits;
  resources: ResourceSpec;
  condition: ConditionVerdict;
  /** The policy's inline name or managed ARN (SCPs: their name). */
  policy: string;
  /** Sid, else the 0-based index. */
  statement: string;
}

export interface CompiledPrincipal {
  arn: string;
  facts: PrincipalFacts;
  identity: CompiledStatement[];
  /** null: no permissions boundary. */
  boundary: CompiledStatement[] | null;
  /** One list per SCP level (each must allow); empty when the SCPs are unknown or none apply. */
  scps: CompiledStatement[][];
}

export interface CompileContext {
  space: ActionSpace;
  side: Side;
  scps: { name: string; document: PolicyDocument }[][] | null;
}

export function factsOf(principal: PrincipalDetails, accountId: string): PrincipalFacts {
  return {
    arn: principal.arn,
    accountId: accountOf(principal.arn) ?? accountId,
    kind: principal.kind,
    username: principal.kind === 'user' ? principal.name : null,
  };
}

/**
 * Statement action sets over the shipped space, kept across analyses (AWS's managed policies recur in
 * every account); bounded so a long-lived process cannot grow it without limit.
 */
const sharedBits = new WeakMap<ActionSpace, Map<string, Bits>>();
const SHARED_BITS_LIMIT = 4000;

function bitsFor(context: CompileContext, statement: PolicyStatement): Bits {
  const negated = statement.Action === undefined && statement.NotAction !== undefined;
  const patterns = toArray(negated ? statement.NotAction : statement.Action);
  const key = `${negated ? '!' : ''}${JSON.stringify(patterns)}`;
  let cache = sharedBits.get(context.space);
  if (!cache) {
    cache = new Map();
    sharedBits.set(context.space, cache);
  }
  let bits = cache.get(key);
  if (!bits) {
    bits = new Bits(context.space.size);
    for (const pattern of patterns) actionBits(context.space, pattern, bits);
    if (negated) bits.invert();
    if (cache.size >= SHARED_BITS_LIMIT) cache.clear();
    cache.set(key, bits);
  }
  return bits;
}

/**
 * Resolves the policy variables the principal's requests carry (${aws:username}, ${aws:PrincipalAccount},
 * IAM's escapes) and bounds the rest: a pattern is widened (the variable read as `*`) where a larger
 * set is the safe side, dropped where a smaller one is.
 */
function resolvePatterns(
  patterns: string[],
  facts: PrincipalFacts,
  wantLarger: boolean,
  not: boolean,
): string[] {
  const resolved: string[] = [];
  for (const pattern of patterns) {
    let unknown = false;
    const text = pattern.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      const key = name.toLowerCase();
      if (key === '*' || key === '?' || key === '$') return key;
      if (key === 'aws:username' && facts.username !== null) return facts.username;
      if (key === 'aws:principalaccount') return facts.accountId;
      if (key === 'aws:principalarn') return facts.arn;
      unknown = true;
      return '*';
    });
    // A Resource pattern read with `*` makes the set larger; a NotResource exclusion so read, smaller.
    if (!unknown || (not ? !wantLarger : wantLarger)) resolved.push(text);
  }
  return resolved;
}

function resourcesOf(statement: PolicyStatement, facts: PrincipalFacts, wantLarger: boolean): ResourceSpec {
  if (statement.Resource === undefined && statement.NotResource !== undefined) {
    return { not: true, patterns: resolvePatterns(toArray(statement.NotResource), facts, wantLarger, true) };
  }
  const patterns = statement.Resource === undefined ? ['*'] : toArray(statement.Resource);
  return { not: false, patterns: resolvePatterns(patterns, facts, wantLarger, false) };
}

function compileDocument(
  context: CompileContext,
  document: PolicyDocument,
  policy: string,
  facts: PrincipalFacts,
): CompiledStatement[] {
  return statementsOf(document).map((statement, index) => {
    const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';
    // R's allows and a gainer's denies are the sets the safe side wants larger.
    const wantLarger = (context.side === 'over') === (effect === 'Allow');
    return {
      effect,
      actions: bitsFor(context, statement),
      resources: resourcesOf(statement, facts, wantLarger),
      condition: conditionVerdict(statement.Condition, facts),
      policy,
      statement: statementIdOf(statement, index),
    };
  });
}

export function compilePrincipal(
  context: CompileContext,
  principal: PrincipalDetails,
  accountId: string,
): CompiledPrincipal {
  const facts = factsOf(principal, accountId);
  const identity: CompiledStatement[] = [];
  let boundary: CompiledStatement[] | null = null;
  for (const policy of principalPolicies(principal)) {
    // A managed policy is named by its ARN, an inline one by its name.
    const compiled = compileDocument(context, policy.document, policy.arn ?? policy.name, facts);
    if (policy.layer === 'identity') identity.push(...compiled);
    else boundary = compiled;
  }
  const scps = (context.scps ?? []).map((level) =>
    level.flatMap((scp) => compileDocument(context, scp.document, scp.name, facts)),
  );
  return { arn: principal.arn, facts, identity, boundary, scps };
}
