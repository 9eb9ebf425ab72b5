/**
 * IdentityCenterReader over sso-admin (in the instance's region) and identitystore, with clients
 * built once per container and passed in.
 *
 * Caching: the list of permission sets is kept IDENTITY_CENTER_CACHE_TTL_MS; a name missing from the
 * kept list lists again at once, so a set created a minute ago is found on its first denial. A set's
 * name never changes (UpdatePermissionSet cannot rename), so each ARN is described once per container.
 * Everything else (the definition, provisioned accounts, assignments, memberships, provisioning
 * status) is read afresh on every call: the apply compares the definition with what was analysed.
 */
import {
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  paginateListAccountAssignments,
  paginateListAccountsForProvisionedPermissionSet,
  paginateListCustomerManagedPolicyReferencesInPermissionSet,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSets,
  paginateListTagsForResource,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type {
  PermissionSetAssignment,
  PermissionSetDefinition,
  PermissionSetRef,
  PermissionsBoundary,
  ProvisioningStatus,
} from '../../../core/identity-center/model';
import type { IdentityCenterReader } from '../../../ports/identity-center';
import { TtlCache } from '../organizations/ttl-cache';
import {
  collectPages,
  identityCenterError,
  isResourceNotFound,
  malformedAnswer,
  mapWithLimit,
} from './errors';
import { IdentityStoreDirectory } from './identity-store-directory';
import { locateInstance, type IdentityCenterInstance } from './instance';
import { decodeBoundary, decodeProvisioningStatus, decodeReference, decodeTags } from './wire';

/**
 * Five minutes: a deleted set's name resolves at most this late (a new one at once, see above), while
 * a burst of denials lists the sets once, not once per denial.
 */
export const IDENTITY_CENTER_CACHE_TTL_MS = 5 * 60_000;
/** DescribePermissionSet calls in flight at once while resolving a name. */
const CONCURRENCY = 5;

export interface SsoAdminIdentityCenterReaderOptions {
  /** IDENTITY_CENTER_INSTANCE_ARN; else the account's instance from ListInstances. */
  instanceArn?: string;
  ttlMs?: number;
  /** Milliseconds since the epoch (the cache's clock). */
  now?: () => number;
  /** MaxResults of each listing page; the service's default when absent (tests use small pages). */
  pageSize?: number;
  memberNameLimit?: number;
}

export class SsoAdminIdentityCenterReader implements IdentityCenterReader {
  private readonly instances: TtlCache<IdentityCenterInstance>;
  /** The instance's set ARNs as last listed, and until when they are kept. */
  private setList: { instanceArn: string; arns: Promise<string[]>; expiresAt: number } | null = null;
  private readonly now: () => number;
  private readonly ttlMs: number;
  /** ARN -> name (null: described as gone); names are immutable, so kept for the container's life. */
  private readonly names = new Map<string, Promise<string | null>>();
  private readonly directory: IdentityStoreDirectory;
  private readonly pageSize: number | undefined;

  constructor(
    private readonly ssoAdmin: SSOAdminClient,
    identityStore: IdentitystoreClient,
    private readonly options: SsoAdminIdentityCenterReaderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? IDENTITY_CENTER_CACHE_TTL_MS;
    this.instances = new TtlCache(Number.POSITIVE_INFINITY, this.now);
    this.pageSize = options.pageSize;
    this.directory = new IdentityStoreDirectory(identityStore, {
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.memberNameLimit === undefined ? {} : { memberNameLimit: options.memberNameLimit }),
    });
  }

  /** The instance read (its ARN and identity store), located once per container. */
  instance(): Promise<IdentityCenterInstance> {
    return this.instances.get('instance', () => locateInstance(this.ssoAdmin, this.options.instanceArn));
  }

  async permissionSet(name: string): Promise<PermissionSetRef | null> {
    const { instanceArn } = await this.instance();
    const current = this.setList;
    const reused = current !== null && current.instanceArn === instanceArn && current.expiresAt > this.now();
    const kept = await (reused ? current.arns : this.relist(instanceArn));
    const found = await this.findNamed(instanceArn, kept, name);
    if (found !== null || !reused) return found;
    // Not in the kept list: perhaps created since it was read.
    const arns = await this.relist(instanceArn);
    return this.findNamed(
      instanceArn,
      arns.filter((arn) => !kept.includes(arn)),
      name,
    );
  }

  /** Lists the sets and keeps the list; a failed listing is not kept. */
  private relist(instanceArn: string): Promise<string[]> {
    const arns = this.listSets(instanceArn);
    const entry = { instanceArn, arns, expiresAt: this.now() + this.ttlMs };
    this.setList = entry;
    arns.catch(() => {
      if (this.setList === entry) this.setList = null;
    });
    return arns;
  }

  /** Every permission set of the instance, by ARN (the snapshot reads them all). */
  async allPermissionSets(): Promise<PermissionSetRef[]> {
    const { instanceArn } = await this.instance();
    const arns = await this.listSets(instanceArn);
    const named = await mapWithLimit(arns, CONCURRENCY, (arn) => this.nameOf(instanceArn, arn));
    return arns.flatMap((permissionSetArn, index) => {
      const name = named[index];
      return name === null || name === undefined ? [] : [{ instanceArn, permissionSetArn, name }];
    });
  }

  async definition(ref: PermissionSetRef): Promise<PermissionSetDefinition> {
    const input = { InstanceArn: ref.instanceArn, PermissionSetArn: ref.permissionSetArn };
    const about = `permission set ${ref.name}`;
    const paging = { client: this.ssoAdmin, ...this.pages() };
    const [inlinePolicy, managedPolicyArns, customerManagedPolicies, boundary, tags] = await Promise.all([
      this.call('sso:GetInlinePolicyForPermissionSet', about, () =>
        this.ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand(input)),
      ).then((answer) =>
        answer.InlinePolicy === undefined || answer.InlinePolicy === '' ? null : answer.InlinePolicy,
      ),
      collectPages(
        paginateListManagedPoliciesInPermissionSet(paging, input),
        (page) => page.AttachedManagedPolicies,
        'sso:ListManagedPoliciesInPermissionSet',
        about,
      ).then((policies) =>
        policies.map((policy) => {
          if (policy.Arn === undefined)
            throw malformedAnswer('sso:ListManagedPoliciesInPermissionSet', 'an Arn');
          return policy.Arn;
        }),
      ),
      collectPages(
        paginateListCustomerManagedPolicyReferencesInPermissionSet(paging, input),
        (page) => page.CustomerManagedPolicyReferences,
        'sso:ListCustomerManagedPolicyReferencesInPermissionSet',
        about,
      ).then((references) =>
        references.map((reference) =>
          decodeReference(reference, 'sso:ListCustomerManagedPolicyReferencesInPermissionSet'),
        ),
      ),
      this.boundary(ref, about),
      collectPages(
        paginateListTagsForResource(paging, {
          InstanceArn: ref.instanceArn,
          ResourceArn: ref.permissionSetArn,
        }),
        (page) => page.Tags,
        'sso:ListTagsForResource',
        about,
      ).then((list) => decodeTags(list, 'sso:ListTagsForResource')),
    ]);
    return { ...ref, inlinePolicy, managedPolicyArns, customerManagedPolicies, boundary, tags };
  }

  async provisionedAccounts(ref: PermissionSetRef): Promise<string[]> {
    const accounts = await collectPages(
      paginateListAccountsForProvisionedPermissionSet(
        { client: this.ssoAdmin, ...this.pages() },
        { InstanceArn: ref.instanceArn, PermissionSetArn: ref.permissionSetArn },
      ),
      (page) => page.AccountIds,
      'sso:ListAccountsForProvisionedPermissionSet',
      `permission set ${ref.name}`,
    );
    return [...new Set(accounts)].sort();
  }

  async assignments(ref: PermissionSetRef, accountId: string): Promise<PermissionSetAssignment[]> {
    const operation = 'sso:ListAccountAssignments';
    const listed = await collectPages(
      paginateListAccountAssignments(
        { client: this.ssoAdmin, ...this.pages() },
        { InstanceArn: ref.instanceArn, AccountId: accountId, PermissionSetArn: ref.permissionSetArn },
      ),
      (page) => page.AccountAssignments,
      operation,
      `permission set ${ref.name} in account ${accountId}`,
    );
    const principals = listed.map((assignment) => {
      const type = assignment.PrincipalType;
      if ((type !== 'USER' && type !== 'GROUP') || assignment.PrincipalId === undefined) {
        throw malformedAnswer(operation, `a USER or GROUP principal (got ${String(type)})`);
      }
      return { type, id: assignment.PrincipalId };
    });
    const { identityStoreId } = await this.instance();
    return mapWithLimit(principals, CONCURRENCY, ({ type, id }) =>
      this.directory.assignment(identityStoreId, type, id),
    );
  }

  async userMemberships(userName: string): Promise<{ userId: string; groupIds: string[] } | null> {
    const { identityStoreId } = await this.instance();
    return this.directory.memberships(identityStoreId, userName);
  }

  async provisioningStatus(ref: PermissionSetRef, requestId: string): Promise<ProvisioningStatus> {
    const operation = 'sso:DescribePermissionSetProvisioningStatus';
    const answer = await this.call(operation, `provisioning request ${requestId}`, () =>
      this.ssoAdmin.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: ref.instanceArn,
          ProvisionPermissionSetRequestId: requestId,
        }),
      ),
    );
    return decodeProvisioningStatus(answer.PermissionSetProvisioningStatus, operation, {
      permissionSetArn: ref.permissionSetArn,
      requestId,
    });
  }

  /** sso-admin answers ResourceNotFoundException for a set without a boundary (the set exists: the other reads succeed). */
  private async boundary(ref: PermissionSetRef, about: string): Promise<PermissionsBoundary | null> {
    const operation = 'sso:GetPermissionsBoundaryForPermissionSet';
    try {
      const answer = await this.ssoAdmin.send(
        new GetPermissionsBoundaryForPermissionSetCommand({
          InstanceArn: ref.instanceArn,
          PermissionSetArn: ref.permissionSetArn,
        }),
      );
      return decodeBoundary(answer.PermissionsBoundary, operation);
    } catch (error) {
      if (isResourceNotFound(error)) return null;
      throw identityCenterError(error, operation, about);
    }
  }

  private listSets(instanceArn: string): Promise<string[]> {
    return collectPages(
      paginateListPermissionSets({ client: this.ssoAdmin, ...this.pages() }, { InstanceArn: instanceArn }),
      (page) => page.PermissionSets,
      'sso:ListPermissionSets',
      `instance ${instanceArn}`,
    );
  }

  /** The first of `arns` named `name`, describing at most CONCURRENCY sets at a time and stopping there. */
  private async findNamed(
    instanceArn: string,
    arns: readonly string[],
    name: string,
  ): Promise<PermissionSetRef | null> {
    for (let start = 0; start < arns.length; start += CONCURRENCY) {
      const batch = arns.slice(start, start + CONCURRENCY);
      const names = await Promise.all(batch.map((arn) => this.nameOf(instanceArn, arn)));
      const index = names.indexOf(name);
      const permissionSetArn = batch[index];
      if (index !== -1 && permissionSetArn !== undefined) return { instanceArn, permissionSetArn, name };
    }
    return null;
  }

  /** The set's name; null when it was deleted after being listed. */
  private nameOf(instanceArn: string, permissionSetArn: string): Promise<string | null> {
    const kept = this.names.get(permissionSetArn);
    if (kept !== undefined) return kept;
    const operation = 'sso:DescribePermissionSet';
    const described = (async (): Promise<string | null> => {
      let answer;
      try {
        answer = await this.ssoAdmin.send(
          new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn }),
        );
      } catch (error) {
        if (isResourceNotFound(error)) return null;
        throw identityCenterError(error, operation, `permission set ${permissionSetArn}`);
      }
      const name = answer.PermissionSet?.Name;
      if (name === undefined || name === '') throw malformedAnswer(operation, 'the set Name');
      return name;
    })();
    this.names.set(permissionSetArn, described);
    // A failed or "gone" description is asked again next time, not kept.
    described.then(
      (name) => {
        if (name === null) this.names.delete(permissionSetArn);
      },
      () => this.names.delete(permissionSetArn),
    );
    return described;
  }

  private async call<T>(operation: string, about: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw identityCenterError(error, operation, about);
    }
  }

  private pages(): { pageSize?: number } {
    return this.pageSize === undefined ? {} : { pageSize: this.pageSize };
  }
}
