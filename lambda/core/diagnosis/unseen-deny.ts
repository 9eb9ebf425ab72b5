/**
 * The explicit deny the error message names, checked against what the simulation over the account
 * data found. A deny the simulation does not reproduce — no explicit deny at all, or none of the
 * message's type (and ARN, when both name one) — is not visible here: an SCP not given, an RCP, a
 * policy changed since the event.
 */
import type { MessageCause, SimulationResult } from '../model';
import type { DiagnosisFinding } from './types';

export type UnseenDeny = Extract<DiagnosisFinding, { kind: 'deny-not-visible' }>;

function reproduces(cause: MessageCause, result: SimulationResult): boolean {
  if (result.decision !== 'explicitDeny') return false;
  const { policyType, policyArn } = cause;
  if (policyType === null) return true;
  const denies = result.matchedStatements.filter(
    (match) => match.effect === 'Deny' && match.policyType === policyType,
  );
  // Local SCPs carry no ARN: the type alone must do there.
  if (
    denies.some((match) => policyArn === null || match.policyArn === null || match.policyArn === policyArn)
  ) {
    return true;
  }
  // IAM's simulator names the layer of an SCP deny but not its statements.
  return denies.length === 0 && result.blockedBy.includes(policyType);
}

export function unseenDeny(cause: MessageCause, result: SimulationResult): UnseenDeny | null {
  if (cause.explicit !== true || reproduces(cause, result)) return null;
  return { kind: 'deny-not-visible', policyType: cause.policyType, policyArn: cause.policyArn };
}
