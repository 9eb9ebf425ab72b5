/**
 * What the approval and apply functions read of organization mode (ORGANIZATION_ENV): null without
 * ORGANIZATION_ID (single-account mode, the rest unread), else the external id the member roles
 * require and the per-account policy these functions enforce. The diagnose function reads the whole
 * policy (OUs, channels) where it admits denials; these need only this part.
 */
import type { Environment } from './env';
import {
  readIdentityCenterAccessSettings,
  type IdentityCenterAccessSettings,
} from './identity-center-access';
import { ORGANIZATION_ENV } from './organization';

export interface HubAccessSettings {
  /** sts:ExternalId the member roles require. */
  externalId: string;
  /** The hub never reads or writes these. */
  excludedAccounts: string[];
  /** The approval requirement is one step up for these. */
  sensitiveAccounts: string[];
  /** IDENTITY_CENTER_ENV, when IDENTITY_CENTER_REGION is set; absent: permission sets are advice only. */
  identityCenter?: IdentityCenterAccessSettings;
}

/** Null in single-account mode; each problem added to `problems` as one line. */
export function readHubAccessSettings(env: Environment, problems: string[]): HubAccessSettings | null {
  const organizationId = ORGANIZATION_ENV.organizationId.read(env, problems);
  if (organizationId === null) return null;
  const externalId = ORGANIZATION_ENV.externalId.read(env, problems);
  if (externalId === null) {
    problems.push(`${ORGANIZATION_ENV.externalId.name} is not set: the member roles require it`);
  }
  const identityCenter = readIdentityCenterAccessSettings(env, problems);
  return {
    externalId: externalId ?? '',
    excludedAccounts: ORGANIZATION_ENV.excludedAccounts.read(env, problems),
    sensitiveAccounts: ORGANIZATION_ENV.sensitiveAccounts.read(env, problems),
    ...(identityCenter === null ? {} : { identityCenter }),
  };
}
