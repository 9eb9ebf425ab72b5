/**
 * What the escalation analysis needs (EscalationInputs), from GetAccountAuthorizationDetails data:
 * the passed role, everyone who gains the grant, and the roles whose trust policy names the passed role.
 * Shared by the snapshot reader and the live reader, as authorization-details.ts is for the scope.
 */
import { trustPolicyNamesRole } from '../core/analysis/trusts-role';
import { InvalidInputError } from '../core/errors';
import type { EscalationInputs } from '../core/escalation/model';
import type { ManagedPolicy, PrincipalDetails, ProposalTarget } from '../core/model';
import { parseIamArn } from '../core/iam/arn';
import { findEntity } from './authorization-details';
import {
  attachedPolicyArns,
  defaultVersionOf,
  entityBuilder,
  type ScopeOptions,
} from './gaad/entity-builder';
import { decodePolicyDocument } from './gaad/policy-document';
import type { AuthorizationDetails, GroupDetail, RoleDetail, UserDetail } from './gaad/shapes';

/** The SCPs in force, one list per level, root first; null when unknown. */
export type ServiceControlPolicyLevels = EscalationInputs['scps'];

/** The GAAD entities the inputs are made of, located once. */
interface EscalationEntities {
  accountId: string;
  role: RoleDetail | null;
  /** Users (with their groups) or the target role. */
  gainers: ({ kind: 'user'; user: UserDetail; groups: GroupDetail[] } | { kind: 'role'; role: RoleDetail })[];
  trustingRoles: RoleDetail[];
  notes: string[];
}

function groupsOf(details: AuthorizationDetails, user: UserDetail, notes: string[]): GroupDetail[] {
  return (user.GroupList ?? []).flatMap((name) => {
    const group = (details.GroupDetailList ?? []).find((candidate) => candidate.GroupName === name);
    if (group === undefined) {
      notes.push(
        `Group ${name} of user ${user.UserName ?? ''} is not in the account data: its policies are left out.`,
      );
      return [];
    }
    return [group];
  });
}

function locateGainers(
  details: AuthorizationDetails,
  target: ProposalTarget,
  notes: string[],
): EscalationEntities['gainers'] {
  // Names are unique per account and entity type: a match by name is the entity (the ARN may lack a path).
  const byArnOrName = <T extends { Arn?: string }>(
    list: readonly T[] | undefined,
    name: (entity: T) => string | undefined,
  ) =>
    (list ?? []).find(
      (entity) => (target.arn !== null && entity.Arn === target.arn) || name(entity) === target.name,
    );
  const missing = () =>
    notes.push(`${target.type} ${target.name} is not in the account data: who gains the grant is unknown.`);
  switch (target.type) {
    case 'group': {
      const group = byArnOrName(details.GroupDetailList, (entity) => entity.GroupName);
      if (group === undefined) {
        missing();
        return [];
      }
      const name = group.GroupName ?? target.name;
      return (details.UserDetailList ?? [])
        .filter((user) => (user.GroupList ?? []).includes(name))
        .map((user) => ({ kind: 'user' as const, user, groups: groupsOf(details, user, notes) }));
    }
    case 'user': {
      const user = byArnOrName(details.UserDetailList, (entity) => entity.UserName);
      if (user === undefined) {
        missing();
        return [];
      }
      return [{ kind: 'user', user, groups: groupsOf(details, user, notes) }];
    }
    case 'role': {
      const role = byArnOrName(details.RoleDetailList, (entity) => entity.RoleName);
      if (role === undefined) {
        missing();
        return [];
      }
      return [{ kind: 'role', role }];
    }
    case 'permission-set':
      notes.push(
        `The target is the Identity Center permission set ${target.name}: who is assigned it is not in the account data.`,
      );
      return [];
  }
}

function locateEscalationEntities(
  details: AuthorizationDetails,
  roleArn: string,
  target: ProposalTarget,
  source: string,
): EscalationEntities {
  const parsed = parseIamArn(roleArn);
  if (parsed === null || parsed.kind !== 'role') {
    throw new InvalidInputError(`roleArn: not an IAM role ARN: ${roleArn}`, 'roleArn');
  }
  const notes: string[] = [];
  const roles = details.RoleDetailList ?? [];
  // A by-name match is the role itself (role names are unique in an account): its note is not a gap.
  const role = findEntity(roles, parsed, roleArn, (entity) => entity.RoleName, []);
  const gainers = locateGainers(details, target, notes);
  const trustingRoles =
    role === null
      ? []
      : roles.filter((candidate, index) => {
          if (candidate === role || candidate.AssumeRolePolicyDocument === undefined) return false;
          try {
            const trust = decodePolicyDocument(
              candidate.AssumeRolePolicyDocument,
              `${source}: RoleDetailList[${index}].AssumeRolePolicyDocument`,
            );
            return trustPolicyNamesRole(trust, role.Arn ?? roleArn, parsed.accountId);
          } catch (error) {
            if (!(error instanceof InvalidInputError)) throw error;
            notes.push(
              `The trust policy of role ${candidate.RoleName ?? ''} could not be read (${error.message}): whether it trusts ${parsed.name} is unknown.`,
            );
            return false;
          }
        });
  return { accountId: parsed.accountId, role, gainers, trustingRoles, notes };
}

/** Every GAAD entity whose policies the inputs hold, for the managed policies they attach. */
function entitiesOf(entities: EscalationEntities) {
  return [
    ...(entities.role === null ? [] : [entities.role]),
    ...entities.gainers.flatMap((gainer) =>
      gainer.kind === 'role' ? [gainer.role] : [gainer.user, ...gainer.groups],
    ),
    ...entities.trustingRoles,
  ];
}

/**
 * The managed policies (attached or boundaries) of the role, the gainers and their groups, and the
 * roles that trust the role, whose default document is not in `details.Policies` (the AWS managed ones,
 * with GAAD filtered to LocalManagedPolicy): a live reader fetches these first.
 */
export function escalationPolicyArnsWithoutDocument(
  details: AuthorizationDetails,
  roleArn: string,
  target: ProposalTarget,
): string[] {
  const entities = locateEscalationEntities(details, roleArn, target, 'GetAccountAuthorizationDetails');
  const withDocument = new Set(
    (details.Policies ?? []).flatMap((policy) =>
      policy.Arn !== undefined && defaultVersionOf(policy) !== null ? [policy.Arn] : [],
    ),
  );
  const arns = entitiesOf(entities).flatMap((entity) => attachedPolicyArns(entity));
  return [...new Set(arns)].filter((arn) => !withDocument.has(arn));
}

export interface EscalationInputOptions extends ScopeOptions {
  /** The SCPs in force (the CLI's --scp files), one list per level; null when unknown. */
  scps?: ServiceControlPolicyLevels;
}

/** The escalation analysis' inputs for "pass `roleArn`", granted on `target`, from GAAD output. */
export function escalationInputsFromAuthorizationDetails(
  details: AuthorizationDetails,
  roleArn: string,
  target: ProposalTarget,
  managedPolicies: ReadonlyMap<string, ManagedPolicy> = new Map(),
  options: EscalationInputOptions = {},
): EscalationInputs {
  const source = options.source ?? 'GetAccountAuthorizationDetails';
  const entities = locateEscalationEntities(details, roleArn, target, source);
  const build = entityBuilder(details, managedPolicies, options);
  const gainers: PrincipalDetails[] = entities.gainers.map((gainer) =>
    gainer.kind === 'role' ? build.role(gainer.role) : build.user(gainer.user, gainer.groups),
  );
  const role = entities.role === null ? null : build.role(entities.role);
  const trustingRoles = entities.trustingRoles.map((trusting) => build.role(trusting));
  // After building: the builder notes the managed policies it had to leave out.
  const notes = [...entities.notes];
  for (const line of build.notes) if (!notes.includes(line)) notes.push(line);
  return {
    accountId: entities.accountId,
    role,
    gainers,
    trustingRoles,
    scps: options.scps ?? null,
    notes,
  };
}
