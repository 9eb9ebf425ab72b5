/**
 * Separation of duties' reads for a permission set, at decision time: the set's assignments in the
 * denial's account and, for each Identity Center user among the deciders (the caller and any first
 * approver), the identitystore groups it belongs to (IdentityCenterReader). A failed read is not a
 * failure of the decision: it becomes the reason the membership is unknown, and separation.ts
 * refuses that approver. A transient failure propagates (nothing is decided; try again), as the
 * re-check's reads do.
 */
import type { IdentityCenterReader } from '../../ports/identity-center';
import { RetryRecordError } from '../errors';
import type { ProposalTarget } from '../model';
import {
  identityCenterUserOf,
  type IdentityCenterMembership,
  type IdentityCenterSeparation,
} from './separation';

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

async function unlessFailed<T>(read: () => Promise<T>, failed: (why: string) => string): Promise<T | string> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    return failed(describe(error));
  }
}

/**
 * What separation.ts needs of a permission-set target, or undefined for any other target or when no
 * decider is an Identity Center user (nothing to map). `reader` absent: Identity Center is not
 * configured here, so every Identity Center decider's assignment is unknown.
 */
export async function readIdentityCenterSeparation(
  reader: IdentityCenterReader | undefined,
  target: Pick<ProposalTarget, 'type' | 'name' | 'instanceArn' | 'permissionSetArn'>,
  accountId: string,
  deciders: readonly string[],
): Promise<IdentityCenterSeparation | undefined> {
  if (target.type !== 'permission-set') return undefined;
  // By lower-cased name (user names ignore case); the session's own spelling is the one looked up.
  const users = new Map<string, string>();
  for (const user of deciders.flatMap((arn) => identityCenterUserOf(arn) ?? [])) {
    if (!users.has(user.toLowerCase())) users.set(user.toLowerCase(), user);
  }
  if (users.size === 0) return undefined;
  const memberships = new Map<string, IdentityCenterMembership | string>();
  if (reader === undefined) {
    return {
      assignments: 'Identity Center is not configured for the approval (IDENTITY_CENTER_REGION)',
      memberships,
    };
  }
  const { instanceArn, permissionSetArn } = target;
  if (instanceArn === undefined || permissionSetArn === undefined) {
    return { assignments: 'the proposal does not name the permission set it was made for', memberships };
  }
  const ref = { instanceArn, permissionSetArn, name: target.name };
  const [assignments] = await Promise.all([
    unlessFailed(
      () => reader.assignments(ref, accountId),
      (why) => `the assignments of ${target.name} in ${accountId} could not be read: ${why}`,
    ),
    ...[...users].map(async ([key, user]) => {
      const membership = await unlessFailed(
        () => reader.userMemberships(user),
        (why) => `the groups of ${user} could not be read: ${why}`,
      );
      memberships.set(key, membership ?? `Identity Center has no user named ${user}`);
    }),
  ]);
  return { assignments, memberships };
}
