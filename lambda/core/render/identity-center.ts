/**
 * The words of a permission set's proposal: the finding on what reading the set gave, and the blast
 * radius (people, accounts, assignments named). Every name from Identity Center goes through the
 * caller's `escape`, as it lands (terminal, e-mail, chat, HTML).
 */
import { peopleExact } from '../identity-center/blast-radius';
import type { BlastRadius, PermissionSetAssignment } from '../identity-center/model';
import type { DiagnosisFinding } from '../model';

type PermissionSetFinding = Extract<DiagnosisFinding, { kind: 'permission-set' }>;
export type Escape = (text: string) => string;

const plain: Escape = (text) => text;

/** Group members named at most. */
export const MEMBERS_NAMED = 20;

function count(value: number, one: string, many = `${one}s`): string {
  return `${value.toLocaleString('en-US')} ${value === 1 ? one : many}`;
}

const NOTHING_AUTOMATIC = 'nothing is proposed automatically: change the set in Identity Center';

export function permissionSetMessage(finding: PermissionSetFinding, escape: Escape = plain): string {
  const set = `permission set ${escape(finding.permissionSet)}`;
  const account = escape(finding.account);
  const { state } = finding;
  switch (state.kind) {
    case 'merged': {
      const elsewhere =
        state.provisionedAccounts > 1
          ? ` The set is provisioned to ${count(state.provisionedAccounts, 'account')}: each gets the statement when the set is next provisioned there, and it names a role of account ${account} only.`
          : '';
      return state.alreadyPresent
        ? `The inline policy of ${set} already holds this statement: provisioning the set to account ${account} pushes it to the role there, with whatever else in the set changed since it was last provisioned there.${elsewhere}`
        : `The statement is merged into the inline policy of ${set}, then the set is provisioned to account ${account} only (the role is Identity Center's: it is never edited directly).${elsewhere}`;
    }
    case 'not-found':
      return `Identity Center has no permission set named ${escape(finding.permissionSet)}: ${NOTHING_AUTOMATIC}.`;
    case 'read-failed':
      return `${capital(set)} could not be read from Identity Center (${escape(state.problem)}): ${NOTHING_AUTOMATIC}.`;
    case 'inline-unreadable':
      return `The inline policy of ${set} cannot be merged into (${escape(state.problem)}): ${NOTHING_AUTOMATIC}.`;
    case 'too-large':
      return state.limit === 'permission-set-inline'
        ? `With the statement merged, the inline policy of ${set} would be ${count(state.size, 'character')}, over the ${state.max.toLocaleString('en-US')} (whitespace counted) Identity Center takes: ${NOTHING_AUTOMATIC}, e.g. move statements into a customer managed policy the set references.`
        : `With the statement merged, the inline policy of ${set} would be ${count(state.size, 'character')} without whitespace, over the ${state.max.toLocaleString('en-US')} IAM allows on the role the set provisions: ${NOTHING_AUTOMATIC}, e.g. move statements into a customer managed policy the set references.`;
    case 'management-account':
      return `${capital(set)} is provisioned to the management account ${escape(state.managementAccountId)}, and Identity Center is administered here from the delegated administrator ${escape(state.administratorAccountId)}, which cannot change such a set: ${NOTHING_AUTOMATIC} from the management account.`;
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "12 people", "up to 12 people" (a person may hold it twice), or "an unknown number of people". */
export function peopleWords(radius: BlastRadius): string {
  if (radius.people === null) return 'an unknown number of people';
  const people = count(radius.people, 'person', 'people');
  return peopleExact(radius) ? people : `up to ${people}`;
}

/** One line: who the set reaches in the account and how many accounts it is provisioned to. */
export function blastRadiusSummary(radius: BlastRadius, account: string, escape: Escape = plain): string {
  return `${peopleWords(radius)} in account ${escape(account)} (${count(radius.assignments.length, 'assignment')}); provisioned to ${count(radius.accounts, 'account')}`;
}

/** One assignment: "user alice", "group Developers (3 members: a, b, c)". */
export function assignmentWords(assignment: PermissionSetAssignment, escape: Escape = plain): string {
  const name = escape(assignment.displayName ?? assignment.principalId);
  const unnamed = assignment.displayName === null ? ' (name not readable)' : '';
  if (assignment.principalType === 'USER') return `user ${name}${unnamed}`;
  if (assignment.memberCount === null) return `group ${name}${unnamed} (size not readable)`;
  const named = assignment.memberNames.slice(0, MEMBERS_NAMED).map(escape);
  const more = assignment.memberCount - named.length;
  const names =
    named.length === 0 ? '' : `: ${named.join(', ')}${more > 0 ? ` and ${count(more, 'other')}` : ''}`;
  return `group ${name}${unnamed} (${count(assignment.memberCount, 'member')}${names})`;
}

/** A blocker: a managed policy the set carries whose document was not had, so not simulated. */
export function missingPolicyBlocker(policyArn: string): string {
  return `the permission set's managed policy ${policyArn} could not be read in the account, so the simulation of the set as provisioned is incomplete`;
}

/** A blocker: the SCPs in force were not known, so the set's simulation left them out. */
export function unknownScpsBlocker(accountId: string): string {
  return `the service control policies in force for account ${accountId} are not known, so the simulation of the set as provisioned leaves them out`;
}

/** Assignments named at most, in the reports that list them. */
export const ASSIGNMENTS_NAMED = 20;

/**
 * The blast radius as lines: the summary, then each assignment (at most ASSIGNMENTS_NAMED, then how
 * many more). null when the target carries none (not a set read from Identity Center).
 */
export function blastRadiusLines(
  radius: BlastRadius | undefined,
  account: string,
  escape: Escape = plain,
): { summary: string; assignments: string[] } | null {
  if (radius === undefined) return null;
  const shown = radius.assignments.slice(0, ASSIGNMENTS_NAMED).map((a) => assignmentWords(a, escape));
  const more = radius.assignments.length - shown.length;
  return {
    summary: blastRadiusSummary(radius, account, escape),
    assignments: more > 0 ? [...shown, `and ${count(more, 'more assignment')}`] : shown,
  };
}

/** "statement X merged into the inline policy of permission set Y" or the usual "inline policy X on ...". */
export function mergedInto(target: { type: string; name: string; definitionHash?: string }): boolean {
  return target.type === 'permission-set' && target.definitionHash !== undefined;
}
