/**
 * The short pages a review link's holder meets after a decision, or instead of the review page: what
 * each outcome of core/approval/decide.ts and review.ts tells, in words. The HTTP status follows from
 * the kind (renderResultPage). Pure.
 */
import type { LinkDecisionOutcome } from '../approval/decide';
import type { ApprovalRefusal } from '../approval/eligibility';
import {
  decidedSentence,
  firstApprovalSentence,
  permissionSetSentence,
  refusalSentence,
} from '../approval/views';
import type { IncidentRecord } from '../incident';
import type { ResultKind } from './review-page';
import { accountName } from './account-label';
import { allowedAsVerified } from './verification-context';

export interface ResultPageText {
  kind: ResultKind;
  title: string;
  message: string;
  /** Whether the page links back to the review page (it tells where the proposal stands). */
  linksBack: boolean;
}

/** The same page for a wrong, tampered or missing token and an unknown id: nothing is given away. */
export const INVALID_LINK_PAGE: ResultPageText = {
  kind: 'forbidden',
  title: 'This link is not valid',
  message:
    'The link is incomplete or was altered, or the proposal no longer exists. Open the link in the latest message about this denial.',
  linksBack: false,
};

/** A POST that did not come from the API's own pages (Sec-Fetch-Site / Origin): nothing decided. */
export const CROSS_SITE_PAGE: ResultPageText = {
  kind: 'forbidden',
  title: 'This form was not sent from the review page',
  message:
    "The request did not come from this service's own review page (a cross-site form, or a client that does not say where it comes from), so nothing was decided. Open the link in the latest message and decide on its page.",
  linksBack: false,
};

const REFUSAL_TITLES: Record<ApprovalRefusal['kind'], string> = {
  'not-approvable': 'This proposal cannot be approved',
  'level-rose': 'The grant has changed since it was proposed',
  'link-may-not-approve': 'A review link may not approve this grant',
  'not-an-approver': 'You are not an approver of this grant',
  'self-approval': 'You may not approve your own grant',
  'foreign-approver': "Approvers are principals of the hub's account",
  'same-approver': 'A second, distinct approver is needed',
  'not-auto-approvable': 'Not approved automatically',
};

/** Refusals that are about the proposal's state (409) rather than who asks (403). */
function refusalKind(refusal: ApprovalRefusal): ResultKind {
  return refusal.kind === 'level-rose' || refusal.kind === 'same-approver' ? 'conflict' : 'forbidden';
}

export function refusalPage(refusal: ApprovalRefusal): ResultPageText {
  return done(refusalKind(refusal), REFUSAL_TITLES[refusal.kind], refusalSentence(refusal));
}

export function expiredPage(record: IncidentRecord): ResultPageText {
  return {
    kind: 'expired',
    title: 'This proposal has expired',
    message: `It was not decided before ${record.expiresAt}, so it can no longer be approved; nothing was changed. A new denial opens a new proposal.`,
    linksBack: false,
  };
}

export function linkDecisionPage(outcome: LinkDecisionOutcome): ResultPageText {
  switch (outcome.kind) {
    case 'forbidden':
    case 'not-found':
    case 'no-proposal':
      return INVALID_LINK_PAGE;
    case 'expired':
      return expiredPage(outcome.record);
    case 'conflict':
      return done('conflict', 'Already decided', decidedSentence(outcome.record));
    case 'permission-set':
      return done(
        'bad-request',
        'This proposal cannot be applied here',
        permissionSetSentence(outcome.record),
      );
    case 'apply-deferred':
      return done(
        'done',
        'Approved; the apply follows',
        `The approval is recorded, but ${outcome.reason} (within about ten minutes). Nothing has been written to IAM yet.`,
      );
    case 'refused':
      return refusalPage(outcome.refusal);
    case 'first-approval':
      return done('done', 'First of two approvals recorded', firstApprovalSentence(outcome.record));
    case 'moved':
      return movedPage(outcome.record);
  }
}

function done(kind: ResultKind, title: string, message: string): ResultPageText {
  return { kind, title, message, linksBack: true };
}

/** Where a proposal this request moved stands now (an in-process apply may have finished). */
function movedPage(record: IncidentRecord): ResultPageText {
  // Organization mode: the account the change is written into is named with the target.
  const inAccount =
    record.organizationAccount === undefined ? '' : ` in account ${accountName(record.organizationAccount)}`;
  const target = record.proposal
    ? `${record.proposal.target.type} ${record.proposal.target.name}${inAccount}`
    : `the target${inAccount}`;
  switch (record.status) {
    case 'rejected':
      return done(
        'done',
        'Rejected',
        'The proposal is rejected: nothing was changed. The history records who rejected it.',
      );
    case 'verified':
      return done(
        'done',
        'Applied and verified',
        `The policy was applied to ${target}, read back from IAM and verified by simulation: the denied request is now ${allowedAsVerified(record)}.`,
      );
    case 'not-verified':
      return done(
        'done',
        'Applied, not verified',
        `The policy was applied to ${target}, but the request is still not allowed: ${record.outcome?.blockers.join('; ') || (record.history.at(-1)?.detail ?? 'see the review page')}.`,
      );
    case 'failed':
      return done(
        'done',
        'Approved, but the apply failed',
        record.history.at(-1)?.detail ?? 'See the review page for what happened.',
      );
    default:
      return done(
        'done',
        'Approved: being applied',
        `The change to ${target} is being applied, read back and verified now. The result appears on the review page (reload it in a few seconds) and in the team channel.`,
      );
  }
}
