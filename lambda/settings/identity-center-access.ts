/**
 * IDENTITY_CENTER_ENV as the hub's functions read it: null without IDENTITY_CENTER_REGION (permission
 * sets stay advice only), else the instance's region and the account holding Identity Center's roles.
 */
import type { Environment } from './env';
import { IDENTITY_CENTER_ENV } from './identity-center';

/** IDENTITY_CENTER_ENV as read; null without IDENTITY_CENTER_REGION (permission sets: advice only). */
export interface IdentityCenterAccessSettings {
  region: string;
  accountId: string;
  instanceArn: string | null;
}

export function readIdentityCenterAccessSettings(
  env: Environment,
  problems: string[],
): IdentityCenterAccessSettings | null {
  const region = IDENTITY_CENTER_ENV.region.read(env, problems);
  if (region === null) return null;
  const accountId = IDENTITY_CENTER_ENV.accountId.read(env, problems);
  if (accountId === null) {
    problems.push(
      `${IDENTITY_CENTER_ENV.accountId.name} is not set: the account holding Identity Center's roles (with ${IDENTITY_CENTER_ENV.region.name})`,
    );
    return null;
  }
  return { region, accountId, instanceArn: IDENTITY_CENTER_ENV.instanceArn.read(env, problems) };
}
