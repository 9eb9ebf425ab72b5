/**
 * Reads the account live, but only what the incident involves: the principal (a user with its groups,
 * their member counts and policies, or a role), the passed role, and the managed policies they attach
 * (GetPolicy every time, documents cached per container by ARN and version id). The cost of a
 * diagnosis is flat in the account's size: about twenty reads in four round trips for a user in two
 * groups. No GetAccountAuthorizationDetails: even filtered, it reads the whole account.
 *
 * It is also the EscalationReader (the role, the target's members with their groups, the roles whose
 * trust names the role: its own reads, on top of the diagnosis' ones it reuses within one incident),
 * the RolePathResolver (GetRole) and the InstanceProfileResolver (GetInstanceProfile).
 * The IAM client is the caller's (built once); throttling is retried by the SDK's standard retry.
 */
import { GetInstanceProfileCommand, GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { InvalidInputError } from '../../core/errors';
import type { EscalationInputs } from '../../core/escalation/model';
import { accountOf, nameOf, parseIamArn } from '../../core/iam/arn';
import type { AccountScope, ManagedPolicy, ProposalTarget } from '../../core/model';
import type { AccountReader } from '../../ports/account-reader';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { ManagedPolicyReader } from '../../ports/managed-policy-reader';
import type { InstanceProfileResolver } from '../../ports/instance-profile-resolver';
import type { RolePathResolver } from '../../ports/role-path-resolver';
import { managedPolicyArnsWithoutDocument, scopeFromAuthorizationDetails } from '../authorization-details';
import {
  escalationInputsFromAuthorizationDetails,
  escalationPolicyArnsWithoutDocument,
  type ServiceControlPolicyLevels,
} from '../escalation-inputs';
import type { AuthorizationDetails, RoleDetail, UserDetail } from '../gaad/shapes';
import { awsError, isNoSuchEntity } from './aws-errors';
import { ManagedPolicyDocuments } from './targeted/managed-policy-documents';
import { ReadSession, type GroupRead } from './targeted/read-session';

/** The builders' label for where the data came from (in the notes of a document it could not read). */
const SOURCE = 'IAM';

/**
 * Members of a target group read at once (four calls each): a large group must not fire thousands of
 * IAM calls together, which IAM's rate limits would throttle.
 */
const MEMBER_READS_AT_ONCE = 16;
/**
 * A target group with more members than this is not read member by member (4+ calls each): every
 * member is compared as if it had only the group's policies, the least any member can have, so the
 * analysis can only overstate what the grant adds, and a note keeps the level at least `contained`.
 */
export const MEMBERS_READ_IN_FULL = 20;

/** How long the reads of a loadScope may serve the escalation inputs that follow it (same incident). */
export const SCOPE_READ_REUSE_MS = 60_000;

export interface TargetedAccountReaderOptions {
  /** Milliseconds since the epoch; the reuse window is measured with it. */
  now?: () => number;
  /** The SCPs in force, one list per level (the CLI's --scp files); unknown (null) by default. */
  scps?: ServiceControlPolicyLevels;
  /**
   * Keep every entity read for the reader's life: a CLI run over many records reads each entity once.
   * Off by default, and never on in a Lambda: an applied fix must show in the next incident's read.
   */
  reuseEntityReads?: boolean;
}

export class TargetedAccountReader
  implements AccountReader, EscalationReader, RolePathResolver, InstanceProfileResolver, ManagedPolicyReader
{
  private readonly documents: ManagedPolicyDocuments;
  private readonly now: () => number;
  private readonly scps: ServiceControlPolicyLevels;
  private readonly shared: ReadSession | null;
  /** The last loadScope's reads, until one readEscalationInputs takes them. */
  private lastScope: { session: ReadSession; startedAt: number } | null = null;

  constructor(
    private readonly iam: IAMClient,
    options: TargetedAccountReaderOptions = {},
  ) {
    this.documents = new ManagedPolicyDocuments(iam);
    this.now = options.now ?? Date.now;
    this.scps = options.scps ?? null;
    this.shared = options.reuseEntityReads === true ? new ReadSession(iam, this.documents) : null;
  }

  /**
   * One managed policy's default version (GetPolicy, GetPolicyVersion; versions cached per container):
   * a permission set's managed policy or customer-managed reference, as the account holds it.
   */
  async managedPolicy(arn: string): Promise<ManagedPolicy | null> {
    const fetched = await this.documents.current(arn);
    return 'found' in fetched ? fetched.found : null;
  }

  async loadScope(policySourceArn: string, roleArn: string): Promise<AccountScope> {
    const session = this.shared ?? new ReadSession(this.iam, this.documents);
    this.lastScope = { session, startedAt: this.now() };
    const source = parseIamArn(policySourceArn);
    const passed = parseIamArn(roleArn);
    // Both entities at once; the builder below says what an ARN that is neither means.
    const userRead = source?.kind === 'user' ? session.user(source.name) : Promise.resolve(null);
    const principalRoleRead =
      source?.kind === 'role' || source?.kind === 'assumed-role'
        ? session.role(source.name)
        : Promise.resolve(null);
    const passedRoleRead = passed?.kind === 'role' ? session.role(passed.name) : Promise.resolve(null);
    const [user, principalRole, passedRole] = await Promise.all([
      userRead,
      principalRoleRead,
      passedRoleRead,
    ]);
    const groups = await groupsOf(session, user === null ? [] : [user]);
    const details: AuthorizationDetails = {
      UserDetailList: user === null ? [] : [user],
      GroupDetailList: groups.map((group) => group.detail),
      RoleDetailList: distinctRoles([principalRole, passedRole]),
      Policies: [],
    };
    const arns = managedPolicyArnsWithoutDocument(details, policySourceArn, roleArn);
    const { documents, unavailable } = await managedPolicies(session, arns);
    return scopeFromAuthorizationDetails(details, policySourceArn, roleArn, documents, {
      source: SOURCE,
      unavailablePolicies: unavailable,
      groupMemberCounts: memberCounts(groups),
      groupMembers: memberNames(groups),
    });
  }

  /**
   * The escalation inputs. Within one incident (the loadScope just before, less than
   * SCOPE_READ_REUSE_MS ago) the role and the principal's groups already read are reused; any other
   * caller (the approval re-check, the apply step) reads afresh. SCPs are the options' (else null).
   */
  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    const parsed = parseIamArn(roleArn);
    if (parsed === null || parsed.kind !== 'role') {
      throw new InvalidInputError(`roleArn: not an IAM role ARN: ${roleArn}`, 'roleArn');
    }
    const session = this.takeSession();
    const rolePromise = session.role(parsed.name);
    const gainersPromise = gainerEntities(session, target);
    // Awaited below; should the role's reads fail first, its own failure must not go unhandled.
    gainersPromise.catch(() => undefined);
    const role = await rolePromise;
    const trusting = role === null ? [] : await session.rolesTrusting(role.Arn ?? roleArn, parsed.accountId);
    const gainers = await gainersPromise;
    const groups = await groupsOf(session, gainers.users, gainers.groups);
    const details: AuthorizationDetails = {
      UserDetailList: gainers.users,
      GroupDetailList: groups.map((group) => group.detail),
      RoleDetailList: distinctRoles([role, ...gainers.roles, ...trusting]),
      Policies: [],
    };
    const arns = escalationPolicyArnsWithoutDocument(details, roleArn, target);
    const { documents, unavailable } = await managedPolicies(session, arns);
    const inputs = escalationInputsFromAuthorizationDetails(details, roleArn, target, documents, {
      source: SOURCE,
      unavailablePolicies: unavailable,
      groupMemberCounts: memberCounts(groups),
      groupMembers: memberNames(groups),
      scps: this.scps,
    });
    return { ...inputs, notes: [...gainers.notes, ...inputs.notes] };
  }

  /** GetRole, afresh: only asked when an `approvers` pattern names a role with its path. */
  async rolePath(accountId: string, roleName: string): Promise<string | null> {
    let role;
    try {
      role = (await this.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    } catch (error) {
      if (isNoSuchEntity(error)) return null;
      throw awsError(error, 'iam:GetRole');
    }
    // The reader's account is its credentials'; a role of another account is not found here.
    if (role?.Arn === undefined || accountOf(role.Arn) !== accountId) return null;
    return role.Path ?? '/';
  }

  async instanceProfileRole(accountId: string, profile: string): Promise<string | null | 'not-found'> {
    const given = accountOf(profile);
    if (given !== null && given !== accountId) return 'not-found';
    let instanceProfile;
    try {
      const output = await this.iam.send(
        new GetInstanceProfileCommand({ InstanceProfileName: nameOf(profile) }),
      );
      instanceProfile = output.InstanceProfile;
    } catch (error) {
      if (isNoSuchEntity(error)) return 'not-found';
      throw awsError(error, 'iam:GetInstanceProfile');
    }
    const arn = instanceProfile?.Arn;
    if (arn === undefined || accountOf(arn) !== accountId) return 'not-found';
    // A profile named by ARN must be that one: the same name under another path is another profile.
    if (profile.startsWith('arn:') && arn !== profile) return 'not-found';
    return instanceProfile?.Roles?.[0]?.Arn ?? null;
  }

  private takeSession(): ReadSession {
    if (this.shared !== null) return this.shared;
    const last = this.lastScope;
    this.lastScope = null;
    const reuse = last !== null && this.now() - last.startedAt < SCOPE_READ_REUSE_MS;
    return reuse ? last.session : new ReadSession(this.iam, this.documents);
  }
}

/** Who gains the grant, read whole: the target group's members, the target user or the target role. */
async function gainerEntities(
  session: ReadSession,
  target: ProposalTarget,
): Promise<{ users: UserDetail[]; groups: GroupRead[]; roles: RoleDetail[]; notes: string[] }> {
  switch (target.type) {
    case 'group': {
      const group = await session.group(target.name);
      if (group === null) return { users: [], groups: [], roles: [], notes: [] };
      if (group.members.length > MEMBERS_READ_IN_FULL) {
        const groupName = group.detail.GroupName ?? target.name;
        return {
          users: group.memberUsers.map((member) => ({
            ...member,
            GroupList: [groupName],
            UserPolicyList: [],
            AttachedManagedPolicies: [],
          })),
          groups: [group],
          roles: [],
          notes: [
            `Group ${groupName} has ${group.members.length} members, more than the ${MEMBERS_READ_IN_FULL} read one by one: each is compared as if it had only the group's policies, which can only overstate what the grant adds.`,
          ],
        };
      }
      const users = await inBatches(group.members, MEMBER_READS_AT_ONCE, (member) => session.user(member));
      return { users: users.flatMap((user) => user ?? []), groups: [group], roles: [], notes: [] };
    }
    case 'user': {
      const user = await session.user(target.name);
      return { users: user === null ? [] : [user], groups: [], roles: [], notes: [] };
    }
    case 'role': {
      const role = await session.role(target.name);
      return { users: [], groups: [], roles: role === null ? [] : [role], notes: [] };
    }
    case 'permission-set':
      return { users: [], groups: [], roles: [], notes: [] };
  }
}

/** The groups of `users` (started by the users' reads already), with `extra`, each once. */
async function groupsOf(
  session: ReadSession,
  users: readonly UserDetail[],
  extra: readonly GroupRead[] = [],
): Promise<GroupRead[]> {
  const names = [...new Set(users.flatMap((user) => user.GroupList ?? []))];
  const read = await Promise.all(names.map((name) => session.group(name)));
  const groups = new Map<string, GroupRead>();
  for (const group of [...extra, ...read]) {
    if (group !== null && group.detail.GroupName !== undefined) groups.set(group.detail.GroupName, group);
  }
  return [...groups.values()];
}

function distinctRoles(roles: readonly (RoleDetail | null)[]): RoleDetail[] {
  const byArn = new Map<string, RoleDetail>();
  for (const role of roles) if (role !== null) byArn.set(role.Arn ?? role.RoleName ?? '', role);
  return [...byArn.values()];
}

function memberNames(groups: readonly GroupRead[]): Map<string, readonly string[]> {
  return new Map(
    groups.flatMap((group) => (group.detail.GroupName ? [[group.detail.GroupName, group.members]] : [])),
  );
}

function memberCounts(groups: readonly GroupRead[]): Map<string, number> {
  return new Map(
    groups.flatMap((group) => (group.detail.GroupName ? [[group.detail.GroupName, group.memberCount]] : [])),
  );
}

async function managedPolicies(
  session: ReadSession,
  arns: readonly string[],
): Promise<{ documents: Map<string, ManagedPolicy>; unavailable: Map<string, string> }> {
  const fetched = await Promise.all(arns.map((arn) => session.managedPolicy(arn)));
  const documents = new Map<string, ManagedPolicy>();
  const unavailable = new Map<string, string>();
  arns.forEach((arn, index) => {
    const result = fetched[index];
    if (result === undefined) return;
    if ('found' in result) documents.set(arn, result.found);
    else unavailable.set(arn, result.unavailable);
  });
  return { documents, unavailable };
}

/** `read` over `items`, at most `limit` at a time, results in the items' order. */
async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  read: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += limit) {
    results.push(...(await Promise.all(items.slice(start, start + limit).map(read))));
  }
  return results;
}
