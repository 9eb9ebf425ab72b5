/** Turning GAAD entities into the domain's, with their policies' documents. */
import type { GroupDetails, InlinePolicy, ManagedPolicy, RoleDetails, UserDetails } from '../../core/model';
import { nameOf } from '../../core/iam/arn';
import { decodePolicyDocument } from './policy-document';
import type {
  AttachedPolicyDetail,
  AuthorizationDetails,
  GroupDetail,
  InlinePolicyDetail,
  ManagedPolicyDetail,
  PermissionsBoundaryDetail,
  PolicyVersionDetail,
  RoleDetail,
  UserDetail,
} from './shapes';

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

export interface ScopeOptions {
  /** Prefix of every error's `where`: the snapshot's file name, or the API the data came from. */
  source?: string;
  /** Why a managed policy's document could not be had (ARN -> reason), for the notes. */
  unavailablePolicies?: ReadonlyMap<string, string>;
  /**
   * Group name -> how many users it has, as the group's own read gave it (GetGroup). Without it a
   * group's members are counted in `details.UserDetailList`, which is only right for a whole account.
   */
  groupMemberCounts?: ReadonlyMap<string, number>;
  /** Group name -> its members' user names, as the group's own read gave them (GetGroup). */
  groupMembers?: ReadonlyMap<string, readonly string[]>;
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
    const name = nameHint ?? detail?.PolicyName ?? nameOf(arn);
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
    options.groupMemberCounts?.get(groupName) ??
    (details.UserDetailList ?? []).filter((user) => (user.GroupList ?? []).includes(groupName)).length;
  // Names only from a whole account's user list or the group's own read: never a partial list.
  const memberNames = (groupName: string): string[] | undefined => {
    const read = options.groupMembers?.get(groupName);
    if (read !== undefined) return [...read].sort();
    if (options.groupMemberCounts !== undefined) return undefined;
    return (details.UserDetailList ?? [])
      .filter((user) => (user.GroupList ?? []).includes(groupName))
      .flatMap((user) => user.UserName ?? [])
      .sort();
  };
  const group = (detail: GroupDetail): GroupDetails => {
    const name = detail.GroupName ?? '';
    const path = pathOf(details.GroupDetailList, detail, 'GroupDetailList');
    const names = memberNames(name);
    return {
      arn: detail.Arn ?? '',
      name,
      path: detail.Path ?? '/',
      memberCount: memberCount(name),
      ...(names === undefined ? {} : { memberNames: names }),
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
