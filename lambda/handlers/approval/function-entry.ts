/**
 * The approval function's entry: API Gateway's HTTP events go to the handler (handler.ts); the direct
 * auto-approval invoke (exactly `{source, proposalId}`, nothing else) to the auto-approval rule, which
 * reads and analyses the account again and approves only a proven `none`; anything else decides
 * nothing and is logged.
 */
import type { Context } from 'aws-lambda';
import { isAutoApproveEvent, type AutoApproveEvent } from '../../core/approval/auto-approve-event';
import { autoApproveProposal } from '../../core/approval/decide';
import { refusalSentence } from '../../core/approval/views';
import {
  createApprovalHandler,
  decideDependencies,
  progressLogger,
  type ApprovalHandlerDependencies,
} from './handler';
import type { ApprovalEvent } from './request';
import type { ApprovalResponse } from './responses';

/** What a direct auto-approval invoke came to (Lambda discards it for an asynchronous invoke). */
export interface AutoApproveResult {
  autoApproved: boolean;
  outcome: string;
}

export type ApprovalFunction = (
  event: unknown,
  context?: Context,
) => Promise<ApprovalResponse | AutoApproveResult>;

export function createApprovalFunction(deps: ApprovalHandlerDependencies): ApprovalFunction {
  const http = createApprovalHandler(deps);
  const { logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const core = decideDependencies(deps, clock, progressLogger(logger));

  async function autoApprove(event: AutoApproveEvent): Promise<AutoApproveResult> {
    logger.appendKeys({ proposalId: event.proposalId, source: event.source });
    const outcome = await autoApproveProposal(core, event.proposalId);
    if (outcome.kind === 'refused') {
      logger.info('not approved automatically', {
        refusal: outcome.refusal.kind,
        why: refusalSentence(outcome.refusal),
      });
    } else if (outcome.kind !== 'moved' && outcome.kind !== 'apply-deferred') {
      logger.info('not approved automatically', { outcome: outcome.kind });
    }
    const approved = outcome.kind === 'moved' || outcome.kind === 'apply-deferred';
    return { autoApproved: approved, outcome: outcome.kind };
  }

  return async (event, context) => {
    if (isAutoApproveEvent(event)) {
      try {
        if (context) logger.addContext(context);
        return await autoApprove(event);
      } finally {
        logger.resetKeys();
      }
    }
    if (isHttpApiEvent(event)) return http(event, context);
    logger.warn('unrecognised event: nothing decided', {
      keys: typeof event === 'object' && event !== null ? Object.keys(event).slice(0, 20) : typeof event,
    });
    return { autoApproved: false, outcome: 'unrecognised-event' };
  };
}

/** An API Gateway HTTP API event (payload format 2.0), as far as the handler reads it. */
function isHttpApiEvent(event: unknown): event is ApprovalEvent {
  if (typeof event !== 'object' || event === null) return false;
  const { version, requestContext } = event as { version?: unknown; requestContext?: unknown };
  if (version !== '2.0' || typeof requestContext !== 'object' || requestContext === null) return false;
  const http = (requestContext as { http?: unknown }).http;
  return (
    typeof http === 'object' && http !== null && typeof (http as { method?: unknown }).method === 'string'
  );
}
