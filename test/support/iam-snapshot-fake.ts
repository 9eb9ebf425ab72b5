/**
 * A FAKE of IAM's read API over a GetAccountAuthorizationDetails snapshot, on aws-sdk-client-mock: it
 * answers the targeted reads (GetUser, ListGroupsForUser, GetGroup, GetRole, their policy lists and
 * documents, ListRoles, GetPolicy, GetPolicyVersion, GetInstanceProfile) as IAM does: documents
 * URL-encoded, a missing entity a NoSuchEntityException, names matched case-insensitively, one page.
 * For unit tests and the benches that diagnose without moto; the moto tests check the real wire.
 */
import {
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type {
  AuthorizationDetails,
  InlinePolicyDetail,
  ManagedPolicyDetail,
} from '../../lambda/adapters/gaad/shapes';

/** Extra managed policies (e.g. AWS managed ones a filtered snapshot leaves out), by ARN. */
export interface IamSnapshotFakeOptions {
  managedPolicies?: readonly ManagedPolicyDetail[];
  /** Instance profiles: name -> the role names they hold. */
  instanceProfiles?: Readonly<Record<string, { path?: string; roles: string[] }>>;
  /** Called before each answer with the command's name (e.g. to count calls or add latency). */
  onCall?: (command: string) => Promise<void> | void;
}

const encoded = (document: unknown): string =>
  typeof document === 'string' ? document : encodeURIComponent(JSON.stringify(document));

const noSuchEntity = (what: string) =>
  new NoSuchEntityException({ message: `The ${what} cannot be found.`, $metadata: { httpStatusCode: 404 } });

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

function inline(list: InlinePolicyDetail[] | undefined, policyName: string | undefined, owner: string) {
  const policy = (list ?? []).find((candidate) => candidate.PolicyName === policyName);
  if (policy === undefined) throw noSuchEntity(`policy ${policyName} of ${owner}`);
  return { PolicyName: policy.PolicyName, PolicyDocument: encoded(policy.PolicyDocument) };
}

/**
 * Answers `client`'s IAM reads from `details` (read when each call is made: a test may change it in
 * between). Returns the stub, whose calls() are the calls made.
 */
export function fakeIamFromSnapshot(
  client: IAMClient | typeof IAMClient,
  details: AuthorizationDetails,
  options: IamSnapshotFakeOptions = {},
): AwsClientStub<IAMClient> {
  const mock = mockClient(client);
  // Every answer goes through `onCall` first.
  const on: typeof mock.on = (command, input, strict) => {
    const behavior = mock.on(command, input, strict);
    const callsFake = behavior.callsFake.bind(behavior);
    behavior.callsFake = (fake) =>
      callsFake(async (...args: Parameters<typeof fake>) => {
        await options.onCall?.(command.name);
        return fake(...args);
      });
    return behavior;
  };
  const accountId = () =>
    /:(\d{12}):/.exec(
      [...(details.UserDetailList ?? []), ...(details.RoleDetailList ?? [])].find((entity) => entity.Arn)
        ?.Arn ?? '',
    )?.[1] ?? '123456789012';
  const user = (name: string | undefined) => {
    const found = (details.UserDetailList ?? []).find((candidate) => same(candidate.UserName, name));
    if (found === undefined) throw noSuchEntity(`user with name ${name}`);
    return found;
  };
  const group = (name: string | undefined) => {
    const found = (details.GroupDetailList ?? []).find((candidate) => same(candidate.GroupName, name));
    if (found === undefined) throw noSuchEntity(`group with name ${name}`);
    return found;
  };
  const role = (name: string | undefined) => {
    const found = (details.RoleDetailList ?? []).find((candidate) => same(candidate.RoleName, name));
    if (found === undefined) throw noSuchEntity(`role with name ${name}`);
    return found;
  };
  const roleOutput = (detail: ReturnType<typeof role>) => ({
    RoleName: detail.RoleName,
    Arn: detail.Arn,
    Path: detail.Path ?? '/',
    RoleId: detail.RoleId ?? 'AROAFAKE',
    CreateDate: new Date(0),
    AssumeRolePolicyDocument:
      detail.AssumeRolePolicyDocument === undefined ? undefined : encoded(detail.AssumeRolePolicyDocument),
    PermissionsBoundary: detail.PermissionsBoundary,
  });
  const policy = (arn: string | undefined) => {
    const found = [...(details.Policies ?? []), ...(options.managedPolicies ?? [])].find(
      (candidate) => candidate.Arn === arn,
    );
    if (found === undefined) throw noSuchEntity(`policy ${arn}`);
    return found;
  };
  const attached = (list: { PolicyArn?: string; PolicyName?: string }[] | undefined) => ({
    AttachedPolicies: (list ?? []).map(({ PolicyArn, PolicyName }) => ({ PolicyArn, PolicyName })),
    IsTruncated: false,
  });
  const names = (list: InlinePolicyDetail[] | undefined) => ({
    PolicyNames: (list ?? []).flatMap((policy) => policy.PolicyName ?? []),
    IsTruncated: false,
  });

  on(GetUserCommand).callsFake(async ({ UserName }) => {
    const found = user(UserName);
    const { Path = '/', Arn, PermissionsBoundary } = found;
    return {
      User: {
        UserName: found.UserName,
        Arn,
        Path,
        UserId: 'AIDAFAKE',
        CreateDate: new Date(0),
        PermissionsBoundary,
      },
    };
  });
  on(ListGroupsForUserCommand).callsFake(async ({ UserName }) => ({
    Groups: (user(UserName).GroupList ?? []).map((name) => {
      const found = group(name);
      return {
        GroupName: found.GroupName,
        Arn: found.Arn,
        Path: found.Path ?? '/',
        GroupId: 'AGPAFAKE',
        CreateDate: new Date(0),
      };
    }),
    IsTruncated: false,
  }));
  on(ListUserPoliciesCommand).callsFake(async ({ UserName }) => names(user(UserName).UserPolicyList));
  on(GetUserPolicyCommand).callsFake(async ({ UserName, PolicyName }) => ({
    UserName,
    ...inline(user(UserName).UserPolicyList, PolicyName, `user ${UserName}`),
  }));
  on(ListAttachedUserPoliciesCommand).callsFake(async ({ UserName }) =>
    attached(user(UserName).AttachedManagedPolicies),
  );

  on(GetGroupCommand).callsFake(async ({ GroupName }) => {
    const found = group(GroupName);
    const members = (details.UserDetailList ?? []).filter((candidate) =>
      (candidate.GroupList ?? []).some((name) => same(name, found.GroupName)),
    );
    return {
      Group: {
        GroupName: found.GroupName,
        Arn: found.Arn,
        Path: found.Path ?? '/',
        GroupId: 'AGPAFAKE',
        CreateDate: new Date(0),
      },
      Users: members.map((member) => ({
        UserName: member.UserName,
        Arn: member.Arn,
        Path: member.Path ?? '/',
        UserId: 'AIDAFAKE',
        CreateDate: new Date(0),
      })),
      IsTruncated: false,
    };
  });
  on(ListGroupPoliciesCommand).callsFake(async ({ GroupName }) => names(group(GroupName).GroupPolicyList));
  on(GetGroupPolicyCommand).callsFake(async ({ GroupName, PolicyName }) => ({
    GroupName,
    ...inline(group(GroupName).GroupPolicyList, PolicyName, `group ${GroupName}`),
  }));
  on(ListAttachedGroupPoliciesCommand).callsFake(async ({ GroupName }) =>
    attached(group(GroupName).AttachedManagedPolicies),
  );

  on(GetRoleCommand).callsFake(async ({ RoleName }) => ({ Role: roleOutput(role(RoleName)) }));
  on(ListRolePoliciesCommand).callsFake(async ({ RoleName }) => names(role(RoleName).RolePolicyList));
  on(GetRolePolicyCommand).callsFake(async ({ RoleName, PolicyName }) => ({
    RoleName,
    ...inline(role(RoleName).RolePolicyList, PolicyName, `role ${RoleName}`),
  }));
  on(ListAttachedRolePoliciesCommand).callsFake(async ({ RoleName }) =>
    attached(role(RoleName).AttachedManagedPolicies),
  );
  on(ListRolesCommand).callsFake(async () => ({
    Roles: (details.RoleDetailList ?? []).map(roleOutput),
    IsTruncated: false,
  }));

  on(GetPolicyCommand).callsFake(async ({ PolicyArn }) => {
    const found = policy(PolicyArn);
    const defaultVersion =
      found.DefaultVersionId ??
      (found.PolicyVersionList ?? []).find((version) => version.IsDefaultVersion)?.VersionId ??
      found.PolicyVersionList?.[0]?.VersionId;
    return { Policy: { Arn: found.Arn, PolicyName: found.PolicyName, DefaultVersionId: defaultVersion } };
  });
  on(GetPolicyVersionCommand).callsFake(async ({ PolicyArn, VersionId }) => {
    const versions = policy(PolicyArn).PolicyVersionList ?? [];
    const version =
      versions.find((candidate) => candidate.VersionId === VersionId) ??
      (versions.length === 1 ? versions[0] : undefined);
    if (version === undefined) throw noSuchEntity(`policy ${PolicyArn} version ${VersionId}`);
    return { PolicyVersion: { VersionId, IsDefaultVersion: true, Document: encoded(version.Document) } };
  });

  on(GetInstanceProfileCommand).callsFake(async ({ InstanceProfileName }) => {
    const entry = Object.entries(options.instanceProfiles ?? {}).find(([name]) =>
      same(name, InstanceProfileName),
    );
    if (entry === undefined) throw noSuchEntity(`instance profile ${InstanceProfileName}`);
    const [name, profile] = entry;
    const path = profile.path ?? '/';
    return {
      InstanceProfile: {
        InstanceProfileName: name,
        Path: path,
        Arn: `arn:aws:iam::${accountId()}:instance-profile${path}${name}`,
        InstanceProfileId: 'AIPAFAKE',
        CreateDate: new Date(0),
        Roles: profile.roles.map((roleName) => roleOutput(role(roleName))),
      },
    };
  });
  return mock;
}
