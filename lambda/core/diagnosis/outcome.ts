/**
 * What each simulation's result means for the outcome: pure decisions over results and account
 * data, which diagnoser.ts strings together with the ports.
 */
import { contextRelief, type ContextRelief } from '../analysis/context-conditions';
import type { DenyDecision, ProposedCause } from './types';
import type { RequestContext, SimulationResult } from '../model';
import type { LocatedStatement } from '../policy/statements';
import { locateMatched, PASS_ROLE } from './plan';
import type { UnseenDeny } from './unseen-deny';

/** What the first simulation (the request as made) leaves to do. */
export type FirstStep =
  | { kind: 'allowed' }
  /** An explicit deny that nothing in the request's context relieves (or an SCP's). */
  | { kind: 'explicit-deny' }
  /** Denied: `relief` when the deny rests on context a person can meet (MFA), simulated again beneath. */
  | { kind: 'denied'; decision: DenyDecision; relief: ContextRelief | null };

export function firstStep(
  first: SimulationResult,
  statements: readonly LocatedStatement[],
  roleArn: string,
  context: RequestContext,
): FirstStep {
  if (first.decision === 'allowed') return { kind: 'allowed' };
  if (first.decision === 'implicitDeny') return { kind: 'denied', decision: 'implicitDeny', relief: null };
  const matchedDenies = locateMatched(first.matchedStatements, statements);
  const relief = contextRelief(
    matchedDenies.length > 0 ? matchedDenies : statements.filter((s) => s.statement.Effect === 'Deny'),
    PASS_ROLE,
    roleArn,
    context,
  );
  const scpDenies = first.matchedStatements.some(
    (match) => match.policyType === 'scp' && match.effect === 'Deny',
  );
  if (relief === null || scpDenies) return { kind: 'explicit-deny' };
  return { kind: 'denied', decision: 'explicitDeny', relief };
}

/**
 * The cause a proposal's summary names: the deny the context lifts, the message's deny that is not
 * visible here, or simply no Allow.
 */
export function proposedCause(
  first: SimulationResult,
  relief: ContextRelief | null,
  unseen: UnseenDeny | null = null,
): ProposedCause {
  if (first.decision !== 'explicitDeny' || relief === null) return unseen ?? { kind: 'no-allow' };
  return {
    kind: 'deny-without-context',
    denies: first.matchedStatements.filter((match) => match.effect === 'Deny'),
    conditions: relief.descriptions,
  };
}
