/**
 * What the hub reads from AWS Organizations as its delegated administrator: an account's name and
 * OU path (DescribeAccount, ListParents up to the root, DescribeOrganizationalUnit, ListRoots for the
 * root's name) and the SCPs in force for it (ListPoliciesForTarget SERVICE_CONTROL_POLICY for the
 * root, each OU and the account, DescribePolicy). Every answer is cached per container for
 * ORGANIZATION_CACHE_TTL_MS, shared by all accounts (one root, common OUs, FullAWSAccess read once):
 * Organizations throttles at a few calls a second, and a storm of denials must not become a storm
 * of Organizations calls.
 *
 * No SCP is in force (an empty list of levels) when SCPs are not enabled at the root, and for the
 * management account, which SCPs never restrict (DescribeOrganization names it).
 */
import { AwsCallError } from '../../core/errors';
import type { OrganizationAccount, OrganizationalUnit } from '../../core/organization/model';
import type { OrganizationReader, ServiceControlPolicy } from '../../ports/organization-reader';
import { ACCOUNT_ID_PATTERN } from '../../settings/organization';
import { decodePolicyDocument } from '../gaad/policy-document';
import { organizationsEndpoint, organizationsEndpointFromEnv } from './organizations/endpoint';
import { OrganizationsApi, type OrganizationsApiOptions } from './organizations/organizations-api';
import { TtlCache } from './organizations/ttl-cache';
import {
  decodeAccountName,
  decodeManagementAccount,
  decodeOrganizationalUnit,
  decodeParents,
  decodePolicies,
  decodePolicy,
  decodeRoots,
  type Page,
  type ParentRef,
  type PolicyRef,
  type RootInfo,
} from './organizations/wire';

/**
 * Five minutes: an SCP or a name edited in Organizations shows in the hub's diagnoses at most this
 * late, while a burst of denials reads Organizations once per account, not once per denial.
 */
export const ORGANIZATION_CACHE_TTL_MS = 5 * 60_000;

/** The IAM actions the reader calls (the hub's diagnose and approval roles need each). */
export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:DescribeAccount',
  'organizations:DescribeOrganization',
  'organizations:DescribeOrganizationalUnit',
  'organizations:DescribePolicy',
  'organizations:ListParents',
  'organizations:ListPoliciesForTarget',
  'organizations:ListRoots',
] as const;

/** OUs nest at most five deep under the root; a longer chain is a service that does not stop. */
const MAX_DEPTH = 8;
/** Pages of one listing; more is a service that does not stop. */
const MAX_PAGES = 50;

export interface OrganizationsReaderOptions {
  ttlMs?: number;
  /** Milliseconds since the epoch (the cache's clock). */
  now?: () => number;
}

export class OrganizationsReader implements OrganizationReader {
  private readonly accounts: TtlCache<OrganizationAccount | null>;
  private readonly parents: TtlCache<ParentRef>;
  private readonly units: TtlCache<string>;
  private readonly roots: TtlCache<RootInfo[]>;
  private readonly management: TtlCache<string>;
  private readonly attached: TtlCache<PolicyRef[]>;
  private readonly documents: TtlCache<ServiceControlPolicy>;

  constructor(
    readonly api: OrganizationsApi,
    options: OrganizationsReaderOptions = {},
  ) {
    const ttl = options.ttlMs ?? ORGANIZATION_CACHE_TTL_MS;
    const now = options.now ?? Date.now;
    this.accounts = new TtlCache(ttl, now);
    this.parents = new TtlCache(ttl, now);
    this.units = new TtlCache(ttl, now);
    this.roots = new TtlCache(ttl, now);
    this.management = new TtlCache(ttl, now);
    this.attached = new TtlCache(ttl, now);
    this.documents = new TtlCache(ttl, now);
  }

  /**
   * The reader of the function's partition (its AWS_REGION), or of AWS_ENDPOINT_URL_ORGANIZATIONS /
   * AWS_ENDPOINT_URL when set (tests: moto). Built once per container.
   */
  static fromEnvironment(
    env: Readonly<Record<string, string | undefined>>,
    options: OrganizationsReaderOptions & Omit<OrganizationsApiOptions, 'endpoint'> = {},
  ): OrganizationsReader {
    const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const published = organizationsEndpoint(region);
    const override = organizationsEndpointFromEnv(env);
    const endpoint =
      override === undefined
        ? published
        : { url: override, signingRegion: published?.signingRegion ?? region };
    if (endpoint === null) {
      throw new AwsCallError(`AWS Organizations has no published endpoint for the region ${region}`);
    }
    return new OrganizationsReader(new OrganizationsApi({ ...options, endpoint }), options);
  }

  account(accountId: string): Promise<OrganizationAccount | null> {
    // Not an account id: no account of the organization has it, and it is not sent anywhere.
    if (!ACCOUNT_ID_PATTERN.test(accountId)) return Promise.resolve(null);
    return this.accounts.get(accountId, async () => {
      const answer = await this.api.call('DescribeAccount', { AccountId: accountId }, [
        'AccountNotFoundException',
      ]);
      if (answer === null) return null;
      const { name } = decodeAccountName(answer);
      return { id: accountId, name, ouPath: await this.pathAbove(accountId) };
    });
  }

  async serviceControlPolicies(accountId: string): Promise<ServiceControlPolicy[][]> {
    const account = await this.account(accountId);
    if (account === null) {
      throw new AwsCallError(`account ${accountId} is not in the organization: no SCPs to read for it`);
    }
    const [rootId] = account.ouPath.map((unit) => unit.id);
    const root = (await this.rootList()).find((candidate) => candidate.id === rootId);
    if (root === undefined || !root.scpsEnabled) return [];
    if ((await this.managementAccount()) === accountId) return [];
    const targets = [...account.ouPath.map((unit) => unit.id), accountId];
    return Promise.all(
      targets.map(async (target) => {
        const policies = await this.attachedTo(target);
        return Promise.all(policies.map((policy) => this.document(policy)));
      }),
    );
  }

  /** The root first, the child's parent last. */
  private async pathAbove(childId: string): Promise<OrganizationalUnit[]> {
    const path: OrganizationalUnit[] = [];
    let child = childId;
    for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
      const parent = await this.parentOf(child);
      if (parent.type === 'ROOT') {
        const root = (await this.rootList()).find((candidate) => candidate.id === parent.id);
        if (root === undefined) throw new AwsCallError(`Organizations lists no root ${parent.id}`);
        return [{ id: root.id, name: root.name }, ...path];
      }
      path.unshift({ id: parent.id, name: await this.unitName(parent.id) });
      child = parent.id;
    }
    throw new AwsCallError(`${childId} is more than ${MAX_DEPTH} levels under its root`);
  }

  private parentOf(childId: string): Promise<ParentRef> {
    return this.parents.get(childId, async () => {
      const [parent] = await this.all((token) =>
        this.api.call('ListParents', { ChildId: childId, ...token }).then(decodeParents),
      );
      if (parent === undefined) throw new AwsCallError(`Organizations lists no parent of ${childId}`);
      return parent;
    });
  }

  private unitName(unitId: string): Promise<string> {
    return this.units.get(unitId, async () => {
      const answer = await this.api.call('DescribeOrganizationalUnit', { OrganizationalUnitId: unitId });
      return decodeOrganizationalUnit(answer).name;
    });
  }

  private rootList(): Promise<RootInfo[]> {
    return this.roots.get('roots', () =>
      this.all((token) => this.api.call('ListRoots', { ...token }).then(decodeRoots)),
    );
  }

  /** The organization's management account (DescribeOrganization), cached as the rest. */
  managementAccountId(): Promise<string> {
    return this.managementAccount();
  }

  private managementAccount(): Promise<string> {
    return this.management.get('organization', async () =>
      decodeManagementAccount(await this.api.call('DescribeOrganization', {})),
    );
  }

  private attachedTo(targetId: string): Promise<PolicyRef[]> {
    return this.attached.get(targetId, () =>
      this.all((token) =>
        this.api
          .call('ListPoliciesForTarget', { TargetId: targetId, Filter: 'SERVICE_CONTROL_POLICY', ...token })
          .then(decodePolicies),
      ),
    );
  }

  private document(policy: PolicyRef): Promise<ServiceControlPolicy> {
    return this.documents.get(policy.id, async () => {
      const described = decodePolicy(await this.api.call('DescribePolicy', { PolicyId: policy.id }));
      const where = `SCP ${policy.id}`;
      return { name: described.name, document: decodePolicyDocument(described.content, where) };
    });
  }

  /** Every page of a listing, NextToken to NextToken. */
  private async all<T>(page: (token: { NextToken?: string }) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let token: string | null = null;
    for (let count = 0; count < MAX_PAGES; count += 1) {
      const answer: Page<T> = await page(token === null ? {} : { NextToken: token });
      items.push(...answer.items);
      if (answer.nextToken === null) return items;
      if (seen.has(answer.nextToken)) throw new AwsCallError('Organizations repeated a page token');
      seen.add(answer.nextToken);
      token = answer.nextToken;
    }
    throw new AwsCallError(`Organizations gave more than ${MAX_PAGES} pages of one listing`);
  }
}
