/**
 * The local server's ApplyTrigger: applies in-process, before the approve POST is answered, so the
 * answer (and the review page) already tell the result. On AWS the trigger is an async Lambda invoke.
 */
import { applyProposal, type ApplyDependencies, type ApplyResult } from '../../core/apply/apply-proposal';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import { allowedAsVerified } from '../../core/render/verification-context';

/** One line for the terminal: "applied and verified: allowed (1 simulation)", "refused: ...". */
export function describeApplyResult(result: ApplyResult): string {
  switch (result.kind) {
    case 'applied-verified': {
      const attempts = result.outcome.attempts;
      return `applied and verified: ${allowedAsVerified(result.record)} (${attempts} simulation${attempts === 1 ? '' : 's'})`;
    }
    case 'applied-not-verified':
      return `applied, NOT verified: ${result.blockers.join('; ') || 'still not allowed'}`;
    case 'refused':
      return `refused: ${result.reason} (nothing was written)`;
    case 'failed':
      return `failed: ${result.reason} (${result.policyWritten ? 'the policy was written' : 'nothing was written'})`;
    case 'not-approved':
    case 'decided-elsewhere':
      return `not applied: the proposal is ${result.status ?? 'gone'}`;
    case 'busy':
      return 'not applied here: another apply of it is running';
    case 'announced':
      return `the outcome (${result.status}) went out now`;
    case 'provisioning':
      return `provisioning the permission set is still in progress (request ${result.requestId}): it is resumed later`;
  }
}

export class InProcessApplyTrigger implements ApplyTrigger {
  constructor(
    private readonly deps: ApplyDependencies,
    /** Told every result; what it does (print it) must not fail the request. */
    private readonly onResult: (proposalId: string, result: ApplyResult) => void = () => undefined,
  ) {}

  /**
   * Throws when the apply stopped with work left: the record stays approved or applied, the approval
   * answers that the apply follows, and the local server's reconciler resumes it. Whatever the apply
   * found, refusals and failures included, is a result: it is stored on the record and reported.
   */
  async requestApply(proposalId: string): Promise<void> {
    const result = await applyProposal(proposalId, this.deps);
    try {
      this.onResult(proposalId, result);
    } catch {
      // Reporting is best effort: the record already holds the outcome.
    }
  }
}
