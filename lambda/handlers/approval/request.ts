/**
 * Reading the approval function's HTTP event (API Gateway HTTP API, payload format 2.0): the route
 * (path without its stage, then method), the body (base64 when API Gateway encoded it), a review form's token, an IAM
 * decision's reason, the SigV4 caller and who is asking. Every value is attacker-chosen text: each
 * reader has a limit and answers with a value, never an exception.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import type { ApprovalDecision } from '../../core/approval/decide';
import type { Actor } from '../../core/approval/status';

export type ApprovalEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithIAMAuthorizer;

/** The request body beyond which nothing is read: a form with one token is a few dozen bytes. */
const MAX_BODY_BYTES = 8 * 1024;
/** Stored with each decision; headers are attacker-chosen text. */
const MAX_ACTOR_FIELD = 512;
const MAX_REASON = 500;

/** The path without the stage (`/prod/proposals/x` -> `/proposals/x`) and the prefix it had. */
export function routedPath(event: ApprovalEvent): { path: string; prefix: string; iam: boolean } {
  const raw = event.rawPath || event.requestContext.http.path || '/';
  const stage = event.requestContext.stage;
  const prefix = stage && stage !== '$default' && raw.startsWith(`/${stage}/`) ? `/${stage}` : '';
  const sliced = raw.slice(prefix.length);
  const path = sliced.length > 1 ? sliced.replace(/\/+$/, '') : sliced;
  return { path, prefix, iam: path === '/iam' || path.startsWith('/iam/') };
}

export type Route =
  | { kind: 'review'; id: string }
  | { kind: 'decide'; id: string; decision: ApprovalDecision }
  | { kind: 'iam-list' }
  | { kind: 'iam-get'; id: string }
  | { kind: 'iam-decide'; id: string; decision: ApprovalDecision };

export type RouteMatch =
  { kind: 'route'; route: Route } | { kind: 'method-not-allowed'; allow: string } | { kind: 'unknown' };

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

/** The API's own origin as a browser names it: `https://` + the domain API Gateway was called on. */
export function apiOrigin(event: ApprovalEvent): string {
  return `https://${event.requestContext.domainName}`;
}

export type OriginCheck = { ok: true } | { ok: false; problem: string };

/**
 * Whether a form POST came from the API's own pages: `Sec-Fetch-Site: same-origin` (with no Origin,
 * ours, or `null`), or an `Origin` equal to `ownOrigin`. Either header naming anything else, or neither header, refuses it: a
 * cross-site form would make a reviewer's browser decide, recorded under the reviewer's address.
 */
export function sameOriginForm(event: ApprovalEvent, ownOrigin: string): OriginCheck {
  const site = header(event, 'sec-fetch-site')?.trim().toLowerCase() ?? '';
  const origin = header(event, 'origin')?.trim() ?? '';
  if (site !== '' && site !== 'same-origin') {
    return { ok: false, problem: `Sec-Fetch-Site is ${site.slice(0, 40)}` };
  }
  // Browsers send `Origin: null` on a POST from a page whose referrer policy is no-referrer (ours, so
  // the token never leaks through a Referer); Sec-Fetch-Site, which no page can forge, still names it.
  const nullFromOwnPage = origin.toLowerCase() === 'null' && site === 'same-origin';
  if (origin !== '' && !nullFromOwnPage && origin.toLowerCase() !== ownOrigin.toLowerCase()) {
    return { ok: false, problem: `Origin ${origin.slice(0, 200)} is not ${ownOrigin}` };
  }
  if (site === '' && origin === '')
    return { ok: false, problem: 'neither Sec-Fetch-Site nor Origin was sent' };
  return { ok: true };
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

/** Who decides, as the history records it: the link holder or the IAM caller, and where from. */
export function requestActor(event: ApprovalEvent, kind: Actor['kind'], name: string): Actor {
  return {
    kind,
    name,
    sourceIp: capped(event.requestContext.http.sourceIp),
    userAgent: capped(event.requestContext.http.userAgent),
  };
}
