/**
 * Turns the output of IAM GetAccountAuthorizationDetails (GAAD) into the domain's AccountScope.
 * Shared by the snapshot reader (the CLI's JSON) and the AWS reader (the SDK's output): the types
 * below mirror the SDK's structurally, with documents typed `unknown` because the CLI gives JSON
 * objects while the API and SDK v3 give URL-encoded JSON strings.
 */
import { InvalidInputError } from '../core/errors';
import type {
  AccountScope,
  GroupDetails,
  InlinePolicy,
  ManagedPolicy,
  PolicyDocument,
  RoleDetails,
  UserDetails,
} from '../core/model';

// ---------------------------------------------------------------- GAAD, structurally

export interface InlinePolicyDetail {
  PolicyName?: string;
  /** A JSON object, or a (URL-encoded) JSON string. */
  PolicyDocument?: unknown;
}

export interface AttachedPolicyDetail {
  PolicyName?: string;
  PolicyArn?: string;
}

export interface PermissionsBoundaryDetail {
  PermissionsBoundaryType?: string;
  PermissionsBoundaryArn?: string;
}

export interface UserDetail {
  Path?: string;
  UserName?: string;
  UserId?: string;
  Arn?: string;
  UserPolicyList?: InlinePolicyDetail[];
  GroupList?: string[];
  AttachedManagedPolicies?: AttachedPolicyDetail[];
  PermissionsBoundary?: PermissionsBoundaryDetail;
}

export interface GroupDetail {
  Path?: string;
  GroupName?: string;
  GroupId?: string;
  Arn?: string;
  GroupPolicyList?: InlinePolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicyDetail[];
}

export interface RoleDetail {
  Path?: string;
  RoleName?: string;
  RoleId?: string;
  Arn?: string;
  AssumeRolePolicyDocument?: unknown;
  RolePolicyList?: InlinePolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicyDetail[];
  PermissionsBoundary?: PermissionsBoundaryDetail;
}

export interface PolicyVersionDetail {
  Document?: unknown;
  VersionId?: string;
  IsDefaultVersion?: boolean;
}

export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  PolicyVersionList?: PolicyVersionDetail[];
}

/** GetAccountAuthorizationDetails output (all pages merged). The SDK's response type is assignable to it. */
export interface AuthorizationDetails {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
}

// ---------------------------------------------------------------- policy documents

/**
 * A policy document as GAAD carries it: a JSON object (AWS CLI), a URL-encoded JSON string
 * (raw API, SDK v3) or a plain JSON string.
 * @param where the document's location, for the error (e.g. `account.json: RoleDetailList[0].AssumeRolePolicyDocument`)
 */
export function decodePolicyDocument(value: unknown, where: string): PolicyDocument {
  const parsed = typeof value === 'string' ? parsePolicyText(value, where) : structuredClone(value);
  const problem = policyDocumentProblem(parsed);
  if (problem !== null) throw new InvalidInputError(`${where}: ${problem}`, where);
  return parsed as PolicyDocument;
}

function parsePolicyText(text: string, where: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch (plainError) {
    // Not plain JSON: the API URL-encodes documents (RFC 3986), so decode and try again.
    let decoded: string;
    try {
      decoded = decodeURIComponent(trimmed);
    } catch {
      throw new InvalidInputError(`${where}: not JSON and not URL-encoded JSON`, where, {
        cause: plainError,
      });
    }
    try {
      return JSON.parse(decoded);
    } catch (decodedError) {
      const reason = oneLine(decodedError instanceof Error ? decodedError.message : String(decodedError));
      throw new InvalidInputError(`${where}: not a JSON policy document (${reason})`, where, {
        cause: decodedError,
      });
    }
  }
}

/** JSON.parse quotes the offending text, which may span lines; an error message should not. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringOrStrings(value: unknown): boolean {
  return (
    typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

function isConditionValue(value: unknown): boolean {
  const isScalar = (item: unknown) => ['string', 'boolean', 'number'].includes(typeof item);
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar));
}

/** Why `value` is not a policy document IAM would accept the shape of, or null when it is. */
function policyDocumentProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'a policy document must be a JSON object';
  if (value.Version !== undefined && typeof value.Version !== 'string') return 'Version must be a string';
  const statements = value.Statement;
  if (statements === undefined) return 'a policy document needs a Statement';
  const list: unknown[] = Array.isArray(statements) ? statements : [statements];
  for (const [index, statement] of list.entries()) {
    const at = Array.isArray(statements) ? `Statement[${index}]` : 'Statement';
    const problem = statementProblem(statement);
    if (problem !== null) return `${at} ${problem}`;
  }
  return null;
}

function statementProblem(statement: unknown): string | null {
  if (!isRecord(statement)) return 'must be a JSON object';
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    return `has Effect ${JSON.stringify(statement.Effect)}; expected "Allow" or "Deny"`;
  }
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string')
    return 'has a Sid that is not a string';
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (statement[field] !== undefined && !isStringOrStrings(statement[field])) {
      return `has a ${field} that is neither a string nor a list of strings`;
    }
  }
  const condition = statement.Condition;
  if (condition !== undefined) {
    if (!isRecord(condition)) return 'has a Condition that is not a JSON object';
    for (const [operator, keys] of Object.entries(condition)) {
      if (!isRecord(keys) || !Object.values(keys).every(isConditionValue)) {
        return `has a Condition ${operator} whose keys do not map to values`;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------- validating a snapshot

/**
 * Checks that `value` has GAAD's shape (what this module reads of it, documents included), so a
 * malformed snapshot fails at load with the JSON path of the problem rather than mid-diagnosis.
 * @param source the file name, prefixed to every error's `where`
 */
export function assertAuthorizationDetails(
  value: unknown,
  source: string,
): asserts value is AuthorizationDetails {
  const fail = (path: string, problem: string): never => {
    const where = path === '' ? source : `${source}: ${path}`;
    throw new InvalidInputError(`${where}: ${problem}`, where);
  };
  if (!isRecord(value)) fail('', 'not GetAccountAuthorizationDetails output (expected a JSON object)');
  const details = value as Record<string, unknown>;
  const lists = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'];
  if (!lists.some((list) => details[list] !== undefined)) {
    fail('', `not GetAccountAuthorizationDetails output (none of ${lists.join(', ')})`);
  }

  const records = (parent: Record<string, unknown>, key: string, path: string): Record<string, unknown>[] => {
    const list = parent[key];
    if (list === undefined) return [];
    if (!Array.isArray(list)) return fail(`${path}${key}`, 'must be a list');
    return list.map((item, index) =>
      isRecord(item) ? item : fail(`${path}${key}[${index}]`, 'must be an object'),
    );
  };
  const requireString = (item: Record<string, unknown>, key: string, path: string) => {
    if (typeof item[key] !== 'string' || item[key] === '')
      fail(`${path}.${key}`, 'must be a non-empty string');
  };
  const optionalString = (item: Record<string, unknown>, key: string, path: string) => {
    if (item[key] !== undefined && typeof item[key] !== 'string') fail(`${path}.${key}`, 'must be a string');
  };
  const checkDocument = (document: unknown, path: string) =>
    decodePolicyDocument(document, `${source}: ${path}`);
  const checkInlinePolicies = (entity: Record<string, unknown>, key: string, path: string) => {
    records(entity, key, `${path}.`).forEach((policy, index) => {
      const at = `${path}.${key}[${index}]`;
      requireString(policy, 'PolicyName', at);
      checkDocument(policy.PolicyDocument, `${at}.PolicyDocument`);
    });
  };
  const checkAttachedPolicies = (entity: Record<string, unknown>, path: string) => {
    records(entity, 'AttachedManagedPolicies', `${path}.`).forEach((policy, index) => {
      const at = `${path}.AttachedManagedPolicies[${index}]`;
      requireString(policy, 'PolicyArn', at);
      optionalString(policy, 'PolicyName', at);
    });
  };
  const checkBoundary = (entity: Record<string, unknown>, path: string) => {
    const boundary = entity.PermissionsBoundary;
    if (boundary === undefined) return;
    if (!isRecord(boundary)) return fail(`${path}.PermissionsBoundary`, 'must be an object');
    requireString(boundary, 'PermissionsBoundaryArn', `${path}.PermissionsBoundary`);
  };
  const checkEntity = (entity: Record<string, unknown>, nameKey: string, path: string) => {
    requireString(entity, nameKey, path);
    requireString(entity, 'Arn', path);
    optionalString(entity, 'Path', path);
    checkAttachedPolicies(entity, path);
  };

  records(details, 'UserDetailList', '').forEach((user, index) => {
    const path = `UserDetailList[${index}]`;
    checkEntity(user, 'UserName', path);
    checkInlinePolicies(user, 'UserPolicyList', path);
    checkBoundary(user, path);
    const groups = user.GroupList;
    if (
      groups !== undefined &&
      !(Array.isArray(groups) && groups.every((group) => typeof group === 'string'))
    ) {
      fail(`${path}.GroupList`, 'must be a list of group names');
    }
  });
  records(details, 'GroupDetailList', '').forEach((group, index) => {
    const path = `GroupDetailList[${index}]`;
    checkEntity(group, 'GroupName', path);
    checkInlinePolicies(group, 'GroupPolicyList', path);
  });
  records(details, 'RoleDetailList', '').forEach((role, index) => {
    const path = `RoleDetailList[${index}]`;
    checkEntity(role, 'RoleName', path);
    checkInlinePolicies(role, 'RolePolicyList', path);
    checkBoundary(role, path);
    if (role.AssumeRolePolicyDocument !== undefined) {
      checkDocument(role.AssumeRolePolicyDocument, `${path}.AssumeRolePolicyDocument`);
    }
  });
  records(details, 'Policies', '').forEach((policy, index) => {
    const path = `Policies[${index}]`;
    requireString(policy, 'Arn', path);
    optionalString(policy, 'PolicyName', path);
    optionalString(policy, 'DefaultVersionId', path);
    records(policy, 'PolicyVersionList', `${path}.`).forEach((version, versionIndex) => {
      const at = `${path}.PolicyVersionList[${versionIndex}]`;
      optionalString(version, 'VersionId', at);
      if (version.Document !== undefined) checkDocument(version.Document, `${at}.Document`);
    });
  });
}

// ---------------------------------------------------------------- ARNs

type IamArnKind = 'user' | 'role' | 'group' | 'assumed-role' | 'other';

export interface IamArn {
  partition: string;
  accountId: string;
  kind: IamArnKind;
  /** IAM path, '/' when none. */
  path: string;
  name: string;
}

const IAM_ARN = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/;

export function parseIamArn(arn: string): IamArn | null {
  const match = IAM_ARN.exec(arn);
  if (match === null) return null;
  const [, partition = '', service, accountId = '', resource = ''] = match;
  const [type = '', ...rest] = resource.split('/');
  if (service === 'sts') {
    // arn:aws:sts::123456789012:assumed-role/RoleName/session: the role's path is not in it.
    const kind = type === 'assumed-role' ? 'assumed-role' : 'other';
    return { partition, accountId, kind, path: '/', name: rest[0] ?? '' };
  }
  const kind: IamArnKind = type === 'user' || type === 'role' || type === 'group' ? type : 'other';
  const name = rest.at(-1) ?? '';
  const path = rest.length > 1 ? `/${rest.slice(0, -1).join('/')}/` : '/';
  return { partition, accountId, kind, path, name };
}

/**
 * The path of the role named `roleName` in `accountId` (`/` or `/team/`), or null when it is not
 * there. Names are compared case-insensitively, as IAM keeps them unique.
 */
export function rolePathIn(
  details: AuthorizationDetails,
  accountId: string,
  roleName: string,
): string | null {
  const wanted = roleName.toLowerCase();
  const role = (details.RoleDetailList ?? []).find(
    (detail) =>
      detail.RoleName?.toLowerCase() === wanted && parseIamArn(detail.Arn ?? '')?.accountId === accountId,
  );
  return role?.Path ?? null;
}

// ---------------------------------------------------------------- locating the scope's entities

interface ScopeEntities {
  accountId: string;
  user: UserDetail | null;
  principalRole: RoleDetail | null;
  groups: GroupDetail[];
  passedRole: RoleDetail | null;
  notes: string[];
}

/**
 * Finds an entity by ARN; failing that, by name within the same account, because callers
 * rebuild ARNs without the path (an assumed-role session does not carry its role's path).
 */
export function findEntity<T extends { Arn?: string }>(
  entities: readonly T[],
  wanted: IamArn,
  givenArn: string,
  nameOf: (entity: T) => string | undefined,
  notes: string[],
): T | null {
  const exact = entities.find((entity) => entity.Arn === givenArn);
  if (exact !== undefined) return exact;
  const byName = entities.find((entity) => {
    const arn = entity.Arn === undefined ? null : parseIamArn(entity.Arn);
    return (
      nameOf(entity) === wanted.name &&
      arn !== null &&
      arn.partition === wanted.partition &&
      arn.accountId === wanted.accountId
    );
  });
  if (byName === undefined) return null;
  notes.push(
    `${givenArn} matched ${wanted.kind === 'user' ? 'user' : 'role'} ${wanted.name} by name: its ARN is ${byName.Arn}.`,
  );
  return byName;
}

function parseOrThrow(arn: string, argument: string): IamArn {
  const parsed = parseIamArn(arn);
  if (parsed === null) throw new InvalidInputError(`${argument}: not an IAM ARN: ${arn}`, argument);
  return parsed;
}

function locateScopeEntities(
  details: AuthorizationDetails,
  policySourceArn: string,
  roleArn: string,
): ScopeEntities {
  const source = parseOrThrow(policySourceArn, 'policySourceArn');
  const passed = parseOrThrow(roleArn, 'roleArn');
  const notes: string[] = [];
  const users = details.UserDetailList ?? [];
  const roles = details.RoleDetailList ?? [];

  let user: UserDetail | null = null;
  let principalRole: RoleDetail | null = null;
  if (source.kind === 'user') {
    user = findEntity(users, source, policySourceArn, (entity) => entity.UserName, notes);
  } else if (source.kind === 'role' || source.kind === 'assumed-role') {
    principalRole = findEntity(roles, source, policySourceArn, (entity) => entity.RoleName, notes);
  } else {
    notes.push(`${policySourceArn} is not an IAM user or role: no principal policies read.`);
  }

  const groups: GroupDetail[] = [];
  for (const groupName of user?.GroupList ?? []) {
    const group = (details.GroupDetailList ?? []).find((candidate) => candidate.GroupName === groupName);
    if (group === undefined) {
      notes.push(
        `Group ${groupName} of user ${user?.UserName} is not in the account data: its policies are left out.`,
      );
    } else {
      groups.push(group);
    }
  }

  let passedRole: RoleDetail | null = null;
  if (passed.kind === 'role') {
    passedRole = findEntity(roles, passed, roleArn, (entity) => entity.RoleName, notes);
  } else {
    notes.push(`${roleArn} is not an IAM role ARN: no passed role read.`);
  }

  const accountsInData = new Set(
    [...users, ...roles, ...(details.GroupDetailList ?? [])].flatMap((entity) => {
      const arn = entity.Arn === undefined ? null : parseIamArn(entity.Arn);
      return arn === null ? [] : [arn.accountId];
    }),
  );
  if (accountsInData.size > 0 && !accountsInData.has(source.accountId)) {
    notes.push(`The account data is for account ${[...accountsInData].join(', ')}, not ${source.accountId}.`);
  }

  return { accountId: source.accountId, user, principalRole, groups, passedRole, notes };
}

export function attachedPolicyArns(entity: {
  AttachedManagedPolicies?: AttachedPolicyDetail[];
  PermissionsBoundary?: PermissionsBoundaryDetail;
}): string[] {
  const arns = (entity.AttachedManagedPolicies ?? []).flatMap((policy) => policy.PolicyArn ?? []);
  const boundary = entity.PermissionsBoundary?.PermissionsBoundaryArn;
  return boundary === undefined ? arns : [...arns, boundary];
}

export function defaultVersionOf(
  policy: ManagedPolicyDetail,
): { version: PolicyVersionDetail; index: number } | null {
  const versions = policy.PolicyVersionList ?? [];
  const index = versions.findIndex(
    (version) =>
      version.IsDefaultVersion === true ||
      (policy.DefaultVersionId !== undefined && version.VersionId === policy.DefaultVersionId),
  );
  const version = versions[index];
  return version === undefined || version.Document === undefined ? null : { version, index };
}

/**
 * The managed policies (attached or boundaries) of the principal, its groups and the passed role
 * whose default document is not in `details.Policies`: the AWS managed ones, with GAAD filtered to
 * LocalManagedPolicy. A reader fetches these and passes them to scopeFromAuthorizationDetails.
 */
export function managedPolicyArnsWithoutDocument(
  details: AuthorizationDetails,
  policySourceArn: string,
  roleArn: string,
): string[] {
  const entities = locateScopeEntities(details, policySourceArn, roleArn);
  const inScope = [entities.user, entities.principalRole, ...entities.groups, entities.passedRole].flatMap(
    (entity) => (entity === null ? [] : attachedPolicyArns(entity)),
  );
  const withDocument = new Set(
    (details.Policies ?? []).flatMap((policy) =>
      policy.Arn !== undefined && defaultVersionOf(policy) !== null ? [policy.Arn] : [],
    ),
  );
  return [...new Set(inScope)].filter((arn) => !withDocument.has(arn));
}

// ---------------------------------------------------------------- building the scope

export interface ScopeOptions {
  /** Prefix of every error's `where`: the snapshot's file name, or the API the data came from. */
  source?: string;
  /** Why a managed policy's document could not be had (ARN -> reason), for the notes. */
  unavailablePolicies?: ReadonlyMap<string, string>;
}

/** Turns GAAD entities into the domain's, with their policies; notes what it had to leave out. */
export interface EntityBuilder {
  user(detail: UserDetail, groups: readonly GroupDetail[]): UserDetails;
  group(detail: GroupDetail): GroupDetails;
  role(detail: RoleDetail): RoleDetails;
  /** What was left out so far (a managed policy without its document), each line once. */
  readonly notes: string[];
}

/**
 * The builder both readers (the scope and the escalation inputs) use. Managed policy documents come
 * from `details.Policies` (default version) or `managedPolicies` (by ARN, e.g. AWS managed ones fetched
 * separately); one that neither has is left out with a note, because a guessed document would make the
 * simulation (or the escalation analysis) lie.
 */
export function entityBuilder(
  details: AuthorizationDetails,
  managedPolicies: ReadonlyMap<string, ManagedPolicy> = new Map(),
  options: ScopeOptions = {},
): EntityBuilder {
  const source = options.source ?? 'GetAccountAuthorizationDetails';
  const notes: string[] = [];
  const note = (line: string) => {
    if (!notes.includes(line)) notes.push(line);
  };

  const policies = details.Policies ?? [];
  const managedPolicy = (arn: string, nameHint: string | undefined, role: string): ManagedPolicy | null => {
    const given = managedPolicies.get(arn);
    if (given !== undefined) return given;
    const index = policies.findIndex((policy) => policy.Arn === arn);
    const detail = policies[index];
    const name = nameHint ?? detail?.PolicyName ?? arn.split('/').at(-1) ?? arn;
    const defaultVersion = detail === undefined ? null : defaultVersionOf(detail);
    if (defaultVersion === null) {
      const reason = options.unavailablePolicies?.get(arn) ?? 'its document is not in the account data';
      note(`Managed policy ${name} (${arn}), ${role}, is left out: ${reason}.`);
      return null;
    }
    const where = `${source}: Policies[${index}].PolicyVersionList[${defaultVersion.index}].Document`;
    return { arn, name, document: decodePolicyDocument(defaultVersion.version.Document, where) };
  };

  const inlinePolicies = (list: InlinePolicyDetail[] | undefined, path: string): InlinePolicy[] =>
    (list ?? []).map((policy, index) => ({
      name: policy.PolicyName ?? `#${index}`,
      document: decodePolicyDocument(policy.PolicyDocument, `${source}: ${path}[${index}].PolicyDocument`),
    }));
  const attachedPolicies = (list: AttachedPolicyDetail[] | undefined, attachedTo: string): ManagedPolicy[] =>
    (list ?? []).flatMap((policy) => {
      if (policy.PolicyArn === undefined) return [];
      return managedPolicy(policy.PolicyArn, policy.PolicyName, `attached to ${attachedTo}`) ?? [];
    });
  const boundary = (entity: { PermissionsBoundary?: PermissionsBoundaryDetail }, owner: string) => {
    const arn = entity.PermissionsBoundary?.PermissionsBoundaryArn;
    return arn === undefined ? null : managedPolicy(arn, undefined, `the permissions boundary of ${owner}`);
  };
  const pathOf = (list: readonly object[] | undefined, entity: object, listName: string) =>
    `${listName}[${(list ?? []).indexOf(entity)}]`;

  const memberCount = (groupName: string) =>
    (details.UserDetailList ?? []).filter((user) => (user.GroupList ?? []).includes(groupName)).length;
  const group = (detail: GroupDetail): GroupDetails => {
    const name = detail.GroupName ?? '';
    const path = pathOf(details.GroupDetailList, detail, 'GroupDetailList');
    return {
      arn: detail.Arn ?? '',
      name,
      path: detail.Path ?? '/',
      memberCount: memberCount(name),
      inlinePolicies: inlinePolicies(detail.GroupPolicyList, `${path}.GroupPolicyList`),
      attachedPolicies: attachedPolicies(detail.AttachedManagedPolicies, `group/${name}`),
    };
  };
  const role = (detail: RoleDetail): RoleDetails => {
    const name = detail.RoleName ?? '';
    const path = pathOf(details.RoleDetailList, detail, 'RoleDetailList');
    const trust = detail.AssumeRolePolicyDocument;
    return {
      kind: 'role',
      arn: detail.Arn ?? '',
      name,
      path: detail.Path ?? '/',
      trustPolicy:
        trust === undefined
          ? null
          : decodePolicyDocument(trust, `${source}: ${path}.AssumeRolePolicyDocument`),
      inlinePolicies: inlinePolicies(detail.RolePolicyList, `${path}.RolePolicyList`),
      attachedPolicies: attachedPolicies(detail.AttachedManagedPolicies, `role/${name}`),
      permissionsBoundary: boundary(detail, `role/${name}`),
    };
  };
  const user = (detail: UserDetail, groups: readonly GroupDetail[]): UserDetails => {
    const name = detail.UserName ?? '';
    const path = pathOf(details.UserDetailList, detail, 'UserDetailList');
    return {
      kind: 'user',
      arn: detail.Arn ?? '',
      name,
      path: detail.Path ?? '/',
      inlinePolicies: inlinePolicies(detail.UserPolicyList, `${path}.UserPolicyList`),
      attachedPolicies: attachedPolicies(detail.AttachedManagedPolicies, `user/${name}`),
      permissionsBoundary: boundary(detail, `user/${name}`),
      groups: groups.map(group),
    };
  };
  return { user, group, role, notes };
}

/**
 * The AccountScope of `policySourceArn` (a user or role; its groups for a user) and of the passed
 * role, from GAAD output (see entityBuilder for where managed policy documents come from).
 */
export function scopeFromAuthorizationDetails(
  details: AuthorizationDetails,
  policySourceArn: string,
  roleArn: string,
  managedPolicies: ReadonlyMap<string, ManagedPolicy> = new Map(),
  options: ScopeOptions = {},
): AccountScope {
  const entities = locateScopeEntities(details, policySourceArn, roleArn);
  const build = entityBuilder(details, managedPolicies, options);
  const principal =
    entities.user !== null
      ? build.user(entities.user, entities.groups)
      : entities.principalRole !== null
        ? build.role(entities.principalRole)
        : null;
  const passedRole = entities.passedRole === null ? null : build.role(entities.passedRole);
  const notes = [...entities.notes];
  for (const line of build.notes) if (!notes.includes(line)) notes.push(line);
  return { accountId: entities.accountId, principal, passedRole, notes };
}
