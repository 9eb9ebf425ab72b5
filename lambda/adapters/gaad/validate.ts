/** Checking a GAAD snapshot's shape at load, so a malformed one fails with the JSON path of the problem. */
import { InvalidInputError } from '../../core/errors';
import { decodePolicyDocument, isRecord } from './policy-document';
import type { AuthorizationDetails } from './shapes';

/**
 * Checks that `value` has GAAD's shape (what this module reads of it, documents included), so a
 * malformed snapshot fails at load with the JSON path of the problem rather than mid-diagnosis.
 * @param source the file name, prefixed to every error's `where`
 */
export function assertAuthorizationDetails(
  value: unknown,
  source: string,
): asserts value is AuthorizationDetails {
  const fail = (path: string, problem: string): never => {
    const where = path === '' ? source : `${source}: ${path}`;
    throw new InvalidInputError(`${where}: ${problem}`, where);
  };
  if (!isRecord(value)) fail('', 'not GetAccountAuthorizationDetails output (expected a JSON object)');
  const details = value as Record<string, unknown>;
  const lists = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'];
  if (!lists.some((list) => details[list] !== undefined)) {
    fail('', `not GetAccountAuthorizationDetails output (none of ${lists.join(', ')})`);
  }

  const records = (parent: Record<string, unknown>, key: string, path: string): Record<string, unknown>[] => {
    const list = parent[key];
    if (list === undefined) return [];
    if (!Array.isArray(list)) return fail(`${path}${key}`, 'must be a list');
    return list.map((item, index) =>
      isRecord(item) ? item : fail(`${path}${key}[${index}]`, 'must be an object'),
    );
  };
  const requireString = (item: Record<string, unknown>, key: string, path: string) => {
    if (typeof item[key] !== 'string' || item[key] === '')
      fail(`${path}.${key}`, 'must be a non-empty string');
  };
  const optionalString = (item: Record<string, unknown>, key: string, path: string) => {
    if (item[key] !== undefined && typeof item[key] !== 'string') fail(`${path}.${key}`, 'must be a string');
  };
  const checkDocument = (document: unknown, path: string) =>
    decodePolicyDocument(document, `${source}: ${path}`);
  const checkInlinePolicies = (entity: Record<string, unknown>, key: string, path: string) => {
    records(entity, key, `${path}.`).forEach((policy, index) => {
      const at = `${path}.${key}[${index}]`;
      requireString(policy, 'PolicyName', at);
      checkDocument(policy.PolicyDocument, `${at}.PolicyDocument`);
    });
  };
  const checkAttachedPolicies = (entity: Record<string, unknown>, path: string) => {
    records(entity, 'AttachedManagedPolicies', `${path}.`).forEach((policy, index) => {
      const at = `${path}.AttachedManagedPolicies[${index}]`;
      requireString(policy, 'PolicyArn', at);
      optionalString(policy, 'PolicyName', at);
    });
  };
  const checkBoundary = (entity: Record<string, unknown>, path: string) => {
    const boundary = entity.PermissionsBoundary;
    if (boundary === undefined) return;
    if (!isRecord(boundary)) return fail(`${path}.PermissionsBoundary`, 'must be an object');
    requireString(boundary, 'PermissionsBoundaryArn', `${path}.PermissionsBoundary`);
  };
  const checkEntity = (entity: Record<string, unknown>, nameKey: string, path: string) => {
    requireString(entity, nameKey, path);
    requireString(entity, 'Arn', path);
    optionalString(entity, 'Path', path);
    checkAttachedPolicies(entity, path);
  };

  records(details, 'UserDetailList', '').forEach((user, index) => {
    const path = `UserDetailList[${index}]`;
    checkEntity(user, 'UserName', path);
    checkInlinePolicies(user, 'UserPolicyList', path);
    checkBoundary(user, path);
    const groups = user.GroupList;
    if (
      groups !== undefined &&
      !(Array.isArray(groups) && groups.every((group) => typeof group === 'string'))
    ) {
      fail(`${path}.GroupList`, 'must be a list of group names');
    }
  });
  records(details, 'GroupDetailList', '').forEach((group, index) => {
    const path = `GroupDetailList[${index}]`;
    checkEntity(group, 'GroupName', path);
    checkInlinePolicies(group, 'GroupPolicyList', path);
  });
  records(details, 'RoleDetailList', '').forEach((role, index) => {
    const path = `RoleDetailList[${index}]`;
    checkEntity(role, 'RoleName', path);
    checkInlinePolicies(role, 'RolePolicyList', path);
    checkBoundary(role, path);
    if (role.AssumeRolePolicyDocument !== undefined) {
      checkDocument(role.AssumeRolePolicyDocument, `${path}.AssumeRolePolicyDocument`);
    }
    records(role, 'InstanceProfileList', `${path}.`).forEach((profile, profileIndex) => {
      const at = `${path}.InstanceProfileList[${profileIndex}]`;
      requireString(profile, 'InstanceProfileName', at);
      optionalString(profile, 'Arn', at);
    });
  });
  records(details, 'Policies', '').forEach((policy, index) => {
    const path = `Policies[${index}]`;
    requireString(policy, 'Arn', path);
    optionalString(policy, 'PolicyName', path);
    optionalString(policy, 'DefaultVersionId', path);
    records(policy, 'PolicyVersionList', `${path}.`).forEach((version, versionIndex) => {
      const at = `${path}.PolicyVersionList[${versionIndex}]`;
      optionalString(version, 'VersionId', at);
      if (version.Document !== undefined) checkDocument(version.Document, `${at}.Document`);
    });
  });
}
