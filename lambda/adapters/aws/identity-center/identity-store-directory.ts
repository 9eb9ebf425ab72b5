/**
 * Names and group sizes from identitystore, for the blast radius; and a user's group memberships,
 * for separation of duties. A name or size that cannot be read is null, never a failure: the blast
 * radius then says "unknown" (and asks for a stronger approver) rather than failing the diagnosis.
 * Memberships are different: an approver whose groups cannot be read must not pass as "not assigned",
 * so those reads fail loudly.
 */
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  paginateListGroupMemberships,
  paginateListGroupMembershipsForMember,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import type { PermissionSetAssignment } from '../../../core/identity-center/model';
import { collectPages, identityCenterError, isResourceNotFound, mapWithLimit } from './errors';

/** A group's members named in the blast radius, at most (the review page shows them). */
export const MEMBER_NAME_LIMIT = 20;
/** identitystore calls in flight at once for one assignment list. */
const CONCURRENCY = 5;

export interface IdentityStoreDirectoryOptions {
  memberNameLimit?: number;
  /** MaxResults of each listing page; the service's default when absent. */
  pageSize?: number;
}

export class IdentityStoreDirectory {
  private readonly memberNameLimit: number;
  private readonly pageSize: number | undefined;

  constructor(
    private readonly client: IdentitystoreClient,
    options: IdentityStoreDirectoryOptions = {},
  ) {
    this.memberNameLimit = options.memberNameLimit ?? MEMBER_NAME_LIMIT;
    this.pageSize = options.pageSize;
  }

  /** One assignment with its principal's name and, for a group, its size and first members' names. */
  async assignment(
    identityStoreId: string,
    principalType: 'USER' | 'GROUP',
    principalId: string,
  ): Promise<PermissionSetAssignment> {
    if (principalType === 'USER') {
      return {
        principalType,
        principalId,
        displayName: await this.userName(identityStoreId, principalId),
        memberCount: 1,
        memberNames: [],
      };
    }
    const [displayName, members] = await Promise.all([
      this.groupName(identityStoreId, principalId),
      this.groupMembers(identityStoreId, principalId),
    ]);
    if (members === null) {
      return { principalType, principalId, displayName, memberCount: null, memberNames: [] };
    }
    const named = await mapWithLimit(members.slice(0, this.memberNameLimit), CONCURRENCY, (userId) =>
      this.userName(identityStoreId, userId),
    );
    return {
      principalType,
      principalId,
      displayName,
      memberCount: members.length,
      memberNames: named.filter((name): name is string => name !== null).sort(),
    };
  }

  /** The user's id and the ids of its groups; null when the store has no user of that name. */
  async memberships(
    identityStoreId: string,
    userName: string,
  ): Promise<{ userId: string; groupIds: string[] } | null> {
    let userId: string | undefined;
    try {
      const answer = await this.client.send(
        new GetUserIdCommand({
          IdentityStoreId: identityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: userName } },
        }),
      );
      userId = answer.UserId;
    } catch (error) {
      if (isResourceNotFound(error)) return null;
      throw identityCenterError(error, 'identitystore:GetUserId', `user ${userName}`);
    }
    if (userId === undefined) return null;
    const memberships = await collectPages(
      paginateListGroupMembershipsForMember(
        { client: this.client, ...this.pages() },
        { IdentityStoreId: identityStoreId, MemberId: { UserId: userId } },
      ),
      (page) => page.GroupMemberships,
      'identitystore:ListGroupMembershipsForMember',
      `user ${userName}`,
    );
    const groupIds = memberships.flatMap((membership) =>
      membership.GroupId === undefined ? [] : [membership.GroupId],
    );
    return { userId, groupIds: [...new Set(groupIds)].sort() };
  }

  private async userName(identityStoreId: string, userId: string): Promise<string | null> {
    try {
      const user = await this.client.send(
        new DescribeUserCommand({ IdentityStoreId: identityStoreId, UserId: userId }),
      );
      return user.UserName ?? user.DisplayName ?? null;
    } catch {
      return null;
    }
  }

  private async groupName(identityStoreId: string, groupId: string): Promise<string | null> {
    try {
      const group = await this.client.send(
        new DescribeGroupCommand({ IdentityStoreId: identityStoreId, GroupId: groupId }),
      );
      return group.DisplayName ?? null;
    } catch {
      return null;
    }
  }

  /** The group's members' user ids, each once; null when the memberships cannot be read. */
  private async groupMembers(identityStoreId: string, groupId: string): Promise<string[] | null> {
    try {
      const memberships = await collectPages(
        paginateListGroupMemberships(
          { client: this.client, ...this.pages() },
          { IdentityStoreId: identityStoreId, GroupId: groupId },
        ),
        (page) => page.GroupMemberships,
        'identitystore:ListGroupMemberships',
        `group ${groupId}`,
      );
      const ids = memberships.flatMap((membership) => {
        const userId = membership.MemberId?.UserId;
        return userId === undefined ? [] : [userId];
      });
      return [...new Set(ids)];
    } catch {
      return null;
    }
  }

  private pages(): { pageSize?: number } {
    return this.pageSize === undefined ? {} : { pageSize: this.pageSize };
  }
}
