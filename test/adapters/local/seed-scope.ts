/**
 * Builds AccountScope objects for tests from the seed account snapshot (examples/seed/account.json),
 * independently of the product's snapshot reader, plus small builders for made-up principals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AccountScope,
  GroupDetails,
  InlinePolicy,
  ManagedPolicy,
  PolicyDocument,
  UserDetails,
} from '../../../lambda/core/model';

interface SeedPolicyRef {
  PolicyName: string;
  PolicyArn: string;
}
interface SeedInline {
  PolicyName: string;
  PolicyDocument: PolicyDocument;
}
interface SeedAccount {
  UserDetailList: {
    UserName: string;
    Arn: string;
    Path: string;
    GroupList: string[];
    UserPolicyList?: SeedInline[];
    AttachedManagedPolicies: SeedPolicyRef[];
  }[];
  GroupDetailList: {
    GroupName: string;
    Arn: string;
    Path: string;
    GroupPolicyList: SeedInline[];
    AttachedManagedPolicies: SeedPolicyRef[];
  }[];
  Policies: {
    Arn: string;
    PolicyName: string;
    PolicyVersionList: { IsDefaultVersion: boolean; Document: PolicyDocument }[];
  }[];
}

export const SEED_ACCOUNT_ID = '123456789012';

const seed = JSON.parse(
  readFileSync(join(__dirname, '../../../examples/seed/account.json'), 'utf8'),
) as SeedAccount;

export function seedManagedPolicy(arn: string): ManagedPolicy {
  const policy = seed.Policies.find((candidate) => candidate.Arn === arn);
  const version = policy?.PolicyVersionList.find((candidate) => candidate.IsDefaultVersion);
  if (!policy || !version) throw new Error(`The seed has no managed policy ${arn}`);
  return { arn, name: policy.PolicyName, document: version.Document };
}

const toInline = (policy: SeedInline): InlinePolicy => ({
  name: policy.PolicyName,
  document: policy.PolicyDocument,
});
const toManaged = (ref: SeedPolicyRef): ManagedPolicy => seedManagedPolicy(ref.PolicyArn);

function seedGroup(name: string, memberCount: number): GroupDetails {
  const group = seed.GroupDetailList.find((candidate) => candidate.GroupName === name);
  if (!group) throw new Error(`The seed has no group ${name}`);
  return {
    arn: group.Arn,
    name,
    path: group.Path,
    memberCount,
    inlinePolicies: group.GroupPolicyList.map(toInline),
    attachedPolicies: group.AttachedManagedPolicies.map(toManaged),
  };
}

/** A seed user with its own and its groups' policies, as a reader would collect them. */
export function seedUser(name: string): UserDetails {
  const user = seed.UserDetailList.find((candidate) => candidate.UserName === name);
  if (!user) throw new Error(`The seed has no user ${name}`);
  const memberCount = (group: string): number =>
    seed.UserDetailList.filter((candidate) => candidate.GroupList.includes(group)).length;
  return {
    kind: 'user',
    arn: user.Arn,
    name,
    path: user.Path,
    inlinePolicies: (user.UserPolicyList ?? []).map(toInline),
    attachedPolicies: user.AttachedManagedPolicies.map(toManaged),
    permissionsBoundary: null,
    groups: user.GroupList.map((group) => seedGroup(group, memberCount(group))),
  };
}

export function scopeOf(principal: AccountScope['principal']): AccountScope {
  return { accountId: SEED_ACCOUNT_ID, principal, passedRole: null, notes: [] };
}

/** A one-statement-list policy document. */
export function policy(...statements: PolicyDocument['Statement'][]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements.flat() };
}
