/**
 * The approval function's answers: result pages for link holders, JSON for IAM callers (the CLI), and
 * the HTTP status each outcome of core/approval maps to.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DecisionOutcome } from '../../core/approval/decide';
import { decisionOf } from '../../core/approval/transition';
import {
  decidedSentence,
  firstApprovalSentence,
  permissionSetSentence,
  proposalView,
  refusalSentence,
} from '../../core/approval/views';
import type { ResultPageText } from '../../core/render/decision-page';
import { PAGE_HEADERS } from '../../core/render/html';
import { renderResultPage, type ResultKind, type ResultLink } from '../../core/render/review-page';

export interface ApprovalResponse extends APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function htmlPage(body: string): ApprovalResponse {
  return { statusCode: 200, headers: { ...PAGE_HEADERS }, body };
}

export function page(kind: ResultKind, title: string, message: string, link?: ResultLink): ApprovalResponse {
  const result = renderResultPage(kind, title, message, link);
  return { statusCode: result.statusCode, headers: { ...PAGE_HEADERS }, body: result.body };
}

/** A core result page; the link back to the review page only where the page says it helps. */
export function resultPage(text: ResultPageText, backLink?: ResultLink): ApprovalResponse {
  return page(text.kind, text.title, text.message, text.linksBack ? backLink : undefined);
}

export function json(statusCode: number, body: unknown): ApprovalResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export function jsonError(
  statusCode: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
): ApprovalResponse {
  return json(statusCode, { error, message, ...extra });
}

/** What an IAM caller's decision came to, as the CLI reads it. */
export function decisionJson(outcome: DecisionOutcome, now: Date): ApprovalResponse {
  switch (outcome.kind) {
    case 'not-found':
      return jsonError(404, 'not-found', 'no such proposal');
    case 'no-proposal':
      return jsonError(400, 'not-applicable', 'this diagnosis has no proposal: there is nothing to decide');
    case 'expired':
      return jsonError(
        410,
        'expired',
        `the proposal expired at ${outcome.record.expiresAt}; nothing was changed`,
      );
    case 'conflict': {
      const decision = decisionOf(outcome.record);
      return jsonError(409, 'conflict', decidedSentence(outcome.record), {
        status: outcome.record.status,
        decidedBy: decision?.actor.name ?? null,
        decidedAt: decision?.at ?? null,
      });
    }
    case 'permission-set':
      return jsonError(400, 'permission-set', permissionSetSentence(outcome.record));
    case 'apply-deferred':
      // Accepted: the approval stands and the apply follows later.
      return json(202, { proposal: proposalView(outcome.record, now), note: `approved; ${outcome.reason}` });
    case 'refused': {
      const kind = outcome.refusal.kind;
      const status = kind === 'level-rose' || kind === 'same-approver' ? 409 : 403;
      return jsonError(status, kind, refusalSentence(outcome.refusal), { refusal: outcome.refusal });
    }
    case 'first-approval':
      // Accepted: recorded, and waiting for a second approver.
      return json(202, {
        proposal: proposalView(outcome.record, now),
        note: firstApprovalSentence(outcome.record),
        approvalsNeeded: 2,
        approvals: outcome.record.approvals ?? [],
      });
    case 'moved':
      return json(200, { proposal: proposalView(outcome.record, now) });
  }
}
