/**
 * Who a change to a permission set reaches: the people assigned it in the denial's account (users,
 * and the members of groups) and the accounts it is provisioned to.
 */
import type { BlastRadius, PermissionSetAssignment } from './model';

/**
 * Distinct people where every name is known (a user assigned directly and through a group counts
 * once); else the sum of the assignments' sizes, which can only overstate (peopleExact says which);
 * null when a group's size is unknown.
 */
export function blastRadiusOf(
  assignments: readonly PermissionSetAssignment[],
  provisionedAccounts: readonly string[],
): BlastRadius {
  const sizes = assignments.map((assignment) => assignment.memberCount);
  let people: number | null = null;
  if (sizes.every((size): size is number => size !== null)) {
    people = allNamed(assignments)
      ? new Set(assignments.flatMap(namesOf)).size
      : sizes.reduce((total, size) => total + size, 0);
  }
  return {
    people,
    accounts: new Set(provisionedAccounts).size,
    assignments: [...assignments],
  };
}

function namesOf(assignment: PermissionSetAssignment): string[] {
  return assignment.principalType === 'USER'
    ? assignment.displayName === null
      ? []
      : [assignment.displayName]
    : assignment.memberNames;
}

function allNamed(assignments: readonly PermissionSetAssignment[]): boolean {
  return assignments.every((assignment) =>
    assignment.principalType === 'USER'
      ? assignment.displayName !== null
      : assignment.memberCount !== null && assignment.memberNames.length === assignment.memberCount,
  );
}

/** Whether `people` is the exact count (every name known, or nothing two assignments could share). */
export function peopleExact(radius: BlastRadius): boolean {
  return radius.people !== null && (radius.assignments.length <= 1 || allNamed(radius.assignments));
}
