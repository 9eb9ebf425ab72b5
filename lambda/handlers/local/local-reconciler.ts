/**
 * The local server's reconciler: as the stack's (core/apply/reconcile.ts), it applies again what an
 * apply left unfinished and never applies an approval the approval function did not sign; it runs
 * every few seconds instead of every 5 minutes, since a person is waiting. One line per proposal it
 * took up, for the terminal.
 */
import { applyProposal, type ApplyDependencies } from '../../core/apply/apply-proposal';
import { planReconcile } from '../../core/apply/reconcile';
import { describeApplyResult } from './in-process-apply-trigger';

export interface LocalReconcilerOptions {
  /** How long after its last move a record is left to the apply under way. */
  graceMs: number;
  /** How often a pass runs by itself. */
  intervalMs: number;
  log: (line: string) => void;
}

export interface LocalReconciler {
  /** One pass: the lines it logged. */
  reconcile(): Promise<string[]>;
  stop(): void;
}

/** Starts the reconciler's timer (it does not keep the process alive) and returns its passes. */
export function startLocalReconciler(
  deps: ApplyDependencies,
  options: LocalReconcilerOptions,
): LocalReconciler {
  const { log } = options;
  const settings = { graceMs: options.graceMs, announceWithinMs: 24 * 3_600_000, limitPerStatus: 100 };

  async function reconcile(): Promise<string[]> {
    const lines: string[] = [];
    const plan = await planReconcile(deps.store, new Date(), settings, deps.decisionVerifier);
    for (const { proposalId, problem } of plan.unverified) {
      const line = `proposal ${proposalId}: not applied: ${problem}`;
      log(line);
      lines.push(line);
    }
    for (const stalled of plan.stalled) {
      let line: string;
      try {
        line = `proposal ${stalled.proposalId} (${stalled.reason}): ${describeApplyResult(await applyProposal(stalled.proposalId, deps))}`;
      } catch (error) {
        line = `proposal ${stalled.proposalId} (${stalled.reason}): the apply stopped again (${error instanceof Error ? error.message : String(error)}); retried later`;
      }
      log(line);
      lines.push(line);
    }
    return lines;
  }

  const timer = setInterval(() => {
    reconcile().catch(() => undefined);
  }, options.intervalMs);
  // The server keeps the process alive; the timer alone must not.
  timer.unref();
  return { reconcile, stop: () => clearInterval(timer) };
}
