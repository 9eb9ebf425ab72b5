/**
 * The links and commands the diagnose function's messages carry, as the approval mode says: the
 * review link signed with the link key and/or the CLI commands. The key is fetched only when a link
 * is made (never in `iam` mode, never for a report), and never appears anywhere but in the link.
 */
import type { ProposalRecord } from '../incident';
import { approvalLinksOf, linksEnabled, type ApprovalLinks, type ApprovalMode } from './links';

export interface MessageLinkSettings {
  mode: ApprovalMode;
  /** The approval API's base URL: no review link without it. */
  reviewBaseUrl: string | null;
}

/** Builds the links of a message about a record; without `approvalSecret`, no review link. */
export function messageLinksBuilder(
  { mode, reviewBaseUrl }: MessageLinkSettings,
  approvalSecret?: () => Promise<string>,
): (record: ProposalRecord) => Promise<ApprovalLinks> {
  return async (record) => {
    const signs = linksEnabled(mode) && reviewBaseUrl !== null && record.proposal !== null;
    const secret = signs && approvalSecret !== undefined ? await approvalSecret() : null;
    return approvalLinksOf({ mode, record, reviewBaseUrl, secret });
  };
}
