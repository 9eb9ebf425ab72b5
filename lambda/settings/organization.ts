/**
 * Organization mode's environment, shared by the hub's functions and lib/ (one spec, one set of
 * names). Without ORGANIZATION_ID a function runs in single-account mode and reads none of the rest.
 * The role and bus names are fixed: the member template is rolled out long after synth and builds
 * the hub's ARNs from them (lib/organization/ re-exports them).
 */
import { matching, optionalText, textList, type EnvSetting } from './env';

export const HUB_BUS_NAME = 'PassRoleDoctorHub';

/**
 * The hub functions' roles, by fixed name: the member roles trust exactly these (by ARN). The
 * diagnose, approval, apply and reconcile functions assume the member read role; only apply and
 * reconcile assume the member apply role.
 */
export const HUB_ROLE_NAMES = {
  diagnose: 'PassRoleDoctorHub-Diagnose',
  approval: 'PassRoleDoctorHub-Approval',
  apply: 'PassRoleDoctorHub-Apply',
  reconcile: 'PassRoleDoctorHub-Reconcile',
} as const;

/** Roles in each member account (the read and apply roles in one region only). */
export const MEMBER_ROLE_NAMES = {
  /** EventBridge assumes it to put the member's denials on the hub's bus. */
  forward: 'PassRoleDoctorMember-Forward',
  read: 'PassRoleDoctorMember-Read',
  apply: 'PassRoleDoctorMember-Apply',
} as const;

export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An OU (`ou-` root id, `-`, 8 to 32) or the root (`r-`, 4 to 32). */
export const OU_OR_ROOT_PATTERN = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** sts:ExternalId's own characters and length. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

const accountItem =
  (name: string) =>
  (item: string): string | null =>
    ACCOUNT_ID_PATTERN.test(item)
      ? null
      : `${name} items must be 12-digit account ids, got '${item.slice(0, 40)}'`;

/** The hub functions' organization settings; ORGANIZATION_ID absent means single-account mode. */
export const ORGANIZATION_ENV = {
  organizationId: optionalText(
    'ORGANIZATION_ID',
    matching(ORGANIZATION_ID_PATTERN, 'an organization id (o-…)'),
  ),
  memberOus: textList('MEMBER_OUS', (item) =>
    OU_OR_ROOT_PATTERN.test(item)
      ? null
      : `MEMBER_OUS items must be OU or root ids, got '${item.slice(0, 40)}'`,
  ),
  externalId: optionalText('MEMBER_EXTERNAL_ID', matching(EXTERNAL_ID_PATTERN, 'an sts external id')),
  excludedAccounts: textList('EXCLUDED_ACCOUNTS', accountItem('EXCLUDED_ACCOUNTS')),
  sensitiveAccounts: textList('SENSITIVE_ACCOUNTS', accountItem('SENSITIVE_ACCOUNTS')),
  /** JSON: OU id -> SNS topic ARN of that OU's channel. */
  channelsByOu: optionalText('CHANNELS_BY_OU'),
} as const satisfies Record<string, EnvSetting<unknown, never>>;
