/**
 * The role an instance profile holds, from GAAD: the profiles are listed under the role they hold
 * (RoleDetailList[].InstanceProfileList), so a profile that holds no role is not in it at all.
 */
import { parseIamArn, parseInstanceProfile } from '../../core/iam/arn';
import type { AuthorizationDetails } from './shapes';

/**
 * @param profile the profile's ARN or name, as the request wrote it
 * @returns the ARN of the role the profile holds, or 'not-found' when no role of `accountId` is in a
 *   profile of that ARN or name (GAAD cannot tell a profile that holds no role from one that is gone)
 */
export function instanceProfileRoleIn(
  details: AuthorizationDetails,
  accountId: string,
  profile: string,
): string | 'not-found' {
  const wanted = parseInstanceProfile(profile);
  if (wanted === null || (wanted.account !== null && wanted.account !== accountId)) return 'not-found';
  const isArn = wanted.account !== null;
  for (const role of details.RoleDetailList ?? []) {
    const roleArn = role.Arn;
    if (roleArn === undefined || parseIamArn(roleArn)?.accountId !== accountId) continue;
    // IAM names are unique regardless of case; an ARN also says the profile's path.
    const holds = (role.InstanceProfileList ?? []).some((listed) =>
      isArn
        ? listed.Arn?.toLowerCase() === profile.toLowerCase()
        : listed.InstanceProfileName?.toLowerCase() === wanted.name.toLowerCase(),
    );
    if (holds) return roleArn;
  }
  return 'not-found';
}
