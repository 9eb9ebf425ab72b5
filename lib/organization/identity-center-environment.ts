/** IDENTITY_CENTER_ENV as the hub's functions get it: none of it without Identity Center (advice only). */
import { environmentOf } from '../../lambda/settings/env';
import { IDENTITY_CENTER_ENV } from '../../lambda/settings/identity-center';
import type { IdentityCenterSettings } from '../settings';

export function identityCenterEnvironment(
  identityCenter: IdentityCenterSettings | null,
): Record<string, string> {
  if (identityCenter === null) return {};
  return environmentOf(IDENTITY_CENTER_ENV, {
    region: identityCenter.region,
    accountId: identityCenter.accountId,
    instanceArn: identityCenter.instanceArn ?? undefined,
  });
}
