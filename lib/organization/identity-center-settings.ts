/**
 * Identity Center's context keys in organization mode (`-c identityCenterRegion=eu-west-1`, the
 * account that administers it, optionally the instance): one line per bad value, as every setting.
 * Absent identityCenterRegion: permission sets stay advice only (no stack, no grant, no variable).
 */
import { ACCOUNT_ID_PATTERN } from '../../lambda/settings/organization';
import { REGION, type Problem, type SettingReader } from '../setting-reader';
import type { IdentityCenterSettings } from '../settings';

/** The keys that only mean something with identityCenterRegion (and organizationId). */
export const IDENTITY_CENTER_KEYS = [
  'identityCenterRegion',
  'identityCenterAccountId',
  'managementAccountId',
  'identityCenterInstanceArn',
] as const;

/** An organization instance's ARN (sso-admin's own pattern for InstanceArn, with our partitions). */
export const INSTANCE_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;

/** Identity Center's settings, or null when identityCenterRegion is not set; problems added. */
export function readIdentityCenterSettings(
  reader: SettingReader,
  problems: Problem[],
): IdentityCenterSettings | null {
  const account = (key: string) => reader.optionalString(key, ACCOUNT_ID_PATTERN, 'a 12-digit account id');
  const region = reader.optionalString('identityCenterRegion', REGION, 'a region name (e.g. eu-west-1)');
  const identityCenterAccountId = account('identityCenterAccountId');
  const managementAccountId = account('managementAccountId');
  const instanceArn = reader.optionalString(
    'identityCenterInstanceArn',
    INSTANCE_ARN_PATTERN,
    'an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-...)',
  );
  if (reader.raw('identityCenterRegion') === undefined) {
    for (const key of IDENTITY_CENTER_KEYS.slice(1)) {
      if (reader.raw(key) !== undefined) {
        problems.push({
          key,
          reason: "is an Identity Center setting: set identityCenterRegion (the instance's region) too",
        });
      }
    }
    return null;
  }
  const accountId = identityCenterAccountId ?? managementAccountId;
  const failed = (key: string) => problems.some((problem) => problem.key === key);
  if (accountId === undefined && !failed('identityCenterAccountId') && !failed('managementAccountId')) {
    problems.push({
      key: 'identityCenterAccountId',
      reason:
        'is required with identityCenterRegion: the account that administers Identity Center (set managementAccountId instead when that is the management account)',
    });
  }
  if (region === undefined || accountId === undefined) return null;
  return {
    region,
    accountId,
    managementAccountId: managementAccountId ?? null,
    instanceArn: instanceArn ?? null,
  };
}
