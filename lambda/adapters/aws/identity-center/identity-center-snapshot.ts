/**
 * Reads the whole Identity Center instance into the snapshot file's shape (core/identity-center/
 * snapshot-file.ts) through the live reader: every permission set with its definition, the accounts
 * it is provisioned to, its assignments in each of them, and the group memberships of every user the
 * sets reach by name. Read-only.
 */
import type { PermissionSetAssignment } from '../../../core/identity-center/model';
import {
  IDENTITY_CENTER_SNAPSHOT_FORMAT,
  IDENTITY_CENTER_SNAPSHOT_VERSION,
  type IdentityCenterSnapshot,
  type SnapshotPermissionSet,
  type SnapshotUserMembership,
} from '../../../core/identity-center/snapshot-file';
import { mapWithLimit } from './errors';
import type { SsoAdminIdentityCenterReader } from './sso-admin-reader';

export type IdentityCenterSnapshotProgress =
  | { kind: 'permission-sets'; count: number }
  | { kind: 'permission-set'; index: number; count: number; name: string; accounts: number }
  | { kind: 'users'; count: number };

/** Accounts (or users) read at once: each is a few sso-admin or identitystore calls. */
const CONCURRENCY = 4;

export async function takeIdentityCenterSnapshot(
  reader: SsoAdminIdentityCenterReader,
  progress: (step: IdentityCenterSnapshotProgress) => void = () => undefined,
  now: () => Date = () => new Date(),
): Promise<IdentityCenterSnapshot> {
  const takenAt = now().toISOString();
  const { instanceArn, identityStoreId } = await reader.instance();
  const refs = (await reader.allPermissionSets()).sort((a, b) => a.name.localeCompare(b.name));
  progress({ kind: 'permission-sets', count: refs.length });
  const permissionSets: SnapshotPermissionSet[] = [];
  for (const [index, ref] of refs.entries()) {
    const [definition, provisionedAccounts] = await Promise.all([
      reader.definition(ref),
      reader.provisionedAccounts(ref),
    ]);
    const lists = await mapWithLimit(provisionedAccounts, CONCURRENCY, (accountId) =>
      reader.assignments(ref, accountId),
    );
    const assignments: Record<string, PermissionSetAssignment[]> = {};
    provisionedAccounts.forEach((accountId, at) => {
      assignments[accountId] = lists[at] ?? [];
    });
    permissionSets.push({ definition, provisionedAccounts, assignments });
    progress({
      kind: 'permission-set',
      index: index + 1,
      count: refs.length,
      name: ref.name,
      accounts: provisionedAccounts.length,
    });
  }
  const userNames = reachedUserNames(permissionSets);
  progress({ kind: 'users', count: userNames.length });
  const read = await mapWithLimit(userNames, CONCURRENCY, async (userName) => {
    const memberships = await reader.userMemberships(userName);
    return memberships === null ? null : { userName, ...memberships };
  });
  const userMemberships = read.filter((user): user is SnapshotUserMembership => user !== null);
  return {
    format: IDENTITY_CENTER_SNAPSHOT_FORMAT,
    version: IDENTITY_CENTER_SNAPSHOT_VERSION,
    takenAt,
    instanceArn,
    identityStoreId,
    permissionSets,
    userMemberships,
  };
}

/** Users assigned directly, and the named members of assigned groups, each once, sorted. */
function reachedUserNames(permissionSets: readonly SnapshotPermissionSet[]): string[] {
  const names = new Set<string>();
  for (const set of permissionSets) {
    for (const assignment of Object.values(set.assignments).flat()) {
      if (assignment.principalType === 'USER' && assignment.displayName !== null)
        names.add(assignment.displayName);
      for (const member of assignment.memberNames) names.add(member);
    }
  }
  return [...names].sort();
}
