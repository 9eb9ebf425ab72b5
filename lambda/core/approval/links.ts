/**
 * How a proposal is reviewed and decided, in one place: the review link (with its token) the messages
 * carry and the approval function checks, and the CLI commands named approvers run. The diagnose
 * function, the approval function and the local server all build them here, so a link signed by one
 * is the link the other verifies.
 */
import { approvableTarget } from './approvable-target';
import type { IncidentRecord } from '../incident';
import type { LinkMacGenerator } from '../../ports/link-mac';
import { signApprovalToken, type ApprovalClaims } from './token';

/**
 * How proposals are approved: `link` (an HMAC-signed review link, the token is the credential),
 * `iam` (SigV4-signed calls to the AWS_IAM routes, e.g. from the CLI, recording the approver's ARN)
 * or `both` (the default). The one definition: lib/settings.ts and the constructs use it too.
 */
export type ApprovalMode = 'link' | 'iam' | 'both';

export const APPROVAL_MODES: readonly ApprovalMode[] = ['link', 'iam', 'both'];
export const DEFAULT_APPROVAL_MODE: ApprovalMode = 'both';

export function linksEnabled(mode: ApprovalMode): boolean {
  return mode === 'link' || mode === 'both';
}

export function iamApprovalEnabled(mode: ApprovalMode): boolean {
  return mode === 'iam' || mode === 'both';
}

/**
 * What a proposal id looks like (the diagnose function makes UUIDs): safe in a URL path, a shell
 * command and a DynamoDB key as it is. Anything else in a request is refused before a read.
 */
export const PROPOSAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isProposalId(value: unknown): value is string {
  return typeof value === 'string' && PROPOSAL_ID_PATTERN.test(value);
}

/** The parts of a record a link vouches for. */
export type ClaimedRecord = Pick<IncidentRecord, 'id' | 'documentHash' | 'proposal' | 'expiresAt'> & {
  denial: Pick<IncidentRecord['denial'], 'account'>;
};

/**
 * What a review link's token vouches for: this proposal, its denial's account, its document's hash,
 * its target and its expiry. Null for a record without a proposal: there is nothing to sign, so no
 * link can ever match.
 */
export function approvalClaimsOf(record: ClaimedRecord): ApprovalClaims | null {
  if (record.proposal === null || record.documentHash === null) return null;
  const { type, name, arn } = record.proposal.target;
  return {
    proposalId: record.id,
    account: record.denial.account,
    documentHash: record.documentHash,
    target: { type, name, arn },
    expiresAt: record.expiresAt,
  };
}

/** The review page's path, relative to the API's base URL. */
export function reviewPath(proposalId: string): string {
  return `/proposals/${encodeURIComponent(proposalId)}`;
}

/** `<base>/proposals/<id>?token=<token>`; the token is base64url, safe in a query string as it is. */
export function reviewUrl(baseUrl: string, proposalId: string, token: string): string {
  return `${baseUrl.trim().replace(/\/+$/, '')}${reviewPath(proposalId)}?token=${encodeURIComponent(token)}`;
}

export interface ApprovalLinks {
  /** The review page with its token; null in `iam` mode, without a base URL or a key, or nothing to review. */
  reviewUrl: string | null;
  /**
   * `npx passrole-doctor approve <id> --api <url>`, for `iam` and `both`; null when the proposal cannot
   * be applied here.
   */
  approveCommand: string | null;
  /** `npx passrole-doctor reject <id> --api <url>`, for `iam` and `both`. */
  rejectCommand: string | null;
}

/** A word a POSIX shell passes as it is: single-quoted unless it holds only plainly safe characters. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command a person runs to approve or reject with their own AWS credentials, as an install gives
 * it: `npx` runs the published CLI without a global install, and `--api` names the approval API this
 * stack deployed (its ApprovalApiUrl output; without it the CLI reads PASSROLE_DOCTOR_API_URL).
 */
export function decisionCommand(
  decision: 'approve' | 'reject',
  proposalId: string,
  apiUrl: string | null,
): string {
  const base = apiUrl?.trim() ?? '';
  return `npx passrole-doctor ${decision} ${shellWord(proposalId)}${base === '' ? '' : ` --api ${shellWord(base)}`}`;
}

export const NO_APPROVAL_LINKS: ApprovalLinks = {
  reviewUrl: null,
  approveCommand: null,
  rejectCommand: null,
};

export interface ApprovalLinksInput {
  mode: ApprovalMode;
  record: ClaimedRecord;
  /** The approval API's base URL (REVIEW_BASE_URL); no link without it. */
  reviewBaseUrl: string | null;
  /** The link MAC key (KMS GenerateMac); no link without it. */
  linkMac: LinkMacGenerator | null;
}

/**
 * The links and commands a message about `record` carries. A permission set known only by name gets
 * its review link (the page says where to add the policy) and a reject command, never an approve
 * command: it cannot be applied from here. One read from Identity Center is approved like any target.
 */
export async function approvalLinksOf({
  mode,
  record,
  reviewBaseUrl,
  linkMac,
}: ApprovalLinksInput): Promise<ApprovalLinks> {
  const claims = approvalClaimsOf(record);
  if (claims === null || !isProposalId(record.id)) return NO_APPROVAL_LINKS;
  const base = reviewBaseUrl?.trim() ?? '';
  const url =
    linksEnabled(mode) && base !== '' && linkMac !== null
      ? reviewUrl(base, record.id, await signApprovalToken(claims, linkMac))
      : null;
  const commands = iamApprovalEnabled(mode);
  const applicable = record.proposal !== null && approvableTarget(record.proposal.target);
  return {
    reviewUrl: url,
    approveCommand: commands && applicable ? decisionCommand('approve', record.id, base) : null,
    rejectCommand: commands ? decisionCommand('reject', record.id, base) : null,
  };
}
