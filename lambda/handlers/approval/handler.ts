/**
 * The approval function: API Gateway HTTP API (payload format 2.0) in, review pages and decisions out.
 * Everything it talks to is a port, so tests and the local server (`passrole-doctor serve`) run it
 * whole; index.ts wires AWS. This file routes, calls the core and logs: what a request may see or
 * decide is core/approval (review.ts, decide.ts), reading the event is request.ts, and the page or
 * JSON (and status) each outcome gets is responses.ts and core/render/decision-page.ts.
 *
 * Routes (`link` mode: the first three; `iam` mode: the /iam ones; `both`: all):
 *   GET  /proposals/{id}?token=T        the review page; never writes anything (mail scanners and
 *                                       chat link previews fetch links)
 *   POST /proposals/{id}/approve|reject form body token=T: decide as the link holder
 *   GET  /iam/proposals                 JSON: the pending proposals, newest first
 *   GET  /iam/proposals/{id}            JSON: one record
 *   POST /iam/proposals/{id}/approve|reject  optional JSON body {"reason": "..."}: decide as the
 *                                       SigV4 caller (requestContext.authorizer.iam.userArn)
 * Statuses: 403 wrong, tampered or missing token (and unknown ids on link routes: the same page, so
 * an unauthenticated caller learns nothing about which proposals exist); 410 expired; 409 already
 * decided (by whom, when); 400 bad input or a proposal that cannot be applied here; 404 unknown route
 * or (IAM routes) unknown proposal; 405 wrong method.
 *
 * What the event must hold (a local server builds the same): rawPath, requestContext.http.method,
 * .sourceIp, .userAgent, requestContext.stage, queryStringParameters, headers (lower-case names),
 * body + isBase64Encoded, and for IAM routes requestContext.authorizer.iam.userArn.
 */
import type { Context } from 'aws-lambda';
import {
  decideById,
  decideByLink,
  type ApprovalDecision,
  type DecisionProgress,
} from '../../core/approval/decide';
import {
  iamApprovalEnabled,
  isProposalId,
  linksEnabled,
  reviewPath,
  type ApprovalMode,
} from '../../core/approval/links';
import { listOpenProposals, reviewByLink } from '../../core/approval/review';
import { proposalSummary, proposalView } from '../../core/approval/views';
import { TransientAwsError } from '../../core/errors';
import { expiredPage, INVALID_LINK_PAGE, linkDecisionPage } from '../../core/render/decision-page';
import { renderReviewPage } from '../../core/render/review-page';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import type { ApprovalStore } from '../../ports/approval-store';
import type { LinkMacVerifier } from '../../ports/link-mac';
import {
  decisionReason,
  formToken,
  iamCallerArn,
  matchRoute,
  requestActor,
  routedPath,
  type ApprovalEvent,
  type Route,
} from './request';
import {
  decisionJson,
  htmlPage,
  json,
  jsonError,
  page,
  resultPage,
  type ApprovalResponse,
} from './responses';

// Still exported from here, where the local server and the tests import them.
export {
  decisionReason,
  formToken,
  iamCallerArn,
  matchRoute,
  requestBody,
  type ApprovalEvent,
} from './request';
export type { ApprovalResponse } from './responses';
export { proposalSummary, proposalView } from '../../core/approval/views';

// ---------------------------------------------------------------- ports

export type LogAttributes = Record<string, unknown>;

/** The Powertools Logger methods the handler uses (a Logger fits; tests pass a recorder). */
export interface ApprovalLogger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
  appendKeys(attributes: LogAttributes): void;
  resetKeys(): void;
  addContext(context: Context): void;
}

export interface ApprovalHandlerDependencies {
  store: ApprovalStore;
  applyTrigger: ApplyTrigger;
  /** Checks review links' MACs (KmsLinkMac: kms:VerifyMac on LINK_MAC_KEY_ID in the function). */
  linkMac: LinkMacVerifier;
  logger: ApprovalLogger;
  settings: { approvalMode: ApprovalMode };
  clock?: () => Date;
}

export type ApprovalHandler = (event: ApprovalEvent, context?: Context) => Promise<ApprovalResponse>;

// ---------------------------------------------------------------- the handler

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 100;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  return String(error);
}

export function createApprovalHandler(deps: ApprovalHandlerDependencies): ApprovalHandler {
  const { logger } = deps;
  const mode = deps.settings.approvalMode;
  const clock = deps.clock ?? (() => new Date());
  const { store, applyTrigger, linkMac } = deps;
  const core = { store, applyTrigger, linkMac, clock, onProgress: logProgress };

  function logProgress(progress: DecisionProgress): void {
    if (progress.kind === 'decided') {
      const { kind, name, sourceIp } = progress.actor;
      const message = progress.decision === 'approve' ? 'proposal approved' : 'proposal rejected';
      logger.info(message, { actor: { kind, name, sourceIp } });
    } else if (progress.kind === 'apply-requested') {
      logger.info('apply requested');
    } else {
      logger.warn('apply could not be started now: the proposal stays approved for the reconciler', {
        reason: describe(progress.cause),
      });
    }
  }

  async function review(
    id: string,
    event: ApprovalEvent,
    prefix: string,
    now: Date,
  ): Promise<ApprovalResponse> {
    const outcome = await reviewByLink(core, id, event.queryStringParameters?.['token'], now);
    if (outcome.kind === 'forbidden') {
      logger.warn('review link refused', { reason: outcome.reason });
      return resultPage(INVALID_LINK_PAGE);
    }
    if (outcome.kind === 'expired') return resultPage(expiredPage(outcome.record));
    logger.info('review page served', { status: outcome.record.status });
    const { record, history, token } = outcome;
    return htmlPage(
      renderReviewPage({ record, history, token, actionBase: `${prefix}${reviewPath(id)}`, now }),
    );
  }

  async function decideAsLinkHolder(
    id: string,
    decision: ApprovalDecision,
    event: ApprovalEvent,
    prefix: string,
    now: Date,
  ): Promise<ApprovalResponse> {
    const form = formToken(event);
    if (!form.ok) return page('bad-request', 'Bad request', form.problem);
    const actor = requestActor(event, 'link-holder', 'link holder');
    const outcome = await decideByLink(core, id, form.token, { decision, actor, now, reason: null });
    if (outcome.kind === 'forbidden')
      logger.warn('decision link refused', { reason: outcome.reason, decision });
    return resultPage(linkDecisionPage(outcome), {
      href: `${prefix}${reviewPath(id)}?token=${encodeURIComponent(form.token ?? '')}`,
      label: 'Back to the review page',
    });
  }

  async function iamRoute(route: Route, event: ApprovalEvent, now: Date): Promise<ApprovalResponse> {
    const caller = iamCallerArn(event);
    if (caller === null) {
      return jsonError(403, 'forbidden', 'this route takes SigV4-signed requests only (AWS_IAM authorizer)');
    }
    logger.appendKeys({ caller });
    if (route.kind === 'iam-list') {
      const raw = event.queryStringParameters?.['limit'];
      const limit = raw === undefined ? DEFAULT_LIST_LIMIT : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        return jsonError(400, 'bad-request', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
      }
      const open = await listOpenProposals(store, limit, now);
      return json(200, { proposals: open.map(proposalSummary) });
    }
    if (route.kind === 'review' || route.kind === 'decide')
      return jsonError(404, 'not-found', 'no such route');
    if (!isProposalId(route.id)) return jsonError(400, 'bad-request', 'not a proposal id');
    logger.appendKeys({ proposalId: route.id });
    if (route.kind === 'iam-get') {
      const record = await store.get(route.id);
      return record === null
        ? jsonError(404, 'not-found', 'no such proposal')
        : json(200, { proposal: proposalView(record, now) });
    }
    const body = decisionReason(event);
    if (!body.ok) return jsonError(400, 'bad-request', body.problem);
    const actor = requestActor(event, 'iam', caller);
    const request = { decision: route.decision, actor, now, reason: body.reason };
    return decisionJson(await decideById(core, route.id, request), clock());
  }

  async function dispatch(event: ApprovalEvent): Promise<ApprovalResponse> {
    const { path, prefix, iam } = routedPath(event);
    const match = matchRoute(event.requestContext.http.method, path);
    const enabled = iam ? iamApprovalEnabled(mode) : linksEnabled(mode);
    if (match.kind === 'unknown' || !enabled) {
      return iam
        ? jsonError(404, 'not-found', 'no such route')
        : page('not-found', 'Not found', 'There is no such page.');
    }
    if (match.kind === 'method-not-allowed') {
      const response = iam
        ? jsonError(405, 'method-not-allowed', `use ${match.allow}`)
        : page('method-not-allowed', 'Method not allowed', `Use ${match.allow}.`);
      return { ...response, headers: { ...response.headers, allow: match.allow } };
    }
    const route = match.route;
    const now = clock();
    switch (route.kind) {
      case 'review':
        logger.appendKeys({ proposalId: route.id });
        return review(route.id, event, prefix, now);
      case 'decide':
        logger.appendKeys({ proposalId: route.id });
        return decideAsLinkHolder(route.id, route.decision, event, prefix, now);
      default:
        return iamRoute(route, event, now);
    }
  }

  return async (event: ApprovalEvent, context?: Context): Promise<ApprovalResponse> => {
    let iamPath = false;
    try {
      if (context) logger.addContext(context);
      const { path, iam } = routedPath(event);
      iamPath = iam;
      logger.appendKeys({
        requestId: event.requestContext.requestId,
        route: `${event.requestContext.http.method} ${path}`,
      });
      return await dispatch(event);
    } catch (error) {
      const transient = error instanceof TransientAwsError;
      logger.error(transient ? 'request failed, worth retrying' : 'request failed', {
        reason: describe(error),
      });
      const message = transient
        ? 'The service is busy: try again in a moment. Nothing was decided.'
        : 'The request could not be handled. Nothing was decided.';
      if (iamPath)
        return jsonError(transient ? 503 : 500, transient ? 'unavailable' : 'internal-error', message);
      return transient
        ? page('unavailable', 'Try again', message)
        : page('error', 'Something went wrong', message);
    } finally {
      logger.resetKeys();
    }
  };
}
