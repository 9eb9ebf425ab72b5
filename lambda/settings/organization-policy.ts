/**
 * Organization mode's settings as a hub function reads them (ORGANIZATION_ENV): null without
 * ORGANIZATION_ID (single-account mode, the rest unread), else the per-account policy with every
 * problem named: no enrolled OU, no external id, a CHANNELS_BY_OU that is not a map of OU ids to SNS
 * topic ARNs.
 */
import type { OrganizationPolicy } from '../core/organization/model';
import { SNS_TOPIC_ARN } from './common';
import type { Environment } from './env';
import {
  readIdentityCenterAccessSettings,
  type IdentityCenterAccessSettings,
} from './identity-center-access';
import { OU_OR_ROOT_PATTERN, ORGANIZATION_ENV } from './organization';

export interface OrganizationSettings extends OrganizationPolicy {
  /** sts:ExternalId the member roles require. */
  externalId: string;
  /** IDENTITY_CENTER_ENV, when IDENTITY_CENTER_REGION is set; absent: permission sets are advice only. */
  identityCenter?: IdentityCenterAccessSettings;
}

function channelsByOu(text: string | null, problems: string[]): Record<string, string> {
  if (text === null) return {};
  const name = ORGANIZATION_ENV.channelsByOu.name;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`${name} is not JSON`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${name} must be a JSON object of OU id -> SNS topic ARN`);
    return {};
  }
  const channels: Record<string, string> = {};
  for (const [ou, topic] of Object.entries(parsed)) {
    if (!OU_OR_ROOT_PATTERN.test(ou))
      problems.push(`${name} keys must be OU or root ids, got '${ou.slice(0, 40)}'`);
    else if (typeof topic !== 'string' || SNS_TOPIC_ARN(topic, name) !== null) {
      problems.push(`${name} maps ${ou} to something that is not an SNS topic ARN`);
    } else channels[ou] = topic;
  }
  return channels;
}

/** Null in single-account mode; each problem added to `problems` as one line. */
export function readOrganizationSettings(env: Environment, problems: string[]): OrganizationSettings | null {
  const organizationId = ORGANIZATION_ENV.organizationId.read(env, problems);
  if (organizationId === null) return null;
  const memberOus = ORGANIZATION_ENV.memberOus.read(env, problems);
  if (memberOus.length === 0) {
    problems.push(
      `${ORGANIZATION_ENV.memberOus.name} is not set: organization mode diagnoses the accounts of these OUs`,
    );
  }
  const externalId = ORGANIZATION_ENV.externalId.read(env, problems);
  if (externalId === null) {
    problems.push(`${ORGANIZATION_ENV.externalId.name} is not set: the member roles require it`);
  }
  const identityCenter = readIdentityCenterAccessSettings(env, problems);
  return {
    ...(identityCenter === null ? {} : { identityCenter }),
    organizationId,
    memberOus,
    externalId: externalId ?? '',
    excludedAccounts: ORGANIZATION_ENV.excludedAccounts.read(env, problems),
    sensitiveAccounts: ORGANIZATION_ENV.sensitiveAccounts.read(env, problems),
    channelsByOu: channelsByOu(ORGANIZATION_ENV.channelsByOu.read(env, problems), problems),
  };
}
