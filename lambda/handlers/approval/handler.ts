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
 * Who may approve what is core/approval (eligibility.ts): an approval re-reads and re-analyses the
 * account first, and is refused (403, or 409 when the proposal itself changed) with the reason as a
 * value. A link POST must come from the API's own pages (Sec-Fetch-Site / Origin), else the 403 page.
 *
 * What the event must hold (a local server builds the same): rawPath, requestContext.http.method,
 * .sourceIp, .userAgent, requestContext.stage, requestContext.domainName, queryStringParameters,
 * headers (lower-case names), body + isBase64Encoded, and for IAM routes
 * requestContext.authorizer.iam.userArn.
 *
 * The function is also invoked directly (function-entry.ts): `{"source":
 * "passrole-doctor.auto-approve", "proposalId": "<id>"}` asks the auto-approval rule to look at a new
 * proposal; it decides nothing by itself (see autoApproveProposal).
 */
import type { Context } from 'aws-lambda';
import {
  decideById,
  decideByLink,
  type ApprovalDecision,
  type DecideDependencies,
  type DecisionOutcome,
  type DecisionProgress,
} from '../../core/approval/decide';
import {
  iamApprovalEnabled,
  isProposalId,
  linksEnabled,
  reviewPath,
  type ApprovalMode,
} from '../../core/approval/links';
import type { EscalationAnalyser } from '../../core/approval/recheck';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicySettings } from '../../core/approval/requirement';
import { decisionView, listOpenProposals, reviewByLink } from '../../core/approval/review';
import { proposalSummary, proposalView, refusalSentence } from '../../core/approval/views';
import { RetryRecordError } from '../../core/errors';
import type { LinkMacVerifier } from '../../ports/link-mac';
import type { Logger } from '../../ports/observability';
import {
  CROSS_SITE_PAGE,
  expiredPage,
  INVALID_LINK_PAGE,
  linkDecisionPage,
} from '../../core/render/decision-page';
import { renderReviewPage, type ReviewPageInput } from '../../core/render/review-page';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import type { DecisionStore } from '../../ports/approval-store';
import type { DecisionSigner } from '../../ports/decision-signer';
import type { AccountAccess } from '../../ports/account-access';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { IdentityCenterReader } from '../../ports/identity-center';
import { accountOf } from '../../core/iam/arn';
import type { RolePathResolver } from '../../ports/role-path-resolver';
import {
  apiOrigin,
  decisionReason,
  formToken,
  iamCallerArn,
  matchRoute,
  requestActor,
  routedPath,
  sameOriginForm,
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

/**
 * The deployment's approval settings. Anything left out takes the safe default
 * (DEFAULT_APPROVAL_POLICY: no approvers, no admin grants, no auto-approval).
 */
export type ApprovalHandlerSettings = { approvalMode: ApprovalMode } & Partial<ApprovalPolicySettings> & {
    /** ARN patterns of this stack's own resources (access to them is `sensitive`). */
    ownResourceArns?: readonly string[];
  };

export interface ApprovalHandlerDependencies {
  store: DecisionStore;
  applyTrigger: ApplyTrigger;
  /** Checks review links' MACs (KmsLinkMac: kms:VerifyMac on LINK_MAC_KEY_ID in the function). */
  linkMac: LinkMacVerifier;
  /** Signs each approval (KMS on AWS, an in-process key pair for serve). */
  signer: DecisionSigner;
  /**
   * The denial's account as the re-check at decision time reads it: organization mode's member read
   * roles. Without it, `escalationReader` (this account's).
   */
  accounts?: AccountAccess;
  /** Reads what the re-check at decision time analyses, in this account. */
  escalationReader?: EscalationReader;
  /**
   * Organization mode: approvers are principals of the hub's account, the function's own (from its
   * ARN) unless settings.approverAccount names it.
   */
  organization?: boolean;
  /** The escalation analysis; core/escalation/analyse.ts unless a test injects one. */
  analyse?: EscalationAnalyser;
  /** A session's role path, for `approvers` patterns that name one. */
  rolePaths?: RolePathResolver;
  /** Identity Center's reads (its read role): separation of duties for permission sets. */
  identityCenter?: IdentityCenterReader;
  logger: Logger;
  settings: ApprovalHandlerSettings;
  /** The origin the review pages are served from; `https://` + the request's domain by default. */
  ownOrigin?: (event: ApprovalEvent) => string;
  clock?: () => Date;
  newDecisionId?: () => string;
}

export type ApprovalHandler = (event: ApprovalEvent, context?: Context) => Promise<ApprovalResponse>;

// ---------------------------------------------------------------- the handler

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 100;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  return String(error);
}

/** The core's dependencies, from the handler's. */
export function decideDependencies(
  deps: ApprovalHandlerDependencies,
  clock: () => Date,
  onProgress: (progress: DecisionProgress) => void,
): DecideDependencies & { linkMac: LinkMacVerifier } {
  const { ownResourceArns, ...policy } = deps.settings;
  return {
    store: deps.store,
    applyTrigger: deps.applyTrigger,
    linkMac: deps.linkMac,
    signer: deps.signer,
    ...(deps.accounts ? { accounts: deps.accounts } : {}),
    ...(deps.escalationReader ? { escalationReader: deps.escalationReader } : {}),
    ...(deps.analyse ? { analyse: deps.analyse } : {}),
    ...(deps.rolePaths ? { rolePaths: deps.rolePaths } : {}),
    ...(deps.identityCenter ? { identityCenter: deps.identityCenter } : {}),
    ...(deps.newDecisionId ? { newDecisionId: deps.newDecisionId } : {}),
    policy: { ...DEFAULT_APPROVAL_POLICY, ...policy },
    ownResourceArns: ownResourceArns ?? [],
    clock,
    onProgress,
  };
}

/** Logs the steps of a decision as they happen. */
export function progressLogger(logger: Logger): (progress: DecisionProgress) => void {
  return (progress) => {
    if (progress.kind === 'decided') {
      const { kind, name, sourceIp } = progress.actor;
      const message = progress.decision === 'approve' ? 'proposal approved' : 'proposal rejected';
      logger.info(message, { actor: { kind, name, sourceIp } });
    } else if (progress.kind === 'approval-recorded') {
      const { kind, name, sourceIp } = progress.actor;
      logger.info('first of two approvals recorded', { actor: { kind, name, sourceIp } });
    } else if (progress.kind === 'apply-requested') {
      logger.info('apply requested');
    } else {
      logger.warn('apply could not be started now: the proposal stays approved for the reconciler', {
        reason: describe(progress.cause),
      });
    }
  };
}

/** Logs a refused approval (who, and why as a value) at warn: refusals are what an attack looks like. */
function logRefusal(logger: Logger, outcome: DecisionOutcome | { kind: 'forbidden' }): void {
  if (outcome.kind === 'refused') {
    logger.warn('approval refused', { refusal: outcome.refusal.kind, why: refusalSentence(outcome.refusal) });
  }
}

export function createApprovalHandler(deps: ApprovalHandlerDependencies): ApprovalHandler {
  const { logger } = deps;
  const mode = deps.settings.approvalMode;
  const clock = deps.clock ?? (() => new Date());
  const { store } = deps;
  let core = decideDependencies(deps, clock, progressLogger(logger));

  /** Organization mode: the hub's account, once known from the first invocation's own ARN. */
  function bindApproverAccount(context: Context | undefined): void {
    if (deps.organization !== true || (core.policy.approverAccount ?? null) !== null) return;
    const own = context === undefined ? null : accountOf(context.invokedFunctionArn);
    // Unknown (no context): no IAM caller is the hub's, so every IAM approval is refused.
    core = { ...core, policy: { ...core.policy, approverAccount: own ?? 'unknown' } };
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
    logger.info('review page served', {
      status: outcome.record.status,
      linkMayApprove: outcome.linkMayApprove,
    });
    const { record, history, token, linkMayApprove } = outcome;
    const input: ReviewPageInput = {
      record,
      history,
      token,
      actionBase: `${prefix}${reviewPath(id)}`,
      now,
      linkMayApprove,
    };
    return htmlPage(renderReviewPage(input));
  }

  async function decideAsLinkHolder(
    id: string,
    decision: ApprovalDecision,
    event: ApprovalEvent,
    prefix: string,
    now: Date,
  ): Promise<ApprovalResponse> {
    const origin = sameOriginForm(event, deps.ownOrigin?.(event) ?? apiOrigin(event));
    if (!origin.ok) {
      logger.warn('cross-site form refused', { reason: origin.problem, decision });
      return resultPage(CROSS_SITE_PAGE);
    }
    const form = formToken(event);
    if (!form.ok) return page('bad-request', 'Bad request', form.problem);
    const actor = requestActor(event, 'link-holder', 'link holder');
    const outcome = await decideByLink(core, id, form.token, { decision, actor, now, reason: null });
    if (outcome.kind === 'forbidden')
      logger.warn('decision link refused', { reason: outcome.reason, decision });
    logRefusal(logger, outcome);
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
      if (record === null) return jsonError(404, 'not-found', 'no such proposal');
      // A pending proposal stored before the escalation analysis existed is analysed now (not stored).
      const view = await decisionView(core, record);
      return json(200, { proposal: proposalView(view.record, now) });
    }
    const body = decisionReason(event);
    if (!body.ok) return jsonError(400, 'bad-request', body.problem);
    const actor = requestActor(event, 'iam', caller);
    const request = { decision: route.decision, actor, now, reason: body.reason };
    const outcome = await decideById(core, route.id, request);
    logRefusal(logger, outcome);
    return decisionJson(outcome, clock());
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
      bindApproverAccount(context);
      const { path, iam } = routedPath(event);
      iamPath = iam;
      logger.appendKeys({
        requestId: event.requestContext.requestId,
        route: `${event.requestContext.http.method} ${path}`,
      });
      return await dispatch(event);
    } catch (error) {
      const transient = error instanceof RetryRecordError;
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
