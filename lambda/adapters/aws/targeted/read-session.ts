/**
 * The targeted IAM reads of one incident: each user, group, role and managed policy read at most once,
 * every call started as soon as what it needs is known (a user's groups and attached policies are
 * asked for the moment their names arrive), so a user, its groups and their managed policies take four
 * sequential round trips whatever the account's size. Entities come back in the shapes of
 * GetAccountAuthorizationDetails, so the GAAD builders (authorization-details.ts, escalation-inputs.ts)
 * turn them into the domain's. A missing entity (NoSuchEntity: deleted since the event) is null.
 */
import {
  GetGroupPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  paginateGetGroup,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListRolePolicies,
  paginateListRoles,
  paginateListUserPolicies,
  type AttachedPolicy,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { trustPolicyNamesRole } from '../../../core/analysis/trusts-role';
import { InvalidInputError } from '../../../core/errors';
import { decodePolicyDocument } from '../../gaad/policy-document';
import type {
  AttachedPolicyDetail,
  GroupDetail,
  InlinePolicyDetail,
  RoleDetail,
  UserDetail,
} from '../../gaad/shapes';
import { awsError, isNoSuchEntity } from '../aws-errors';
import type { ManagedPolicyDocuments, ManagedPolicyFetch } from './managed-policy-documents';

export interface GroupRead {
  detail: GroupDetail;
  /** From the group's own read (GetGroup's member list), every page. */
  memberCount: number;
  /** The members' user names. */
  members: string[];
  /** The members as GetGroup lists them (name, ARN, path, id): no policies. */
  memberUsers: UserDetail[];
}

type EntityKind = 'user' | 'group' | 'role';

/** An IAM page size: IAM's maximum, so a long list costs as few sequential pages as it can. */
const MAX_ITEMS = 1000;

/** The result of `read`, or null when IAM says the entity is not there. */
async function orMissing<T>(action: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw awsError(error, action);
  }
}

async function allPages<Page, Item>(
  pages: AsyncIterable<Page>,
  items: (page: Page) => Item[],
): Promise<Item[]> {
  const all: Item[] = [];
  for await (const page of pages) all.push(...items(page));
  return all;
}

const attachedDetails = (list: AttachedPolicy[]): AttachedPolicyDetail[] =>
  list.flatMap((policy) =>
    policy.PolicyArn === undefined ? [] : [{ PolicyArn: policy.PolicyArn, PolicyName: policy.PolicyName }],
  );

export class ReadSession {
  private readonly users = new Map<string, Promise<UserDetail | null>>();
  private readonly groups = new Map<string, Promise<GroupRead | null>>();
  private readonly roles = new Map<string, Promise<RoleDetail | null>>();
  private readonly policies = new Map<string, Promise<ManagedPolicyFetch>>();

  constructor(
    private readonly iam: IAMClient,
    private readonly documents: ManagedPolicyDocuments,
  ) {}

  user(name: string): Promise<UserDetail | null> {
    return memo(this.users, name, () => this.readUser(name));
  }

  group(name: string): Promise<GroupRead | null> {
    return memo(this.groups, name, () => this.readGroup(name));
  }

  role(name: string): Promise<RoleDetail | null> {
    return memo(this.roles, name, () => this.readRole(name));
  }

  /** GetPolicy once per session; documents come from the per-container cache by version. */
  managedPolicy(arn: string): Promise<ManagedPolicyFetch> {
    return memo(this.policies, arn, () => this.documents.current(arn));
  }

  /**
   * The roles of the account whose trust policy names `roleArn` (ListRoles, every page: the one read
   * that grows with the account, made only by the escalation analysis), each then read whole; a role
   * whose trust policy cannot be decoded is returned as listed, so the builder notes it.
   */
  async rolesTrusting(roleArn: string, accountId: string): Promise<RoleDetail[]> {
    const trusting: string[] = [];
    const unreadable: RoleDetail[] = [];
    try {
      for await (const page of paginateListRoles({ client: this.iam, pageSize: MAX_ITEMS }, {})) {
        for (const listed of page.Roles ?? []) {
          if (listed.Arn === roleArn || listed.AssumeRolePolicyDocument === undefined) continue;
          try {
            const trust = decodePolicyDocument(listed.AssumeRolePolicyDocument, `ListRoles ${listed.Arn}`);
            if (trustPolicyNamesRole(trust, roleArn, accountId) && listed.RoleName !== undefined) {
              trusting.push(listed.RoleName);
            }
          } catch (error) {
            if (!(error instanceof InvalidInputError)) throw error;
            const { RoleName, Arn, Path, AssumeRolePolicyDocument } = listed;
            unreadable.push({ RoleName, Arn, Path, AssumeRolePolicyDocument });
          }
        }
      }
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      throw awsError(error, 'iam:ListRoles');
    }
    const read = await Promise.all(trusting.map((name) => this.role(name)));
    return [...read.flatMap((role) => (role === null ? [] : [role])), ...unreadable];
  }

  private async readUser(name: string): Promise<UserDetail | null> {
    const user = orMissing('iam:GetUser', () => this.iam.send(new GetUserCommand({ UserName: name })));
    const groups = orMissing('iam:ListGroupsForUser', () =>
      allPages(
        paginateListGroupsForUser({ client: this.iam, pageSize: MAX_ITEMS }, { UserName: name }),
        (page) => page.Groups ?? [],
      ),
    );
    // Started now, not when the scope is built: the groups' reads overlap the user's own.
    void groups.then(
      (list) => list?.forEach((group) => group.GroupName && this.group(group.GroupName)),
      noop,
    );
    void user.then((output) => this.prefetchBoundary(output?.User?.PermissionsBoundary), noop);
    const [got, groupList, inline, attached] = await Promise.all([
      user,
      groups,
      this.inlinePolicies('user', name),
      this.attachedPolicies('user', name),
    ]);
    const detail = got?.User;
    if (detail === undefined || groupList === null || inline === null || attached === null) return null;
    return {
      UserName: detail.UserName,
      Arn: detail.Arn,
      Path: detail.Path,
      UserId: detail.UserId,
      PermissionsBoundary: detail.PermissionsBoundary,
      GroupList: groupList.flatMap((group) => group.GroupName ?? []),
      UserPolicyList: inline,
      AttachedManagedPolicies: attached,
    };
  }

  private async readGroup(name: string): Promise<GroupRead | null> {
    const group = orMissing('iam:GetGroup', async () => {
      let detail: GroupDetail | undefined;
      const members: string[] = [];
      const memberUsers: UserDetail[] = [];
      for await (const page of paginateGetGroup(
        { client: this.iam, pageSize: MAX_ITEMS },
        { GroupName: name },
      )) {
        detail ??= page.Group;
        members.push(...(page.Users ?? []).flatMap((user) => user.UserName ?? []));
        memberUsers.push(
          ...(page.Users ?? []).map(({ UserName, Arn, Path, UserId }) => ({ UserName, Arn, Path, UserId })),
        );
      }
      return { detail, members, memberUsers };
    });
    const [got, inline, attached] = await Promise.all([
      group,
      this.inlinePolicies('group', name),
      this.attachedPolicies('group', name),
    ]);
    if (got === null || got.detail === undefined || inline === null || attached === null) return null;
    const { GroupName, Arn, Path, GroupId } = got.detail;
    return {
      detail: { GroupName, Arn, Path, GroupId, GroupPolicyList: inline, AttachedManagedPolicies: attached },
      memberCount: got.members.length,
      members: got.members,
      memberUsers: got.memberUsers,
    };
  }

  private async readRole(name: string): Promise<RoleDetail | null> {
    const role = orMissing('iam:GetRole', () => this.iam.send(new GetRoleCommand({ RoleName: name })));
    void role.then((output) => this.prefetchBoundary(output?.Role?.PermissionsBoundary), noop);
    const [got, inline, attached] = await Promise.all([
      role,
      this.inlinePolicies('role', name),
      this.attachedPolicies('role', name),
    ]);
    const detail = got?.Role;
    if (detail === undefined || inline === null || attached === null) return null;
    return {
      RoleName: detail.RoleName,
      Arn: detail.Arn,
      Path: detail.Path,
      RoleId: detail.RoleId,
      AssumeRolePolicyDocument: detail.AssumeRolePolicyDocument,
      PermissionsBoundary: detail.PermissionsBoundary,
      RolePolicyList: inline,
      AttachedManagedPolicies: attached,
    };
  }

  private prefetchBoundary(boundary: { PermissionsBoundaryArn?: string } | undefined): void {
    const arn = boundary?.PermissionsBoundaryArn;
    if (arn !== undefined) this.managedPolicy(arn).catch(noop);
  }

  /** The entity's attached managed policies; their GetPolicy starts as soon as the list arrives. */
  private async attachedPolicies(kind: EntityKind, name: string): Promise<AttachedPolicyDetail[] | null> {
    const client = { client: this.iam, pageSize: MAX_ITEMS };
    const list = await orMissing(`iam:ListAttached${capitalized(kind)}Policies`, () => {
      switch (kind) {
        case 'user':
          return allPages(paginateListAttachedUserPolicies(client, { UserName: name }), (page) =>
            attachedDetails(page.AttachedPolicies ?? []),
          );
        case 'group':
          return allPages(paginateListAttachedGroupPolicies(client, { GroupName: name }), (page) =>
            attachedDetails(page.AttachedPolicies ?? []),
          );
        case 'role':
          return allPages(paginateListAttachedRolePolicies(client, { RoleName: name }), (page) =>
            attachedDetails(page.AttachedPolicies ?? []),
          );
      }
    });
    list?.forEach((policy) => policy.PolicyArn && this.managedPolicy(policy.PolicyArn).catch(noop));
    return list;
  }

  /** The entity's inline policies with their documents (one Get per policy, all at once). */
  private async inlinePolicies(kind: EntityKind, name: string): Promise<InlinePolicyDetail[] | null> {
    const client = { client: this.iam, pageSize: MAX_ITEMS };
    const listAction = `iam:List${capitalized(kind)}Policies`;
    const names = await orMissing(listAction, () => {
      switch (kind) {
        case 'user':
          return allPages(
            paginateListUserPolicies(client, { UserName: name }),
            (page) => page.PolicyNames ?? [],
          );
        case 'group':
          return allPages(
            paginateListGroupPolicies(client, { GroupName: name }),
            (page) => page.PolicyNames ?? [],
          );
        case 'role':
          return allPages(
            paginateListRolePolicies(client, { RoleName: name }),
            (page) => page.PolicyNames ?? [],
          );
      }
    });
    if (names === null) return null;
    const documents = await Promise.all(
      names.map((policyName) =>
        orMissing(`iam:Get${capitalized(kind)}Policy`, async () => {
          switch (kind) {
            case 'user':
              return (
                await this.iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName }))
              ).PolicyDocument;
            case 'group':
              return (
                await this.iam.send(new GetGroupPolicyCommand({ GroupName: name, PolicyName: policyName }))
              ).PolicyDocument;
            case 'role':
              return (
                await this.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }))
              ).PolicyDocument;
          }
        }),
      ),
    );
    // A policy deleted between the list and its read is not there any more: left out, as IAM now has it.
    return names.flatMap((policyName, index) => {
      const document = documents[index];
      return document === null || document === undefined
        ? []
        : [{ PolicyName: policyName, PolicyDocument: document }];
    });
  }
}

function noop(): void {}

function capitalized(kind: EntityKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** One read per key per session; a failed read is forgotten so a later call asks again. */
function memo<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const reading = read();
  cache.set(key, reading);
  reading.catch(() => {
    if (cache.get(key) === reading) cache.delete(key);
  });
  return reading;
}
