/**
 * The escalation analysis: what R can do that the least-privileged person who gains the grant cannot.
 * Pure and synchronous over EscalationInputs.
 */
import type { EscalationAnalysis, EscalationInputs, EscalationOptions } from './model';

export function analyseEscalation(inputs: EscalationInputs, options: EscalationOptions): EscalationAnalysis {
  // Placeholder until the analysis lands: unknown, hence never approvable.
  void options;
  return {
    kind: 'unknown',
    level: null,
    comparedWith: null,
    gains: [],
    exposure: [],
    reason: inputs.role === null ? 'the role does not exist' : 'the escalation analysis is not available',
    fingerprint: null,
  };
}
