/**
 * The app's settings, read from CDK context (`cdk.json` defaults, `-c key=value` overrides) and
 * validated at synth. `-c` values arrive as strings and cdk.json values as JSON, so each reader
 * accepts both. Every bad value is reported, one line each, in a single InvalidInputError.
 */
import { APPROVAL_MODES, DEFAULT_APPROVAL_MODE, type ApprovalMode } from '../lambda/core/approval/links';
import type { AutoApprove } from '../lambda/core/approval/requirement';
import { InvalidInputError } from '../lambda/core/errors';
import {
  AUTO_APPROVE_MODES,
  DEFAULT_AUTO_APPROVE,
  PERMISSION_SET_PEOPLE_LIMIT,
} from '../lambda/settings/common';
import { PROPOSAL_TTL_HOURS, RENOTIFY_AFTER_HOURS } from '../lambda/settings/diagnose';
import type { WholeNumberSetting } from '../lambda/settings/env';
import { readOrganizationSettings } from './organization/settings';
import { readChannel, REGION, SettingReader, type ContextReader, type Problem } from './setting-reader';

export type { ApprovalMode } from '../lambda/core/approval/links';
export type { AutoApprove } from '../lambda/core/approval/requirement';
export { APPROVAL_MODES } from '../lambda/core/approval/links';
export { AUTO_APPROVE_MODES } from '../lambda/settings/common';
export type { ContextReader } from './setting-reader';

export interface SlackChannel {
  readonly workspaceId: string;
  readonly channelId: string;
}

export interface TeamsChannel {
  readonly teamId: string;
  readonly tenantId: string;
  readonly channelId: string;
}

/** An API Gateway throttle: steady requests per second and the bucket for bursts. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface PassRoleDoctorSettings {
  readonly notificationEmails: readonly string[];
  readonly slack: SlackChannel | null;
  readonly teams: TeamsChannel | null;
  readonly proposalTtlHours: number;
  readonly renotifyAfterHours: number;
  /** Regions whose denials are forwarded to the home region's default bus. */
  readonly forwardFromRegions: readonly string[];
  readonly createTrail: boolean;
  /** Whether `cdk destroy` leaves the approval API's access logs and the apply function's log. */
  readonly retainAuditLogs: boolean;
  /** Lambda's SQS maximum concurrency: how many diagnoses run at once, at most. */
  readonly maxConcurrency: number;
  /** Where the main stack goes; null leaves it environment-agnostic. */
  readonly homeRegion: string | null;
  readonly approvalMode: ApprovalMode;
  /** IAM principal ARN patterns (`*`, `?`) that may approve on the IAM routes. */
  readonly approvers: readonly string[];
  /** Whether `admin` grants may be approved at all (by two distinct approvers). */
  readonly allowAdminRoles: boolean;
  readonly autoApprove: AutoApprove;
  /** A permission set held by more people than this (or an unknown number) needs an IAM approver. */
  readonly permissionSetPeopleLimit: number;
  /** Each review-link route's throttle (unauthenticated: anyone on the internet can reach them). */
  readonly linkThrottle: RouteThrottle;
  /** Each IAM route's throttle: its own bucket, so a flood of the link routes leaves it alone. */
  readonly iamThrottle: RouteThrottle;
  /**
   * The role CloudFormation deploys with: the only principal (besides the account's root user) the
   * resource policies let change themselves. null: the CDK bootstrap's cfn-exec role.
   */
  readonly deployRoleArn: string | null;
  /** Organization mode (hub + member StackSet); null: single-account mode, the default. */
  readonly organization: OrganizationModeSettings | null;
}

/** `-c organizationId=o-... -c memberOus=ou-...,ou-... -c memberRegions=...` and the per-account policy. */
export interface OrganizationModeSettings {
  readonly organizationId: string;
  /** The StackSet's deployment targets (OU ids, or the root `r-...`). */
  readonly memberOus: readonly string[];
  /** Where each member gets the forwarding rule. */
  readonly memberRegions: readonly string[];
  /** The one region where members get the read and apply roles (IAM is global); default: the first memberRegion. */
  readonly memberRoleRegion: string;
  /** The hub account (12 digits): the account the hub stack is deployed to. */
  readonly hubAccountId: string;
  /** sts:ExternalId the member roles require of the hub's functions. */
  readonly externalId: string;
  readonly excludedAccounts: readonly string[];
  readonly sensitiveAccounts: readonly string[];
  /** OU id -> that OU's second channel (emails and/or Slack/Teams, as the main channel takes them). */
  readonly channelsByOu: Readonly<Record<string, OuChannelSettings>>;
  /** Permission sets read and written through Identity Center's roles; null/absent: advice only. */
  readonly identityCenter?: IdentityCenterSettings | null;
}

/** `-c identityCenterRegion=... -c identityCenterAccountId=...` (or managementAccountId). */
export interface IdentityCenterSettings {
  /** sso-admin is regional: the instance's region. */
  readonly region: string;
  /** The account that administers Identity Center (the management account or a delegated one). */
  readonly accountId: string;
  /** The organization's management account, when given (the default of accountId). */
  readonly managementAccountId: string | null;
  /** The instance, when known at deploy time (the roles are scoped to it); else any of the account. */
  readonly instanceArn: string | null;
}

export interface OuChannelSettings {
  readonly notificationEmails: readonly string[];
  readonly slack: SlackChannel | null;
  readonly teams: TeamsChannel | null;
}

/** The functions' own defaults (lambda/settings/) where a setting reaches a function's environment. */
export const SETTINGS_DEFAULTS = {
  proposalTtlHours: PROPOSAL_TTL_HOURS.fallback,
  renotifyAfterHours: RENOTIFY_AFTER_HOURS.fallback,
  createTrail: false,
  retainAuditLogs: true,
  maxConcurrency: 2,
  approvalMode: DEFAULT_APPROVAL_MODE,
  allowAdminRoles: false,
  autoApprove: DEFAULT_AUTO_APPROVE,
  permissionSetPeopleLimit: PERMISSION_SET_PEOPLE_LIMIT.fallback,
  linkThrottle: { rateLimit: 5, burstLimit: 10 },
  iamThrottle: { rateLimit: 5, burstLimit: 10 },
} as const satisfies Partial<PassRoleDoctorSettings>;

/** API Gateway's own ceilings for a route (the account's regional limit is 10,000 and 5,000). */
export const THROTTLE_RANGE = { rate: { min: 1, max: 10000 }, burst: { min: 1, max: 5000 } } as const;

/** Lambda's bounds for an SQS event source's maximumConcurrency. */
export const MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/**
 * An IAM principal ARN pattern as the approvers setting takes it: iam or sts, this or any account
 * (digits or wildcards), then a resource of IAM's characters plus `*` and `?`.
 */
const PRINCIPAL_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov|\*):(iam|sts)::[0-9*?]{1,12}:[A-Za-z0-9+=,.@_\-/*?]+$/;
/** An IAM role ARN, no wildcard: the deploy role is one role. */
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/[A-Za-z0-9+=,.@_\-/]+$/;

/** Reads and validates every setting; throws InvalidInputError with one line per bad value. */
export function readSettings(
  readContext: ContextReader,
  environment: { defaultRegion?: string; defaultAccount?: string } = {},
): PassRoleDoctorSettings {
  const problems: Problem[] = [];
  const reader = new SettingReader(readContext, problems);

  const { notificationEmails, slack, teams } = readChannel(reader);
  const hours = (key: string, setting: WholeNumberSetting): number =>
    reader.integer(key, setting.fallback, setting.min, setting.max);
  const proposalTtlHours = hours('proposalTtlHours', PROPOSAL_TTL_HOURS);
  const renotifyAfterHours = hours('renotifyAfterHours', RENOTIFY_AFTER_HOURS);
  const forwardFromRegions = reader.list('forwardFromRegions', (region) =>
    REGION.test(region) ? null : 'is not a region name (e.g. eu-west-1)',
  );
  const createTrail = reader.boolean('createTrail', SETTINGS_DEFAULTS.createTrail);
  const retainAuditLogs = reader.boolean('retainAuditLogs', SETTINGS_DEFAULTS.retainAuditLogs);
  const maxConcurrency = reader.integer(
    'maxConcurrency',
    SETTINGS_DEFAULTS.maxConcurrency,
    MAX_CONCURRENCY_RANGE.min,
    MAX_CONCURRENCY_RANGE.max,
    "Lambda's SQS maximum concurrency range",
  );
  const approvalMode = reader.oneOf('approvalMode', APPROVAL_MODES, SETTINGS_DEFAULTS.approvalMode);
  const homeRegion = reader.optionalString('homeRegion', REGION, 'a region name (e.g. eu-west-1)') ?? null;
  const approvers = reader.list('approvers', (pattern) =>
    PRINCIPAL_ARN_PATTERN.test(pattern)
      ? null
      : 'is not an IAM principal ARN pattern (e.g. arn:aws:iam::123456789012:role/SecurityApprover or arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Approver_*/*)',
  );
  const allowAdminRoles = reader.boolean('allowAdminRoles', SETTINGS_DEFAULTS.allowAdminRoles);
  const autoApprove = reader.oneOf('autoApprove', AUTO_APPROVE_MODES, SETTINGS_DEFAULTS.autoApprove);
  const permissionSetPeopleLimit = reader.integer(
    'permissionSetPeopleLimit',
    PERMISSION_SET_PEOPLE_LIMIT.fallback,
    PERMISSION_SET_PEOPLE_LIMIT.min,
    PERMISSION_SET_PEOPLE_LIMIT.max,
  );
  const throttle = (prefix: 'link' | 'iam', fallback: RouteThrottle): RouteThrottle => ({
    rateLimit: reader.integer(
      `${prefix}ThrottleRate`,
      fallback.rateLimit,
      THROTTLE_RANGE.rate.min,
      THROTTLE_RANGE.rate.max,
      'requests per second',
    ),
    burstLimit: reader.integer(
      `${prefix}ThrottleBurst`,
      fallback.burstLimit,
      THROTTLE_RANGE.burst.min,
      THROTTLE_RANGE.burst.max,
      'requests',
    ),
  });
  const linkThrottle = throttle('link', SETTINGS_DEFAULTS.linkThrottle);
  const iamThrottle = throttle('iam', SETTINGS_DEFAULTS.iamThrottle);
  const deployRoleArn =
    reader.optionalString(
      'deployRoleArn',
      ROLE_ARN,
      'an IAM role ARN without wildcards (e.g. arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1)',
    ) ?? null;
  const effectiveHomeRegion = homeRegion ?? environment.defaultRegion ?? null;

  const organization = readOrganizationSettings(reader, problems, {
    approvers,
    homeRegion: effectiveHomeRegion,
    defaultAccount: environment.defaultAccount,
  });

  if (forwardFromRegions.length > 0 && reader.raw('organizationId') !== undefined) {
    problems.push({
      key: 'forwardFromRegions',
      reason:
        "does not apply in organization mode: memberRegions' rules send every region's denials to the hub's bus",
    });
  } else if (forwardFromRegions.length > 0) {
    if (effectiveHomeRegion === null) {
      problems.push({
        key: 'forwardFromRegions',
        reason:
          'needs a home region: set -c homeRegion=<region> or a default region (AWS_REGION or the profile)',
      });
    } else if (forwardFromRegions.includes(effectiveHomeRegion)) {
      problems.push({
        key: 'forwardFromRegions',
        reason: `must not include the home region ${effectiveHomeRegion}: its denials are already on its bus`,
      });
    }
  }

  if (problems.length > 0) {
    throw new InvalidInputError(
      ['invalid settings (cdk context):', ...problems.map(({ key, reason }) => `  ${key}: ${reason}`)].join(
        '\n',
      ),
      `cdk context ${problems.map(({ key }) => key).join(', ')}`,
    );
  }

  const settings: PassRoleDoctorSettings = {
    notificationEmails,
    slack,
    teams,
    proposalTtlHours,
    renotifyAfterHours,
    forwardFromRegions,
    createTrail,
    retainAuditLogs,
    maxConcurrency,
    // The hub's region is in the member template (the rules target its bus by ARN): never agnostic.
    homeRegion: forwardFromRegions.length > 0 || organization !== null ? effectiveHomeRegion : homeRegion,
    approvalMode,
    approvers,
    allowAdminRoles,
    autoApprove,
    permissionSetPeopleLimit,
    linkThrottle,
    iamThrottle,
    deployRoleArn,
    organization,
  };
  return settings;
}
