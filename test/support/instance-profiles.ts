/** Instance profile resolvers for tests whose account is built in memory (scope builders). */
import type { InstanceProfileResolver } from '../../lambda/ports/instance-profile-resolver';

/** An account with the given profiles (name -> the role ARN it holds, or null when it holds none). */
export function instanceProfilesOf(
  profiles: Readonly<Record<string, string | null>> = {},
): InstanceProfileResolver & { asked: string[] } {
  const resolver = {
    asked: [] as string[],
    async instanceProfileRole(_accountId: string, profile: string): Promise<string | null | 'not-found'> {
      resolver.asked.push(profile);
      const role = profiles[profile];
      return role === undefined ? 'not-found' : role;
    },
  };
  return resolver;
}

/** An account without instance profiles. */
export const NO_INSTANCE_PROFILES: InstanceProfileResolver = instanceProfilesOf();
