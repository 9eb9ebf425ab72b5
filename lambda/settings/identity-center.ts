/**
 * Identity Center's settings and fixed names, shared by lib/ and the hub's functions. Absent
 * IDENTITY_CENTER_REGION: permission sets are advised on, never read or written.
 */
import { matching, optionalText } from './env';
import { ACCOUNT_ID_PATTERN } from './organization';

/**
 * The roles in the account that administers Identity Center (the management account, or the
 * delegated administrator), deployed there by a plain stack: a StackSet never reaches the
 * management account. The read role trusts the hub's diagnose, approval and apply roles; the apply
 * role trusts the hub's apply role only.
 */
export const IDENTITY_CENTER_ROLE_NAMES = {
  read: 'PassRoleDoctorIdentityCenter-Read',
  apply: 'PassRoleDoctorIdentityCenter-Apply',
} as const;

/** The tag a permission set must carry for the apply role to write it (aws:ResourceTag). */
export const IDENTITY_CENTER_MANAGED_TAG = 'passrole-doctor:managed';
export const IDENTITY_CENTER_MANAGED_TAG_VALUE = 'true';

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const IDENTITY_CENTER_ENV = {
  /** sso-admin is regional: the instance's region. */
  region: optionalText('IDENTITY_CENTER_REGION', matching(REGION_PATTERN, 'an AWS region')),
  /** The account whose Identity Center roles the hub assumes (management or delegated administrator). */
  accountId: optionalText(
    'IDENTITY_CENTER_ACCOUNT_ID',
    matching(ACCOUNT_ID_PATTERN, 'a 12-digit account id'),
  ),
  /** The instance ARN, when known at deploy time; else the first of ListInstances. */
  instanceArn: optionalText('IDENTITY_CENTER_INSTANCE_ARN'),
} as const;
