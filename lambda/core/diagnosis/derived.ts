import type { Diagnosis, Proposal, Verdict } from '../model';

/** The verdict of the JSON contract, derived from the outcome (never set by hand). */
export function verdictOf(diagnosis: Diagnosis): Verdict {
  switch (diagnosis.outcome) {
    case 'not-applicable':
      return 'not-applicable';
    case 'unsimulated':
      // Not simulated: the record's own message is all there is to tell explicit from implicit.
      return diagnosis.denial.messageCause.explicit ? 'explicitDeny' : 'implicitDeny';
    case 'already-allowed':
      // The policies read here allow it, but the message's explicit deny is not among them.
      return diagnosis.findings.some((finding) => finding.kind === 'deny-not-visible')
        ? 'explicitDeny'
        : 'allowed';
    case 'explicit-deny':
    case 'context-only':
      return 'explicitDeny';
    case 'service-unknown':
    case 'proposed':
      return diagnosis.decision;
    case 'recorded':
      return diagnosis.verdict;
    default: {
      const unknown: never = diagnosis;
      throw new TypeError(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}

/** The proposal of a diagnosis that has one. */
export function proposalOf(diagnosis: Diagnosis): Proposal | null {
  if (diagnosis.outcome === 'proposed') return diagnosis.proposal;
  if (diagnosis.outcome === 'recorded') return diagnosis.proposal;
  return null;
}
