/**
 * The links and commands the diagnose function's messages carry, as the approval mode says: the
 * review link with its MAC (computed by KMS: the key never leaves it) and/or the CLI commands. A MAC
 * is asked for only when a link is made (never in `iam` mode, never for a report).
 */
import type { LinkMacGenerator } from '../../ports/link-mac';
import type { IncidentRecord } from '../incident';
import { approvalLinksOf, linksEnabled, type ApprovalLinks, type ApprovalMode } from './links';

export interface MessageLinkSettings {
  mode: ApprovalMode;
  /** The approval API's base URL: no review link without it. */
  reviewBaseUrl: string | null;
}

/** Builds the links of a message about a record; without `linkMac`, no review link. */
export function messageLinksBuilder(
  { mode, reviewBaseUrl }: MessageLinkSettings,
  linkMac?: LinkMacGenerator,
): (record: IncidentRecord) => Promise<ApprovalLinks> {
  return async (record) => {
    const signs = linksEnabled(mode) && reviewBaseUrl !== null && record.proposal !== null;
    return approvalLinksOf({ mode, record, reviewBaseUrl, linkMac: signs ? (linkMac ?? null) : null });
  };
}
