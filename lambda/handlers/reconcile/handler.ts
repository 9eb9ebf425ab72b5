/**
 * The reconciler function: run on a schedule (EventBridge, every few minutes), it asks for another
 * apply run of every proposal whose apply did not finish (core/apply/reconcile.ts). It writes nothing
 * itself: the apply function, the only one that may write IAM, does the work; its lease and resumable
 * steps make a request for a proposal already being applied harmless.
 *
 * A request that cannot be made is logged and counted, and the others still go out; the next run
 * finds that proposal again. A failure to read the table throws: the schedule runs again anyway.
 *
 * An approved record whose signed decision does not verify with the reconciler's own key (forged,
 * altered, or approved before decisions were signed) is logged as an error and counted
 * (UnverifiedApprovals), never handed to the apply function.
 */
import { planReconcile, type ReconcileSettings, type StalledReason } from '../../core/apply/reconcile';
import type { ApprovalStore } from '../../ports/approval-store';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import type { DecisionVerifier } from '../../ports/decision-signer';
import type { LogAttributes, Logger, Metrics } from '../../ports/observability';

export const RECONCILE_METRIC = {
  /** Applies asked for again, by reason. */
  requested: 'AppliesRequestedAgain',
  /** Requests that could not be made. */
  requestFailures: 'ApplyRequestFailures',
  /** Approved records whose decision does not verify: forged, altered, or unsigned (needing re-approval). */
  unverified: 'UnverifiedApprovals',
} as const;

export interface ReconcileHandlerDependencies {
  store: ApprovalStore;
  trigger: ApplyTrigger;
  /** The public key of DECISION_SIGNING_KEY_ID, the reconciler's own setting. */
  decisionVerifier: DecisionVerifier;
  logger: Logger;
  metrics: Metrics;
  settings: ReconcileSettings;
  clock?: () => Date;
}

export interface ReconcileSummary {
  found: number;
  requested: number;
  failed: number;
  /** Approved records not asked for: their decision does not verify. */
  unverified: number;
  byReason: Partial<Record<StalledReason, number>>;
}

export type ReconcileHandler = (event?: unknown) => Promise<ReconcileSummary>;

function errorAttributes(error: unknown): LogAttributes {
  return error instanceof Error
    ? { error: { name: error.name, message: error.message } }
    : { error: String(error) };
}

export function createReconcileHandler(deps: ReconcileHandlerDependencies): ReconcileHandler {
  const { store, trigger, logger, metrics, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  // The event (a scheduled event) carries nothing the run needs: it reads the table.
  return async () => {
    try {
      const plan = await planReconcile(store, clock(), settings, deps.decisionVerifier);
      const summary: ReconcileSummary = {
        found: plan.stalled.length,
        requested: 0,
        failed: 0,
        unverified: plan.unverified.length,
        byReason: {},
      };
      for (const { proposalId, problem, unsigned } of plan.unverified) {
        logger.error(
          unsigned
            ? 'Not applying an approved proposal without a signed decision: it needs re-approval'
            : 'Not applying an approved proposal whose signed decision does not verify',
          { proposalId, problem, needsReapproval: unsigned },
        );
      }
      if (summary.unverified > 0) metrics.addMetric(RECONCILE_METRIC.unverified, 'Count', summary.unverified);
      for (const { proposalId, status, reason } of plan.stalled) {
        try {
          await trigger.requestApply(proposalId);
          summary.requested += 1;
          summary.byReason[reason] = (summary.byReason[reason] ?? 0) + 1;
          logger.info('Asked for another apply run', { proposalId, status, reason });
        } catch (error) {
          summary.failed += 1;
          logger.error('Could not ask for another apply run', {
            proposalId,
            status,
            reason,
            ...errorAttributes(error),
          });
        }
      }
      metrics.addMetric(RECONCILE_METRIC.requested, 'Count', summary.requested);
      if (summary.failed > 0) metrics.addMetric(RECONCILE_METRIC.requestFailures, 'Count', summary.failed);
      if (summary.found > 0 || summary.unverified > 0)
        logger.info('Reconciled unfinished applies', { ...summary });
      return summary;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
