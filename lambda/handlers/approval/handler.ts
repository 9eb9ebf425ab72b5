/**
 * The approval function: API Gateway HTTP API (payload format 2.0) in, review pages and decisions out.
 * Everything it talks to is a port, so tests and the local server (`passrole-doctor serve`) run it
 * whole; index.ts wires AWS.
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
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithIAMAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import {
  approvalClaimsOf,
  iamApprovalEnabled,
  isProposalId,
  linksEnabled,
  reviewPath,
  type ApprovalMode,
} from '../../core/approval/links';
import type { Actor } from '../../core/approval/status';
import { verifyApprovalToken } from '../../core/approval/token';
import { decisionOf } from '../../core/approval/transition';
import { TransientAwsError } from '../../core/errors';
import type { ProposalEvent, ProposalRecord } from '../../core/incident';
import { PAGE_HEADERS } from '../../core/render/html';
import {
  renderResultPage,
  renderReviewPage,
  type ResultKind,
  type ResultLink,
} from '../../core/render/review-page';
import type { ApplyTrigger } from '../../ports/apply-trigger';
import type { ApprovalStore } from '../../ports/approval-store';

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
  /** The link signing key (Secrets Manager through Powertools' cache in the function). */
  approvalSecret: () => Promise<string>;
  logger: ApprovalLogger;
  settings: { approvalMode: ApprovalMode };
  clock?: () => Date;
}

export type ApprovalEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithIAMAuthorizer;

export interface ApprovalResponse extends APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type ApprovalHandler = (event: ApprovalEvent, context?: Context) => Promise<ApprovalResponse>;

// ---------------------------------------------------------------- requests

type Decision = 'approve' | 'reject';

type Route =
  | { kind: 'review'; id: string }
  | { kind: 'decide'; id: string; decision: Decision }
  | { kind: 'iam-list' }
  | { kind: 'iam-get'; id: string }
  | { kind: 'iam-decide'; id: string; decision: Decision };

type RouteMatch =
  { kind: 'route'; route: Route } | { kind: 'method-not-allowed'; allow: string } | { kind: 'unknown' };

/** The request body beyond which nothing is read: a form with one token is a few dozen bytes. */
const MAX_BODY_BYTES = 8 * 1024;
/** Stored with each decision; headers are attacker-chosen text. */
const MAX_ACTOR_FIELD = 512;
const MAX_REASON = 500;
const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 100;

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** The path without the stage (`/prod/proposals/x` -> `/proposals/x`) and the prefix it had. */
function routedPath(event: ApprovalEvent): { path: string; prefix: string } {
  const raw = event.rawPath || event.requestContext.http.path || '/';
  const stage = event.requestContext.stage;
  const prefix = stage && stage !== '$default' && raw.startsWith(`/${stage}/`) ? `/${stage}` : '';
  const path = raw.slice(prefix.length);
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, prefix };
}

/** Matches the path, then the method: a known path with the wrong method is a 405, not a 404. */
export function matchRoute(method: string, path: string): RouteMatch {
  const parts = path.split('/').slice(1);
  const iam = parts[0] === 'iam';
  const rest = iam ? parts.slice(1) : parts;
  if (rest[0] !== 'proposals') return { kind: 'unknown' };
  const id = rest[1];
  const action = rest[2];
  const verb = method.toUpperCase();
  const only = (allowed: string, route: Route): RouteMatch =>
    verb === allowed ? { kind: 'route', route } : { kind: 'method-not-allowed', allow: allowed };
  if (rest.length === 1) return iam ? only('GET', { kind: 'iam-list' }) : { kind: 'unknown' };
  if (id === undefined || id === '') return { kind: 'unknown' };
  if (rest.length === 2) return only('GET', iam ? { kind: 'iam-get', id } : { kind: 'review', id });
  if (rest.length === 3 && (action === 'approve' || action === 'reject')) {
    return only(
      'POST',
      iam ? { kind: 'iam-decide', id, decision: action } : { kind: 'decide', id, decision: action },
    );
  }
  return { kind: 'unknown' };
}

type BodyRead = { ok: true; text: string } | { ok: false; problem: string };

/** The body as text, decoded when API Gateway base64-encoded it (form posts usually are). */
export function requestBody(event: ApprovalEvent): BodyRead {
  const body = event.body ?? '';
  if (body === '') return { ok: true, text: '' };
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES * 2)
    return { ok: false, problem: 'the body is too large' };
  if (!event.isBase64Encoded) {
    return Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES
      ? { ok: false, problem: 'the body is too large' }
      : { ok: true, text: body };
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return { ok: false, problem: 'the body is not valid base64' };
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > MAX_BODY_BYTES) return { ok: false, problem: 'the body is too large' };
  return { ok: true, text: bytes.toString('utf8') };
}

function header(event: ApprovalEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

type TokenRead = { ok: true; token: string | null } | { ok: false; problem: string };

/** The token of a review form (application/x-www-form-urlencoded; null when absent). */
export function formToken(event: ApprovalEvent): TokenRead {
  const type = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && type !== '' && type !== 'application/x-www-form-urlencoded') {
    return {
      ok: false,
      problem: `expected a form (application/x-www-form-urlencoded), got ${type.slice(0, 100)}`,
    };
  }
  const body = requestBody(event);
  if (!body.ok) return body;
  return { ok: true, token: new URLSearchParams(body.text).get('token') };
}

type ReasonRead = { ok: true; reason: string | null } | { ok: false; problem: string };

/** The optional JSON body of an IAM decision: `{"reason": "..."}`, stored with the history entry. */
export function decisionReason(event: ApprovalEvent): ReasonRead {
  const body = requestBody(event);
  if (!body.ok) return body;
  if (body.text.trim() === '') return { ok: true, reason: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'the body must be a JSON object, e.g. {"reason": "..."}' };
  }
  const reason = (parsed as Record<string, unknown>)['reason'];
  if (reason === undefined || reason === null) return { ok: true, reason: null };
  if (typeof reason !== 'string') return { ok: false, problem: 'reason must be a string' };
  // eslint-disable-next-line no-control-regex
  const clean = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return { ok: true, reason: clean === '' ? null : clean.slice(0, MAX_REASON) };
}

function capped(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value.slice(0, MAX_ACTOR_FIELD);
}

/** The SigV4 caller's ARN, as the AWS_IAM authorizer put it in the request context; null without. */
export function iamCallerArn(event: ApprovalEvent): string | null {
  const authorizer: unknown = (event.requestContext as { authorizer?: unknown }).authorizer;
  if (typeof authorizer !== 'object' || authorizer === null) return null;
  const iam = (authorizer as { iam?: unknown }).iam;
  if (typeof iam !== 'object' || iam === null) return null;
  const arn = (iam as { userArn?: unknown }).userArn;
  return typeof arn === 'string' && arn.startsWith('arn:') ? arn.slice(0, MAX_ACTOR_FIELD) : null;
}

// ---------------------------------------------------------------- views

function describeActor(actor: Actor): string {
  return `${actor.name}${actor.sourceIp ? ` from ${actor.sourceIp}` : ''}`;
}

/** "Already approved by link holder from 198.51.100.7 at ...; it is now verified." */
function decidedSentence(record: ProposalRecord): string {
  const decision = decisionOf(record);
  if (decision === null) return `It is ${record.status}: there is nothing to decide.`;
  const now = record.status === decision.status ? '' : `; it is now ${record.status}`;
  return `It was already ${decision.status} by ${describeActor(decision.actor)} at ${decision.at}${now}.`;
}

function permissionSetSentence(record: ProposalRecord): string {
  const name = record.proposal?.target.name ?? 'unknown';
  return `Its principal is managed by IAM Identity Center, whose roles must not be edited: add the statement to the inline policy of permission set ${name} and re-provision the permission set to account ${record.denial.account}. The review page shows the statement.`;
}

function historyView(event: ProposalEvent) {
  return { status: event.status, actor: event.actor, at: event.at, detail: event.detail };
}

export function proposalSummary(record: ProposalRecord) {
  return {
    id: record.id,
    status: record.status,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    summary: record.diagnosis.summary,
    target: record.proposal?.target ?? null,
    policyName: record.proposal?.policyName ?? null,
  };
}

export function proposalView(record: ProposalRecord, now: Date) {
  const { denial, diagnosis, proposal } = record;
  return {
    ...proposalSummary(record),
    expired: now.toISOString() >= record.expiresAt,
    occurrenceCount: record.occurrenceCount,
    lastSeenAt: record.lastSeenAt,
    verdict: diagnosis.verdict,
    denial: {
      principalArn: denial.principalArn,
      policySourceArn: denial.policySourceArn,
      deniedAction: denial.deniedAction,
      roleArn: denial.roleArn,
      passedToService: denial.passedToService,
      eventTime: denial.eventTime,
      account: denial.account,
      region: denial.region,
    },
    findings: diagnosis.findings.map(({ kind, message }) => ({ kind, message })),
    proposal:
      proposal === null
        ? null
        : {
            target: proposal.target,
            policyName: proposal.policyName,
            document: proposal.document,
            documentHash: record.documentHash,
            verified: proposal.verified,
            blockers: proposal.blockers,
            risk: proposal.risk,
          },
    history: record.history.map(historyView),
    outcome: record.outcome,
  };
}

// ---------------------------------------------------------------- the handler

/** What a decision came to, for the page or the JSON that tells it. */
type DecisionResult =
  | { kind: 'moved'; record: ProposalRecord }
  | { kind: 'apply-not-started'; record: ProposalRecord; reason: string }
  | { kind: 'conflict'; record: ProposalRecord }
  | { kind: 'expired'; record: ProposalRecord }
  | { kind: 'not-found' }
  | { kind: 'permission-set'; record: ProposalRecord }
  | { kind: 'no-proposal'; record: ProposalRecord };

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.split('\n')[0] ?? error.name;
  return String(error);
}

export function createApprovalHandler(deps: ApprovalHandlerDependencies): ApprovalHandler {
  const { store, applyTrigger, logger } = deps;
  const mode = deps.settings.approvalMode;
  const clock = deps.clock ?? (() => new Date());

  function page(kind: ResultKind, title: string, message: string, link?: ResultLink): ApprovalResponse {
    const result = renderResultPage(kind, title, message, link);
    return { statusCode: result.statusCode, headers: { ...PAGE_HEADERS }, body: result.body };
  }

  function json(statusCode: number, body: unknown): ApprovalResponse {
    return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
  }

  function jsonError(statusCode: number, error: string, message: string, extra: LogAttributes = {}) {
    return json(statusCode, { error, message, ...extra });
  }

  const INVALID_LINK = () =>
    page(
      'forbidden',
      'This link is not valid',
      'The link is incomplete or was altered, or the proposal no longer exists. Open the link in the latest message about this denial.',
    );

  const EXPIRED = (record: ProposalRecord) =>
    page(
      'expired',
      'This proposal has expired',
      `It was not decided before ${record.expiresAt}, so it can no longer be approved; nothing was changed. A new denial opens a new proposal.`,
    );

  type LinkCheck =
    | { kind: 'valid'; record: ProposalRecord }
    | { kind: 'expired'; record: ProposalRecord }
    | { kind: 'invalid'; reason: string };

  /** The record behind a review link, if the token is the one signed for it. */
  async function checkLink(id: string, token: unknown, now: Date): Promise<LinkCheck> {
    if (!isProposalId(id)) return { kind: 'invalid', reason: 'not a proposal id' };
    if (typeof token !== 'string' || token === '') return { kind: 'invalid', reason: 'no token' };
    const record = await store.get(id);
    if (record === null) return { kind: 'invalid', reason: 'unknown proposal' };
    const claims = approvalClaimsOf(record);
    if (claims === null) return { kind: 'invalid', reason: 'nothing to review' };
    const check = verifyApprovalToken(token, claims, await deps.approvalSecret(), now);
    if (check.ok) return { kind: 'valid', record };
    return check.reason === 'expired'
      ? { kind: 'expired', record }
      : { kind: 'invalid', reason: 'wrong token' };
  }

  /**
   * Decides a pending proposal: refusals first (nothing to apply, already decided, expired, a
   * permission set), then the conditional move, then starting the apply. When the apply cannot be
   * started the proposal ends `failed` rather than staying approved with nobody applying it.
   */
  async function decide(
    record: ProposalRecord,
    decision: Decision,
    actor: Actor,
    now: Date,
    reason: string | null,
  ): Promise<DecisionResult> {
    const id = record.id;
    if (record.proposal === null) return { kind: 'no-proposal', record };
    if (record.status !== 'pending') return { kind: 'conflict', record };
    if (now.toISOString() >= record.expiresAt) return { kind: 'expired', record };
    if (decision === 'approve' && record.proposal.target.type === 'permission-set') {
      return { kind: 'permission-set', record };
    }
    const outcome = await store.transition(id, {
      from: 'pending',
      to: decision === 'approve' ? 'approved' : 'rejected',
      actor,
      at: now,
      ...(reason !== null ? { detail: reason } : {}),
    });
    if (outcome.kind !== 'moved') return outcome;
    logger.info(decision === 'approve' ? 'proposal approved' : 'proposal rejected', {
      actor: { kind: actor.kind, name: actor.name, sourceIp: actor.sourceIp },
    });
    if (decision === 'reject') return outcome;
    try {
      await applyTrigger.requestApply(id);
      logger.info('apply requested');
    } catch (error) {
      // The reason goes to the log; the record (shown to link holders) says what it means.
      const why = 'the apply step could not be started; nothing was applied';
      logger.error('apply could not be started: the proposal is marked failed', { reason: describe(error) });
      const failed = await store.transition(id, {
        from: 'approved',
        to: 'failed',
        actor,
        at: clock(),
        detail: why,
      });
      return {
        kind: 'apply-not-started',
        record: failed.kind === 'not-found' ? outcome.record : failed.record,
        reason: why,
      };
    }
    // An in-process trigger (the local server) applies before it returns: the record may tell the result.
    return { kind: 'moved', record: (await store.get(id)) ?? outcome.record };
  }

  // ------------------------------------------------ link routes

  async function review(
    id: string,
    event: ApprovalEvent,
    prefix: string,
    now: Date,
  ): Promise<ApprovalResponse> {
    const token = event.queryStringParameters?.['token'];
    const link = await checkLink(id, token, now);
    if (link.kind === 'invalid') {
      logger.warn('review link refused', { reason: link.reason });
      return INVALID_LINK();
    }
    const record = link.record;
    // Past the expiry a pending proposal is gone for good; a decided one still shows what happened.
    if (link.kind === 'expired' && record.status === 'pending') return EXPIRED(record);
    logger.info('review page served', { status: record.status });
    const body = renderReviewPage({
      record,
      history: record.history.map((entry) => ({
        status: entry.status,
        actor: entry.actor.name,
        at: entry.at,
        sourceIp: entry.actor.sourceIp,
        detail: entry.detail,
      })),
      token: link.kind === 'valid' ? (token ?? null) : null,
      actionBase: `${prefix}${reviewPath(id)}`,
      now,
    });
    return { statusCode: 200, headers: { ...PAGE_HEADERS }, body };
  }

  function linkDecisionPage(result: DecisionResult, backLink: ResultLink): ApprovalResponse {
    switch (result.kind) {
      case 'not-found':
        return INVALID_LINK();
      case 'no-proposal':
        return INVALID_LINK();
      case 'expired':
        return EXPIRED(result.record);
      case 'conflict':
        return page('conflict', 'Already decided', decidedSentence(result.record), backLink);
      case 'permission-set':
        return page(
          'bad-request',
          'This proposal cannot be applied here',
          permissionSetSentence(result.record),
          backLink,
        );
      case 'apply-not-started':
        return page(
          'unavailable',
          'Approved, but not applied',
          `The approval was recorded, but ${result.reason}. The proposal is marked failed and will not be applied; the next denial opens a new proposal.`,
          backLink,
        );
      case 'moved':
        return movedPage(result.record, backLink);
    }
  }

  function movedPage(record: ProposalRecord, backLink: ResultLink): ApprovalResponse {
    const target = record.proposal
      ? `${record.proposal.target.type} ${record.proposal.target.name}`
      : 'the target';
    switch (record.status) {
      case 'rejected':
        return page(
          'done',
          'Rejected',
          'The proposal is rejected: nothing was changed. The history records who rejected it.',
          backLink,
        );
      case 'verified':
        return page(
          'done',
          'Applied and verified',
          `The policy was applied to ${target}, read back from IAM and verified by simulation: the denied request is now allowed.`,
          backLink,
        );
      case 'not-verified':
        return page(
          'done',
          'Applied, not verified',
          `The policy was applied to ${target}, but the request is still not allowed: ${record.outcome?.blockers.join('; ') || (record.history.at(-1)?.detail ?? 'see the review page')}.`,
          backLink,
        );
      case 'failed':
        return page(
          'done',
          'Approved, but the apply failed',
          record.history.at(-1)?.detail ?? 'See the review page for what happened.',
          backLink,
        );
      default:
        return page(
          'done',
          'Approved: being applied',
          `The change to ${target} is being applied, read back and verified now. The result appears on the review page (reload it in a few seconds) and in the team channel.`,
          backLink,
        );
    }
  }

  async function decideByLink(
    id: string,
    decision: Decision,
    event: ApprovalEvent,
    prefix: string,
    now: Date,
  ): Promise<ApprovalResponse> {
    const form = formToken(event);
    if (!form.ok) return page('bad-request', 'Bad request', form.problem);
    const link = await checkLink(id, form.token, now);
    if (link.kind === 'invalid') {
      logger.warn('decision link refused', { reason: link.reason, decision });
      return INVALID_LINK();
    }
    const backLink: ResultLink = {
      href: `${prefix}${reviewPath(id)}?token=${encodeURIComponent(form.token ?? '')}`,
      label: 'Back to the review page',
    };
    if (link.kind === 'expired') {
      return link.record.status === 'pending'
        ? EXPIRED(link.record)
        : page('conflict', 'Already decided', decidedSentence(link.record), backLink);
    }
    const actor: Actor = {
      kind: 'link-holder',
      name: 'link holder',
      sourceIp: capped(event.requestContext.http.sourceIp),
      userAgent: capped(event.requestContext.http.userAgent),
    };
    return linkDecisionPage(await decide(link.record, decision, actor, now, null), backLink);
  }

  // ------------------------------------------------ IAM routes

  function iamDecisionJson(result: DecisionResult): ApprovalResponse {
    switch (result.kind) {
      case 'not-found':
        return jsonError(404, 'not-found', 'no such proposal');
      case 'no-proposal':
        return jsonError(400, 'not-applicable', 'this diagnosis has no proposal: there is nothing to decide');
      case 'expired':
        return jsonError(
          410,
          'expired',
          `the proposal expired at ${result.record.expiresAt}; nothing was changed`,
        );
      case 'conflict': {
        const decision = decisionOf(result.record);
        return jsonError(409, 'conflict', decidedSentence(result.record), {
          status: result.record.status,
          decidedBy: decision?.actor.name ?? null,
          decidedAt: decision?.at ?? null,
        });
      }
      case 'permission-set':
        return jsonError(400, 'permission-set', permissionSetSentence(result.record));
      case 'apply-not-started':
        return jsonError(503, 'apply-not-started', `the approval was recorded, but ${result.reason}`, {
          status: result.record.status,
        });
      case 'moved':
        return json(200, { proposal: proposalView(result.record, clock()) });
    }
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
      const pending = await store.listByStatus('pending', limit);
      const open = pending.filter((record) => record.expiresAt > now.toISOString());
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
    const record = await store.get(route.id);
    if (record === null) return jsonError(404, 'not-found', 'no such proposal');
    const actor: Actor = {
      kind: 'iam',
      name: caller,
      sourceIp: capped(event.requestContext.http.sourceIp),
      userAgent: capped(event.requestContext.http.userAgent),
    };
    return iamDecisionJson(await decide(record, route.decision, actor, now, body.reason));
  }

  // ------------------------------------------------ dispatch

  async function dispatch(event: ApprovalEvent): Promise<ApprovalResponse> {
    const { path, prefix } = routedPath(event);
    const iamPath = path === '/iam' || path.startsWith('/iam/');
    const match = matchRoute(event.requestContext.http.method, path);
    const enabled = iamPath ? iamApprovalEnabled(mode) : linksEnabled(mode);
    if (match.kind === 'unknown' || !enabled) {
      return iamPath
        ? jsonError(404, 'not-found', 'no such route')
        : page('not-found', 'Not found', 'There is no such page.');
    }
    if (match.kind === 'method-not-allowed') {
      const response = iamPath
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
        return decideByLink(route.id, route.decision, event, prefix, now);
      default:
        return iamRoute(route, event, now);
    }
  }

  return async (event: ApprovalEvent, context?: Context): Promise<ApprovalResponse> => {
    let iamPath = false;
    try {
      if (context) logger.addContext(context);
      const { path } = routedPath(event);
      iamPath = path === '/iam' || path.startsWith('/iam/');
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
