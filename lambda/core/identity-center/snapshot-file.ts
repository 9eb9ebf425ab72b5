/**
 * The Identity Center snapshot file: what `passrole-doctor snapshot --identity-center FILE` writes and
 * `diagnose --identity-center FILE` reads, so an offline diagnosis resolves, reads and measures a
 * permission set as the live one does. Versioned: a reader refuses a version it does not know rather
 * than half-read it; fields may be added to a version freely (readers ignore what they do not know).
 *
 * Hand-written checks rather than a schema library: none is a dependency of the product, and each
 * problem is reported as one line naming its JSON path, in the product's words.
 */
import { parseArn } from '../iam/arn';
import type {
  CustomerManagedPolicyReference,
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionsBoundary,
} from './model';

export const IDENTITY_CENTER_SNAPSHOT_FORMAT = 'passrole-doctor/identity-center-snapshot';
export const IDENTITY_CENTER_SNAPSHOT_VERSION = 1;

export interface SnapshotPermissionSet {
  /** Everything ProvisionPermissionSet pushes, as read (its instanceArn is the file's). */
  definition: PermissionSetDefinition;
  /** ListAccountsForProvisionedPermissionSet. */
  provisionedAccounts: string[];
  /** ListAccountAssignments for each provisioned account, by account id. */
  assignments: Record<string, PermissionSetAssignment[]>;
}

export interface SnapshotUserMembership {
  userName: string;
  userId: string;
  /** Every group the user belongs to (ListGroupMembershipsForMember). */
  groupIds: string[];
}

export interface IdentityCenterSnapshot {
  format: typeof IDENTITY_CENTER_SNAPSHOT_FORMAT;
  version: typeof IDENTITY_CENTER_SNAPSHOT_VERSION;
  /** ISO 8601: when the reads began. */
  takenAt: string;
  instanceArn: string;
  identityStoreId: string;
  permissionSets: SnapshotPermissionSet[];
  /**
   * The users the sets reach by name: each user assigned directly, and the named members (up to the
   * reader's limit) of each assigned group. A user not listed is unknown to the snapshot.
   */
  userMemberships: SnapshotUserMembership[];
}

export type SnapshotParse =
  | { kind: 'parsed'; snapshot: IdentityCenterSnapshot }
  /** One line per problem, each naming its JSON path. */
  | { kind: 'invalid'; problems: string[] };

/** sso-admin's permission set name: 1 to 32 of these characters (`_` included). */
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Collects problems while reading; each reader returns a usable value (or a placeholder) and goes on. */
class Problems {
  readonly lines: string[] = [];
  add(path: string, problem: string): void {
    this.lines.push(`${path === '' ? '(top level)' : path}: ${problem}`);
  }
  record(value: unknown, path: string): Json {
    if (isRecord(value)) return value;
    this.add(path, 'must be an object');
    return {};
  }
  list(value: unknown, path: string): unknown[] {
    if (Array.isArray(value)) return value;
    this.add(path, 'must be a list');
    return [];
  }
  text(value: unknown, path: string, pattern?: RegExp, expected = 'a non-empty string'): string {
    if (typeof value === 'string' && value !== '' && (pattern === undefined || pattern.test(value))) {
      return value;
    }
    this.add(path, `must be ${expected}`);
    return '';
  }
  textOrNull(value: unknown, path: string): string | null {
    if (value === null || typeof value === 'string') return value;
    this.add(path, 'must be a string or null');
    return null;
  }
  texts(value: unknown, path: string, pattern?: RegExp, expected?: string): string[] {
    return this.list(value, path).map((item, index) =>
      this.text(item, `${path}[${index}]`, pattern, expected),
    );
  }
}

export function parseIdentityCenterSnapshot(value: unknown): SnapshotParse {
  const problems = new Problems();
  if (!isRecord(value)) {
    return {
      kind: 'invalid',
      problems: ['(top level): not an Identity Center snapshot (expected a JSON object)'],
    };
  }
  if (value['format'] !== IDENTITY_CENTER_SNAPSHOT_FORMAT) {
    return {
      kind: 'invalid',
      problems: [
        `format: not an Identity Center snapshot (expected "${IDENTITY_CENTER_SNAPSHOT_FORMAT}", the format 'passrole-doctor snapshot --identity-center' writes)`,
      ],
    };
  }
  if (value['version'] !== IDENTITY_CENTER_SNAPSHOT_VERSION) {
    return {
      kind: 'invalid',
      problems: [
        `version: ${JSON.stringify(value['version'] ?? null)} is not a version this passrole-doctor reads (it reads ${IDENTITY_CENTER_SNAPSHOT_VERSION})`,
      ],
    };
  }
  const takenAt = problems.text(value['takenAt'], 'takenAt');
  if (takenAt !== '' && Number.isNaN(Date.parse(takenAt)))
    problems.add('takenAt', 'must be an ISO 8601 time');
  const instanceArn = problems.text(value['instanceArn'], 'instanceArn');
  if (instanceArn !== '' && parseArn(instanceArn)?.service !== 'sso') {
    problems.add('instanceArn', 'must be an Identity Center instance ARN (arn:...:sso:::instance/...)');
  }
  const identityStoreId = problems.text(value['identityStoreId'], 'identityStoreId');
  const permissionSets = problems
    .list(value['permissionSets'], 'permissionSets')
    .map((item, index) => permissionSet(problems, item, `permissionSets[${index}]`, instanceArn));
  duplicates(
    problems,
    permissionSets.map((set) => set.definition.name),
    'permissionSets',
    'definition.name',
  );
  duplicates(
    problems,
    permissionSets.map((set) => set.definition.permissionSetArn),
    'permissionSets',
    'definition.permissionSetArn',
  );
  const userMemberships = problems
    .list(value['userMemberships'], 'userMemberships')
    .map((item, index) => membership(problems, item, `userMemberships[${index}]`));
  duplicates(
    problems,
    userMemberships.map((user) => user.userName),
    'userMemberships',
    'userName',
  );
  if (problems.lines.length > 0) return { kind: 'invalid', problems: problems.lines };
  return {
    kind: 'parsed',
    snapshot: {
      format: IDENTITY_CENTER_SNAPSHOT_FORMAT,
      version: IDENTITY_CENTER_SNAPSHOT_VERSION,
      takenAt,
      instanceArn,
      identityStoreId,
      permissionSets,
      userMemberships,
    },
  };
}

function permissionSet(
  problems: Problems,
  value: unknown,
  path: string,
  instanceArn: string,
): SnapshotPermissionSet {
  const item = problems.record(value, path);
  const definition = definitionAt(problems, item['definition'], `${path}.definition`, instanceArn);
  const provisionedAccounts = problems.texts(
    item['provisionedAccounts'],
    `${path}.provisionedAccounts`,
    ACCOUNT_ID,
    'a 12-digit account id',
  );
  const assignments: Record<string, PermissionSetAssignment[]> = {};
  for (const [accountId, list] of Object.entries(
    problems.record(item['assignments'], `${path}.assignments`),
  )) {
    const at = `${path}.assignments.${accountId}`;
    if (!ACCOUNT_ID.test(accountId)) problems.add(at, 'must be keyed by a 12-digit account id');
    assignments[accountId] = problems
      .list(list, at)
      .map((entry, index) => assignment(problems, entry, `${at}[${index}]`));
  }
  return { definition, provisionedAccounts, assignments };
}

function definitionAt(
  problems: Problems,
  value: unknown,
  path: string,
  instanceArn: string,
): PermissionSetDefinition {
  const item = problems.record(value, path);
  const definitionInstance = problems.text(item['instanceArn'], `${path}.instanceArn`);
  if (definitionInstance !== '' && instanceArn !== '' && definitionInstance !== instanceArn) {
    problems.add(`${path}.instanceArn`, `must be the snapshot's instance ${instanceArn}`);
  }
  const permissionSetArn = problems.text(item['permissionSetArn'], `${path}.permissionSetArn`);
  if (permissionSetArn !== '' && parseArn(permissionSetArn)?.service !== 'sso') {
    problems.add(
      `${path}.permissionSetArn`,
      'must be a permission set ARN (arn:...:sso:::permissionSet/...)',
    );
  }
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(problems.record(item['tags'], `${path}.tags`))) {
    tags[key] = typeof tag === 'string' ? tag : (problems.add(`${path}.tags.${key}`, 'must be a string'), '');
  }
  return {
    instanceArn: definitionInstance,
    permissionSetArn,
    name: problems.text(
      item['name'],
      `${path}.name`,
      PERMISSION_SET_NAME,
      'a permission set name (1 to 32 of A-Z a-z 0-9 _+=,.@-)',
    ),
    inlinePolicy: problems.textOrNull(item['inlinePolicy'], `${path}.inlinePolicy`),
    managedPolicyArns: problems.texts(item['managedPolicyArns'], `${path}.managedPolicyArns`),
    customerManagedPolicies: problems
      .list(item['customerManagedPolicies'], `${path}.customerManagedPolicies`)
      .map((entry, index) => reference(problems, entry, `${path}.customerManagedPolicies[${index}]`)),
    boundary: boundaryAt(problems, item['boundary'], `${path}.boundary`),
    tags,
  };
}

function reference(problems: Problems, value: unknown, path: string): CustomerManagedPolicyReference {
  const item = problems.record(value, path);
  return {
    name: problems.text(item['name'], `${path}.name`),
    path: problems.text(item['path'], `${path}.path`, /^\/(.*\/)?$/, "a path starting and ending with '/'"),
  };
}

function boundaryAt(problems: Problems, value: unknown, path: string): PermissionsBoundary | null {
  if (value === null) return null;
  const item = problems.record(value, path);
  switch (item['kind']) {
    case 'managed':
      return {
        kind: 'managed',
        managedPolicyArn: problems.text(item['managedPolicyArn'], `${path}.managedPolicyArn`),
      };
    case 'customer-managed':
      return {
        kind: 'customer-managed',
        reference: reference(problems, item['reference'], `${path}.reference`),
      };
    default:
      problems.add(`${path}.kind`, "must be 'managed' or 'customer-managed' (or the boundary null)");
      return null;
  }
}

function assignment(problems: Problems, value: unknown, path: string): PermissionSetAssignment {
  const item = problems.record(value, path);
  const principalType = item['principalType'];
  if (principalType !== 'USER' && principalType !== 'GROUP')
    problems.add(`${path}.principalType`, "must be 'USER' or 'GROUP'");
  const memberCount = item['memberCount'];
  const count =
    memberCount === null ||
    (typeof memberCount === 'number' && Number.isInteger(memberCount) && memberCount >= 0)
      ? memberCount
      : (problems.add(`${path}.memberCount`, 'must be a whole number of 0 or more, or null'), null);
  if (principalType === 'USER' && count !== 1) problems.add(`${path}.memberCount`, 'must be 1 for a user');
  return {
    principalType: principalType === 'GROUP' ? 'GROUP' : 'USER',
    principalId: problems.text(item['principalId'], `${path}.principalId`),
    displayName: problems.textOrNull(item['displayName'], `${path}.displayName`),
    memberCount: count,
    memberNames: problems.texts(item['memberNames'], `${path}.memberNames`),
  };
}

function membership(problems: Problems, value: unknown, path: string): SnapshotUserMembership {
  const item = problems.record(value, path);
  return {
    userName: problems.text(item['userName'], `${path}.userName`),
    userId: problems.text(item['userId'], `${path}.userId`),
    groupIds: problems.texts(item['groupIds'], `${path}.groupIds`),
  };
}

function duplicates(problems: Problems, values: string[], list: string, field: string): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    if (value === '') return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else problems.add(`${list}[${index}].${field}`, `repeats ${list}[${first}]'s ${JSON.stringify(value)}`);
  });
}
