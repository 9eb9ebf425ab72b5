/**
 * CONTRACT STAND-INS, NOT THE PRODUCT: the smallest IdentityCenterReader and IdentityCenterWriter
 * (lambda/ports/identity-center.ts) over the SDK, so the loop runs on moto before the `icread`
 * engineer's SsoAdminIdentityCenterReader / SsoAdminIdentityCenterWriter
 * (lambda/adapters/aws/identity-center/) are on main. When they are, the loop builds those instead
 * (one place: identity-center-loop.ts) and this file goes. No caching, no paging beyond the first
 * page (the seeded instance is small), names of up to 20 members.
 */
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  type PermissionSetProvisioningStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type {
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionSetRef,
  PermissionsBoundary,
  ProvisioningStatus,
} from '../../../../lambda/core/identity-center/model';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../../../lambda/ports/identity-center';

const MEMBER_NAMES = 20;

export class StandInIdentityCenterReader implements IdentityCenterReader {
  constructor(
    private readonly sso: SSOAdminClient,
    private readonly identityStore: IdentitystoreClient,
    private readonly instanceArn: string,
    private readonly identityStoreId: string,
  ) {}

  async permissionSet(name: string): Promise<PermissionSetRef | null> {
    const arns =
      (await this.sso.send(new ListPermissionSetsCommand({ InstanceArn: this.instanceArn })))
        .PermissionSets ?? [];
    for (const arn of arns) {
      const described = await this.sso.send(
        new DescribePermissionSetCommand({ InstanceArn: this.instanceArn, PermissionSetArn: arn }),
      );
      if (described.PermissionSet?.Name === name)
        return { instanceArn: this.instanceArn, permissionSetArn: arn, name };
    }
    return null;
  }

  async definition(ref: PermissionSetRef): Promise<PermissionSetDefinition> {
    const ids = { InstanceArn: ref.instanceArn, PermissionSetArn: ref.permissionSetArn };
    const inline = await this.sso.send(new GetInlinePolicyForPermissionSetCommand(ids));
    const managed = await this.sso.send(new ListManagedPoliciesInPermissionSetCommand(ids));
    const references = await this.sso.send(
      new ListCustomerManagedPolicyReferencesInPermissionSetCommand(ids),
    );
    const tags = await this.sso.send(
      new ListTagsForResourceCommand({ InstanceArn: ref.instanceArn, ResourceArn: ref.permissionSetArn }),
    );
    let boundary: PermissionsBoundary | null = null;
    try {
      const found = (await this.sso.send(new GetPermissionsBoundaryForPermissionSetCommand(ids)))
        .PermissionsBoundary;
      const reference = found?.CustomerManagedPolicyReference;
      if (found?.ManagedPolicyArn !== undefined)
        boundary = { kind: 'managed', managedPolicyArn: found.ManagedPolicyArn };
      else if (reference?.Name !== undefined) {
        boundary = {
          kind: 'customer-managed',
          reference: { name: reference.Name, path: reference.Path ?? '/' },
        };
      }
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
    const text = inline.InlinePolicy ?? '';
    return {
      ...ref,
      inlinePolicy: text === '' ? null : text,
      managedPolicyArns: (managed.AttachedManagedPolicies ?? []).map((policy) => policy.Arn ?? ''),
      customerManagedPolicies: (references.CustomerManagedPolicyReferences ?? []).map((reference) => ({
        name: reference.Name ?? '',
        path: reference.Path ?? '/',
      })),
      boundary,
      tags: Object.fromEntries((tags.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    };
  }

  async provisionedAccounts(ref: PermissionSetRef): Promise<string[]> {
    const answer = await this.sso.send(
      new ListAccountsForProvisionedPermissionSetCommand({
        InstanceArn: ref.instanceArn,
        PermissionSetArn: ref.permissionSetArn,
      }),
    );
    return answer.AccountIds ?? [];
  }

  async assignments(ref: PermissionSetRef, accountId: string): Promise<PermissionSetAssignment[]> {
    const answer = await this.sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: ref.instanceArn,
        PermissionSetArn: ref.permissionSetArn,
        AccountId: accountId,
      }),
    );
    const found: PermissionSetAssignment[] = [];
    for (const assignment of answer.AccountAssignments ?? []) {
      const principalId = assignment.PrincipalId ?? '';
      if (assignment.PrincipalType === 'USER') {
        found.push({
          principalType: 'USER',
          principalId,
          displayName: await this.userName(principalId),
          memberCount: 1,
          memberNames: [],
        });
        continue;
      }
      const group = await this.identityStore
        .send(new DescribeGroupCommand({ IdentityStoreId: this.identityStoreId, GroupId: principalId }))
        .catch(() => null);
      const memberships = await this.identityStore
        .send(
          new ListGroupMembershipsCommand({ IdentityStoreId: this.identityStoreId, GroupId: principalId }),
        )
        .catch(() => null);
      const memberIds = (memberships?.GroupMemberships ?? []).map(
        (membership) => membership.MemberId?.UserId ?? '',
      );
      const names: string[] = [];
      for (const id of memberIds.slice(0, MEMBER_NAMES)) {
        const name = await this.userName(id);
        if (name !== null) names.push(name);
      }
      found.push({
        principalType: 'GROUP',
        principalId,
        displayName: group?.DisplayName ?? null,
        memberCount: memberships === null ? null : memberIds.length,
        memberNames: names,
      });
    }
    return found;
  }

  async userMemberships(userName: string): Promise<{ userId: string; groupIds: string[] } | null> {
    const user = await this.identityStore
      .send(
        new GetUserIdCommand({
          IdentityStoreId: this.identityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: userName } },
        }),
      )
      .catch(() => null);
    if (user?.UserId === undefined) return null;
    const groups = await this.identityStore.send(
      new ListGroupMembershipsForMemberCommand({
        IdentityStoreId: this.identityStoreId,
        MemberId: { UserId: user.UserId },
      }),
    );
    return {
      userId: user.UserId,
      groupIds: (groups.GroupMemberships ?? []).map((membership) => membership.GroupId ?? ''),
    };
  }

  async provisioningStatus(ref: PermissionSetRef, requestId: string): Promise<ProvisioningStatus> {
    const answer = await this.sso.send(
      new DescribePermissionSetProvisioningStatusCommand({
        InstanceArn: ref.instanceArn,
        ProvisionPermissionSetRequestId: requestId,
      }),
    );
    return statusOf(answer.PermissionSetProvisioningStatus, ref);
  }

  private async userName(userId: string): Promise<string | null> {
    const user = await this.identityStore
      .send(new DescribeUserCommand({ IdentityStoreId: this.identityStoreId, UserId: userId }))
      .catch(() => null);
    return user?.UserName ?? null;
  }
}

export class StandInIdentityCenterWriter implements IdentityCenterWriter {
  constructor(private readonly sso: SSOAdminClient) {}

  async putInlinePolicy(ref: PermissionSetRef, policy: string): Promise<void> {
    await this.sso.send(
      new PutInlinePolicyToPermissionSetCommand({
        InstanceArn: ref.instanceArn,
        PermissionSetArn: ref.permissionSetArn,
        InlinePolicy: policy,
      }),
    );
  }

  async provision(ref: PermissionSetRef, accountId: string): Promise<ProvisioningStatus> {
    const answer = await this.sso.send(
      new ProvisionPermissionSetCommand({
        InstanceArn: ref.instanceArn,
        PermissionSetArn: ref.permissionSetArn,
        TargetType: 'AWS_ACCOUNT',
        TargetId: accountId,
      }),
    );
    return statusOf(answer.PermissionSetProvisioningStatus, ref);
  }
}

function statusOf(
  status: PermissionSetProvisioningStatus | undefined,
  ref: PermissionSetRef,
): ProvisioningStatus {
  const state = status?.Status;
  return {
    requestId: status?.RequestId ?? '',
    state: state === 'SUCCEEDED' || state === 'FAILED' ? state : 'IN_PROGRESS',
    accountId: status?.AccountId ?? '',
    permissionSetArn: status?.PermissionSetArn ?? ref.permissionSetArn,
    failureReason: status?.FailureReason ?? null,
  };
}
