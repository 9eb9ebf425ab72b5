import { nameOf, parseIamArn } from '../iam/arn';

/**
 * The caller as a person reads it first: a user's name; for a role session, the role and the
 * session ('deployer (session build-42)'), since the session name alone does not say whose
 * permissions were used. Anything else: the last segment of what was recorded.
 */
export function callerName(principalArn: string): string {
  const parsed = parseIamArn(principalArn);
  if (parsed?.kind !== 'assumed-role' || parsed.name === '') return nameOf(principalArn);
  const session = nameOf(principalArn);
  return session === parsed.name ? parsed.name : `${parsed.name} (session ${session})`;
}
