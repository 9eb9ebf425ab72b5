import type {
  AccountScope,
  GroupDetails,
  InlinePolicy,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  RoleDetails,
  UserDetails,
} from '../../lambda/core/model';

export const ACCOUNT = '123456789012';

export function doc(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

export function inline(name: string, ...statements: PolicyStatement[]): InlinePolicy {
  return { name, document: doc(...statements) };
}

export function managed(name: string, ...statements: PolicyStatement[]): ManagedPolicy {
  return { name, arn: `arn:aws:iam::aws:policy/${name}`, document: doc(...statements) };
}

export function group(name: string, parts: Partial<GroupDetails> = {}): GroupDetails {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
    name,
    path: '/',
    memberCount: 1,
    inlinePolicies: [],
    attachedPolicies: [],
    ...parts,
  };
}

export function user(name: string, parts: Partial<UserDetails> = {}): UserDetails {
  return {
    kind: 'user',
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    name,
    path: '/',
    inlinePolicies: [],
    attachedPolicies: [],
    permissionsBoundary: null,
    groups: [],
    ...parts,
  };
}

export function trustFor(...services: string[]): PolicyDocument {
  return doc({
    Effect: 'Allow',
    Principal: { Service: services.length === 1 ? services[0] : services },
    Action: 'sts:AssumeRole',
  });
}

export function role(name: string, parts: Partial<RoleDetails> = {}): RoleDetails {
  const path = parts.path ?? '/';
  return {
    kind: 'role',
    arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
    name,
    path,
    trustPolicy: trustFor('glue.amazonaws.com'),
    inlinePolicies: [],
    attachedPolicies: [],
    permissionsBoundary: null,
    ...parts,
  };
}

export function scope(
  principal: UserDetails | RoleDetails | null,
  passedRole: RoleDetails | null,
): AccountScope {
  return { accountId: ACCOUNT, principal, passedRole, notes: [] };
}
