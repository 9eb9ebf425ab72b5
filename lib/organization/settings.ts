/**
 * Organization mode's context keys (`-c organizationId=o-... -c memberOus=... -c memberRegions=...`),
 * read and checked with the same reader and wording as the other settings: one line per bad value.
 * Without organizationId the app is in single-account mode, and any organization key is an error
 * (a half-given organization would otherwise deploy a single-account stack without a word).
 */
import { parseArn } from '../../lambda/core/iam/arn';
import {
  ACCOUNT_ID_PATTERN,
  EXTERNAL_ID_PATTERN,
  ORGANIZATION_ID_PATTERN,
  OU_OR_ROOT_PATTERN,
} from '../../lambda/settings/organization';
import { readChannel, REGION, SettingReader, show, type Problem } from '../setting-reader';
import type { OrganizationModeSettings, OuChannelSettings } from '../settings';
import { IDENTITY_CENTER_KEYS, readIdentityCenterSettings } from './identity-center-settings';

/** The keys that only mean something with organizationId. */
export const ORGANIZATION_KEYS = [
  'memberOus',
  'memberRegions',
  'memberRoleRegion',
  'hubAccountId',
  'externalId',
  'excludedAccounts',
  'sensitiveAccounts',
  'channelsByOu',
  ...IDENTITY_CENTER_KEYS,
] as const;

/** The keys one channelsByOu entry takes: the main channel's own. */
export const OU_CHANNEL_KEYS = [
  'notificationEmails',
  'slackWorkspaceId',
  'slackChannelId',
  'teamsId',
  'teamsTenantId',
  'teamsChannelId',
] as const;

export interface OrganizationSettingsContext {
  /** The approvers setting, already read: in organization mode each must be a hub account principal. */
  readonly approvers: readonly string[];
  /** homeRegion, or the default region: the hub's region. */
  readonly homeRegion: string | null;
  /** The deploy environment's account (CDK_DEFAULT_ACCOUNT): the hub account unless hubAccountId says. */
  readonly defaultAccount?: string;
}

/** Organization mode's settings, or null for single-account mode; each problem added to `problems`. */
export function readOrganizationSettings(
  reader: SettingReader,
  problems: Problem[],
  context: OrganizationSettingsContext,
): OrganizationModeSettings | null {
  if (reader.raw('organizationId') === undefined) {
    for (const key of ORGANIZATION_KEYS) {
      if (reader.raw(key) !== undefined) {
        problems.push({ key, reason: 'is an organization mode setting: set organizationId too' });
      }
    }
    return null;
  }
  const organizationId = reader.optionalString(
    'organizationId',
    ORGANIZATION_ID_PATTERN,
    'an organization id (o- and 10 to 32 lowercase letters or digits)',
  );
  const failed = (key: string) => problems.some((problem) => problem.key === key);
  const required = (key: string, items: readonly string[], example: string): void => {
    if (items.length === 0 && !failed(key)) {
      problems.push({ key, reason: `is required in organization mode (e.g. ${example})` });
    }
  };

  const memberOus = reader.list('memberOus', (id) =>
    OU_OR_ROOT_PATTERN.test(id) ? null : 'is not an OU id (ou-…) or the root id (r-…)',
  );
  required('memberOus', memberOus, 'ou-ab12-cdef3456,ou-ab12-7890abcd');
  const memberRegions = reader.list('memberRegions', (region) =>
    REGION.test(region) ? null : 'is not a region name (e.g. eu-west-1)',
  );
  required('memberRegions', memberRegions, 'eu-west-1,us-east-1');
  const memberRoleRegion =
    reader.optionalString('memberRoleRegion', REGION, 'a region name (e.g. eu-west-1)') ?? memberRegions[0];
  if (
    memberRoleRegion !== undefined &&
    memberRegions.length > 0 &&
    !memberRegions.includes(memberRoleRegion)
  ) {
    problems.push({
      key: 'memberRoleRegion',
      reason: `must be one of memberRegions (${memberRegions.join(', ')}): the member roles are created only there, got ${show(memberRoleRegion)}`,
    });
  }

  const hubAccountId = readHubAccount(reader, problems, context.defaultAccount);
  const externalId = reader.optionalString(
    'externalId',
    EXTERNAL_ID_PATTERN,
    'an sts:ExternalId: 2 to 1224 of letters, digits and _+=,.@:/-',
  );
  if (externalId === undefined && !failed('externalId')) {
    problems.push({
      key: 'externalId',
      reason: 'is required in organization mode: the member roles require it of the hub (e.g. a random UUID)',
    });
  }
  const accountList = (key: string) =>
    reader.list(key, (id) => (ACCOUNT_ID_PATTERN.test(id) ? null : 'is not a 12-digit account id'));
  const excludedAccounts = accountList('excludedAccounts');
  const sensitiveAccounts = accountList('sensitiveAccounts');
  const channelsByOu = readChannelsByOu(reader, problems);
  const identityCenter = readIdentityCenterSettings(reader, problems);

  if (context.homeRegion === null) {
    problems.push({
      key: 'homeRegion',
      reason:
        "is required in organization mode (the member rules send to the hub's bus in that region): set -c homeRegion=<region> or a default region",
    });
  }
  if (hubAccountId !== undefined) {
    const foreign = context.approvers.filter((pattern) => parseArn(pattern)?.account !== hubAccountId);
    if (foreign.length > 0) {
      problems.push({
        key: 'approvers',
        reason: `must be principals of the hub account ${hubAccountId} in organization mode (no wildcard account): ${foreign.map(show).join(', ')}`,
      });
    }
  }

  if (
    organizationId === undefined ||
    hubAccountId === undefined ||
    externalId === undefined ||
    memberRoleRegion === undefined
  ) {
    return null;
  }
  return {
    organizationId,
    memberOus,
    memberRegions,
    memberRoleRegion,
    hubAccountId,
    externalId,
    excludedAccounts,
    sensitiveAccounts,
    channelsByOu,
    identityCenter,
  };
}

function readHubAccount(
  reader: SettingReader,
  problems: Problem[],
  defaultAccount: string | undefined,
): string | undefined {
  if (reader.raw('hubAccountId') !== undefined) {
    return reader.optionalString('hubAccountId', ACCOUNT_ID_PATTERN, 'a 12-digit account id');
  }
  if (defaultAccount !== undefined && ACCOUNT_ID_PATTERN.test(defaultAccount)) return defaultAccount;
  problems.push({
    key: 'hubAccountId',
    reason:
      "is required in organization mode: set -c hubAccountId=<the hub account's id> or synthesize with its credentials",
  });
  return undefined;
}

/**
 * `channelsByOu`: a JSON object (or its text) from OU id to an object of the main channel's keys.
 * Each entry is read by readChannel; its problems are named `channelsByOu.<ou>.<key>`.
 */
function readChannelsByOu(
  reader: SettingReader,
  problems: Problem[],
): Readonly<Record<string, OuChannelSettings>> {
  const key = 'channelsByOu';
  let value = reader.raw(key);
  if (value === undefined) return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      problems.push({
        key,
        reason: `must be a JSON object (OU id -> channel), does not parse: ${show(value)}`,
      });
      return {};
    }
  }
  if (!isObject(value)) {
    problems.push({
      key,
      reason: `must be a JSON object from OU id to channel settings, got ${show(value)}`,
    });
    return {};
  }
  const channels: Record<string, OuChannelSettings> = {};
  for (const [ou, entry] of Object.entries(value)) {
    const prefix = `${key}.${ou}`;
    if (!OU_OR_ROOT_PATTERN.test(ou)) {
      problems.push({ key: prefix, reason: 'is not an OU id (ou-…) or the root id (r-…)' });
      continue;
    }
    if (!isObject(entry)) {
      problems.push({
        key: prefix,
        reason: `must be an object of ${OU_CHANNEL_KEYS.join(', ')}, got ${show(entry)}`,
      });
      continue;
    }
    const unknown = Object.keys(entry).filter(
      (name) => !(OU_CHANNEL_KEYS as readonly string[]).includes(name),
    );
    for (const name of unknown) {
      problems.push({
        key: `${prefix}.${name}`,
        reason: `is not a channel setting (${OU_CHANNEL_KEYS.join(', ')})`,
      });
    }
    const own: Problem[] = [];
    const channel = readChannel(new SettingReader((name) => entry[name], own));
    problems.push(...own.map((problem) => ({ key: `${prefix}.${problem.key}`, reason: problem.reason })));
    if (own.length > 0 || unknown.length > 0) continue;
    if (channel.notificationEmails.length === 0 && channel.slack === null && channel.teams === null) {
      problems.push({
        key: prefix,
        reason: 'names no channel: give notificationEmails, the Slack ids or the Teams ids',
      });
      continue;
    }
    channels[ou] = channel;
  }
  return channels;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
