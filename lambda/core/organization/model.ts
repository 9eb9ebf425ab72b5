/**
 * Organization mode as domain data: which account a denial belongs to, where it sits in the
 * organization, and why the hub refuses to diagnose a denial. Pure: the Organizations reads are an
 * adapter's (ports/organization-reader.ts).
 */

/** One organizational unit, or the root (its id starts with `r-`). */
export interface OrganizationalUnit {
  id: string;
  name: string;
}

/** A member account as the messages, the review page and the CLI name it. */
export interface OrganizationAccount {
  /** 12 digits. */
  id: string;
  /** The account's name in Organizations (DescribeAccount). */
  name: string;
  /** The root first, the account's parent OU last. */
  ouPath: OrganizationalUnit[];
}

/** The hub's per-account policy (settings `excludedAccounts`, `sensitiveAccounts`, `channelsByOu`). */
export interface OrganizationPolicy {
  /** `o-` followed by 10 to 32 lowercase letters or digits. */
  organizationId: string;
  /** The OUs whose accounts are enrolled (the StackSet's targets); an account under one of them is. */
  memberOus: readonly string[];
  /** Acknowledged with their reason, never read. */
  excludedAccounts: readonly string[];
  /** The approval requirement is raised one step for these. */
  sensitiveAccounts: readonly string[];
  /** OU id -> the SNS topic ARN of that OU's second channel; an account's nearest OU wins. */
  channelsByOu: Readonly<Record<string, string>>;
}

/**
 * Why the hub does not diagnose a denial. Each is acknowledged, logged with its reason and counted;
 * none is ever diagnosed with the hub's own identity.
 */
export type AdmissionRefusal =
  /** The envelope's `account`, the record's `recipientAccountId` and `userIdentity.accountId` differ. */
  | 'account-fields-disagree'
  /** The account is in `excludedAccounts`. */
  | 'account-excluded'
  /** Organizations does not know the account (another organization, or none). */
  | 'account-not-in-organization'
  /** In the organization, but under none of the enrolled OUs. */
  | 'account-not-enrolled'
  /** The member role could not be assumed (missing, trust changed, external id wrong). */
  | 'member-role-unavailable';

export type Admission =
  | { kind: 'admitted'; account: OrganizationAccount }
  | { kind: 'refused'; reason: AdmissionRefusal; accountId: string | null; detail: string };

/** The account fields of a denial's delivery, as the admission compares them. */
export interface DenialAccountFields {
  /** The EventBridge envelope's `account` (the member's, as EventBridge forwards it). */
  envelopeAccount: string | null;
  /** The CloudTrail record's `recipientAccountId`. */
  recipientAccountId: string | null;
  /** The CloudTrail record's `userIdentity.accountId`, where present. */
  userIdentityAccountId: string | null;
}
