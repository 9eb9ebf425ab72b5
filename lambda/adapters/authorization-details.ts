/**
 * Turns the output of IAM GetAccountAuthorizationDetails (GAAD) into the domain's AccountScope: finds
 * the principal, its groups and the passed role, and builds them (gaad/entity-builder.ts). Shared by
 * the snapshot reader and the AWS reader.
 */
import { InvalidInputError } from '../core/errors';
import { parseIamArn, type IamArn } from '../core/iam/arn';
import type { AccountScope, ManagedPolicy } from '../core/model';
import {
  attachedPolicyArns,
  defaultVersionOf,
  entityBuilder,
  type ScopeOptions,
} from './gaad/entity-builder';
import type { AuthorizationDetails, GroupDetail, RoleDetail, UserDetail } from './gaad/shapes';

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
  entityName: (entity: T) => string | undefined,
  notes: string[],
): T | null {
  const exact = entities.find((entity) => entity.Arn === givenArn);
  if (exact !== undefined) return exact;
  const byName = entities.find((entity) => {
    const arn = entity.Arn === undefined ? null : parseIamArn(entity.Arn);
    return (
      entityName(entity) === wanted.name &&
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
