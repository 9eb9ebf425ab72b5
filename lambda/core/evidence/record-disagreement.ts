/**
 * Where AWS's evaluation of the request and the simulation of it disagree: on the effect, or, both
 * denying explicitly, on the statements that deny. The record is what happened; the simulation is
 * the account as read now, so a disagreement is a change since the event, a policy the simulation
 * cannot see, or a context AWS evaluated otherwise.
 */
import type { Decision, MatchedStatement, SimulationResult } from '../model';
import type { LocatedStatement } from '../policy/statements';
import type { AwsEvaluatedEffect } from './aws-evaluation';
import type { AwsStatementEvidence } from './record-statements';

export type AwsDisagreement =
  /** The effects differ (AWS denied and the simulation allows now, or one denies explicitly, the other not). */
  | {
      kind: 'effect';
      aws: AwsEvaluatedEffect;
      simulated: Decision;
      /** AWS's deny statements (its explicit deny), to say which the simulation does not reproduce. */
      awsDenies: AwsStatementEvidence[];
      simulatedDenies: MatchedStatement[];
    }
  /** Both deny explicitly, by different statements (as far as both are found in the account data). */
  | { kind: 'statements'; awsOnly: AwsStatementEvidence[]; simulatedOnly: MatchedStatement[] };

const DECISION_OF: Record<AwsEvaluatedEffect, Decision> = {
  allow: 'allowed',
  'explicit-deny': 'explicitDeny',
  'implicit-deny': 'implicitDeny',
};

function sameStatement(located: LocatedStatement, match: MatchedStatement): boolean {
  return (
    match.effect === located.statement.Effect &&
    (match.policyArn !== null
      ? match.policyArn === located.policyArn
      : match.policyName === located.policyName) &&
    (match.attachedTo === null || match.attachedTo === located.attachedTo) &&
    (match.statement === null || match.statement === located.statementId)
  );
}

export function recordDisagreement(
  effect: AwsEvaluatedEffect | null,
  statements: readonly AwsStatementEvidence[],
  simulated: SimulationResult,
): AwsDisagreement | null {
  if (effect === null) return null;
  const awsDenies = statements.filter((statement) => statement.effect === 'deny');
  const simulatedDenies = simulated.matchedStatements.filter((match) => match.effect === 'Deny');
  if (DECISION_OF[effect] !== simulated.decision) {
    return { kind: 'effect', aws: effect, simulated: simulated.decision, awsDenies, simulatedDenies };
  }
  if (effect !== 'explicit-deny') return null;
  // Only statements both sides place in the account data are compared: an SCP the record names by
  // its Organizations ARN and the simulator by its name cannot be told equal or not.
  const located = awsDenies.flatMap((statement) =>
    statement.location.kind === 'located' ? [statement.location.located] : [],
  );
  if (located.length !== awsDenies.length) return null;
  const comparable = simulatedDenies.filter(
    (match) => match.policyType === 'identity' || match.policyType === 'boundary',
  );
  const awsOnly = awsDenies.filter(
    (statement) =>
      statement.location.kind === 'located' &&
      !comparable.some(
        (match) => statement.location.kind === 'located' && sameStatement(statement.location.located, match),
      ),
  );
  const simulatedOnly = comparable.filter((match) => !located.some((l) => sameStatement(l, match)));
  return awsOnly.length > 0 || simulatedOnly.length > 0
    ? { kind: 'statements', awsOnly, simulatedOnly }
    : null;
}
