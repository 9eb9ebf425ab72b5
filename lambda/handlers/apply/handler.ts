/**
 * The apply function: `{ "proposalId": "..." }` from the approval function's asynchronous invoke in,
 * one applied (or refused) proposal out. Ports and Powertools objects are injected, so tests run it
 * whole in memory; index.ts wires AWS.
 *
 * Lambda retries an async invocation that throws (twice, then the dead-letter queue), and every run
 * resumes where the last stopped (core/apply/apply-proposal.ts), so the handler throws whenever work is
 * left: a failure the core let through (the record stays approved or applied), or an outcome message
 * or event that did not go out. A bad event, a refusal, a decided outcome: logged, counted, returned.
 * What Lambda's retries do not finish, the reconciler asks for again.
 */
import type { Context } from 'aws-lambda';
import {
  applyProposal,
  type ApplyDependencies,
  type ApplyResult,
  type ApplySettings,
} from '../../core/apply/apply-proposal';
import { accountOf } from '../../core/iam/arn';
import { RetryRecordError } from '../../core/errors';
import type { LogAttributes, Logger, Metrics } from '../../ports/observability';

export const APPLY_METRIC = {
  verified: 'ProposalsVerified',
  notVerified: 'ProposalsNotVerified',
  refused: 'ApplyRefused',
  failed: 'ApplyFailed',
  /** Redeliveries, decided records, and records decided elsewhere meanwhile: nothing to do. */
  nothingToDo: 'ApplyNothingToDo',
  /** Another invocation held the lease. */
  busy: 'ApplyBusy',
  /** A permission set's provisioning outlasted the run: the reconciler resumes it. */
  provisioning: 'ApplyProvisioningInProgress',
  invalidEvents: 'InvalidApplyEvents',
  /** Outcome messages or events that could not be published (the IAM change stands). */
  publishFailures: 'ApplyPublishFailures',
  /** Outcomes that could not be stored on the record. */
  unrecorded: 'ApplyOutcomesUnrecorded',
  /** Runs that stopped with work left: Lambda retries them, then the reconciler. */
  errors: 'ApplyErrors',
  /** Decided records whose outcome went out on a later run. */
  announced: 'ApplyOutcomesAnnouncedLate',
  duration: 'ApplyDuration',
} as const;

/** Leave this much of the invocation for storing the outcome and publishing it after verifying. */
export const FINISHING_RESERVE_MS = 20_000;

export interface ApplyHandlerDependencies extends Omit<ApplyDependencies, 'settings' | 'clock' | 'sleep'> {
  logger: Logger;
  metrics: Metrics;
  /**
   * leaseMs is used only without a Lambda context; with one, the lease runs to the invocation's end.
   * `organization`: the hub writes in each proposal's own account (through `accounts`), never in the
   * function's own; without it the function's own account is the only one it writes in.
   */
  settings: Omit<ApplySettings, 'accountId'> & { accountId: string | null; organization?: boolean };
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export type ApplyHandlerOutcome = ApplyResult['kind'] | 'invalid-event';

export type ApplyHandler = (event: unknown, context?: Context) => Promise<ApplyHandlerOutcome>;

const PROPOSAL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The proposal id of a well-formed event, or why it is not one. */
export function proposalIdOf(
  event: unknown,
): { ok: true; proposalId: string } | { ok: false; problem: string } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { ok: false, problem: 'the event is not a JSON object' };
  }
  const proposalId = (event as Record<string, unknown>)['proposalId'];
  if (typeof proposalId !== 'string') return { ok: false, problem: 'proposalId is missing or not a string' };
  if (!PROPOSAL_ID.test(proposalId)) return { ok: false, problem: 'proposalId is not a proposal id' };
  return { ok: true, proposalId };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorAttributes(error: unknown): LogAttributes {
  if (error instanceof Error) {
    return { error: { name: error.name, message: error.message, cause: describeCause(error.cause) } };
  }
  return { error: String(error) };
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

export function createApplyHandler(deps: ApplyHandlerDependencies): ApplyHandler {
  const { logger, metrics } = deps;
  const clock = deps.clock ?? (() => new Date());
  const sleep = deps.sleep ?? defaultSleep;

  return async (event, context) => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    try {
      const parsed = proposalIdOf(event);
      if (!parsed.ok) {
        // Not retried: the same event would be just as bad next time.
        logger.error('Ignoring an apply event that names no proposal', {
          problem: parsed.problem,
          eventType: Array.isArray(event) ? 'array' : typeof event,
        });
        metrics.addMetric(APPLY_METRIC.invalidEvents, 'Count', 1);
        return 'invalid-event';
      }
      logger.appendKeys({ proposalId: parsed.proposalId });

      const remainingMs = context?.getRemainingTimeInMillis();
      const settings: ApplySettings = {
        ...deps.settings,
        // Single-account: the function's own account (from its ARN) is trusted, the record's is not.
        // Organization mode: the record's denial account, which the signed decision must name too.
        accountId:
          deps.settings.organization === true
            ? undefined
            : (deps.settings.accountId ??
              (context ? (accountOf(context.invokedFunctionArn) ?? undefined) : undefined)),
        // The lease ends with the invocation: a retry after a timeout may take over.
        leaseMs: remainingMs ?? deps.settings.leaseMs,
        verifyTimeoutMs:
          remainingMs === undefined
            ? deps.settings.verifyTimeoutMs
            : Math.max(0, Math.min(deps.settings.verifyTimeoutMs, remainingMs - FINISHING_RESERVE_MS)),
      };
      const started = Date.now();
      let result: ApplyResult;
      try {
        result = await applyProposal(parsed.proposalId, { ...deps, settings, clock, sleep });
      } catch (error) {
        // The record stays where it was and the lease is given back: a retry resumes it.
        metrics.addMetric(APPLY_METRIC.errors, 'Count', 1);
        logger.warn('The apply stopped with work left; it will be retried', errorAttributes(error));
        throw error;
      }
      metrics.addMetric(APPLY_METRIC.duration, 'Milliseconds', Date.now() - started);
      report(result, logger, metrics);
      if ('publishFailures' in result && result.publishFailures.length > 0) {
        // The outcome is decided and stored; a retry sends only what did not go out.
        throw new RetryRecordError(
          `the outcome of proposal ${parsed.proposalId} did not all go out (${result.publishFailures
            .map((failure) => failure.channel)
            .join(', ')}); retrying`,
        );
      }
      return result.kind;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

function report(result: ApplyResult, logger: Logger, metrics: Metrics): void {
  switch (result.kind) {
    case 'not-approved':
      logger.info('Nothing to apply: the proposal is not approved', { status: result.status });
      metrics.addMetric(APPLY_METRIC.nothingToDo, 'Count', 1);
      return;
    case 'decided-elsewhere':
      logger.info('Nothing to apply: the proposal was decided elsewhere meanwhile', {
        status: result.status,
      });
      metrics.addMetric(APPLY_METRIC.nothingToDo, 'Count', 1);
      return;
    case 'busy':
      logger.info('Another invocation is applying this proposal');
      metrics.addMetric(APPLY_METRIC.busy, 'Count', 1);
      return;
    case 'provisioning':
      logger.info('Provisioning the permission set is still in progress; the reconciler resumes it', {
        requestId: result.requestId,
      });
      metrics.addMetric(APPLY_METRIC.provisioning, 'Count', 1);
      return;
    case 'announced':
      logger.info('Sent the outcome of a decided proposal', { status: result.status });
      metrics.addMetric(APPLY_METRIC.announced, 'Count', 1);
      break;
    case 'applied-verified':
      logger.info('Applied and verified: allowed', { outcome: result.outcome });
      metrics.addMetric(APPLY_METRIC.verified, 'Count', 1);
      break;
    case 'applied-not-verified':
      logger.warn('Applied, not verified', { blockers: result.blockers, outcome: result.outcome });
      metrics.addMetric(APPLY_METRIC.notVerified, 'Count', 1);
      break;
    case 'refused':
      logger.warn('Refused to apply', { reason: result.reason });
      metrics.addMetric(APPLY_METRIC.refused, 'Count', 1);
      break;
    case 'failed':
      logger.error('Apply failed', {
        reason: result.reason,
        policyWritten: result.policyWritten,
        outcome: result.outcome,
      });
      metrics.addMetric(APPLY_METRIC.failed, 'Count', 1);
      break;
  }
  if ('recorded' in result && !result.recorded) {
    logger.error('The outcome could not be stored on the proposal', { status: result.record.status });
    metrics.addMetric(APPLY_METRIC.unrecorded, 'Count', 1);
  }
  for (const failure of result.publishFailures) {
    logger.error(`Could not publish the outcome ${failure.channel}; the IAM change stands`, {
      channel: failure.channel,
      ...errorAttributes(failure.error),
    });
  }
  if (result.publishFailures.length > 0) {
    metrics.addMetric(APPLY_METRIC.publishFailures, 'Count', result.publishFailures.length);
  }
}
