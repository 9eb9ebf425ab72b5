/**
 * Who is asking, as the IAM authorizer names it (requestContext.authorizer.iam.userArn): an IAM user
 * ARN or an `sts` assumed-role ARN. What an ARN stands for (a user, a role, a session of a role, an
 * Identity Center user), the human behind it (two sessions of one role are one approver), and
 * whether it matches the `approvers` patterns. Pure.
 */
import { iamArn } from '../iam/arn';
import { parsePrincipalArn, sessionRoleArn } from '../iam/principal-arn';

/**
 * The human behind a principal, for telling two approvals apart: an IAM user is itself; an Identity
 * Center session is its user, in whichever account (one Identity Center instance serves the whole
 * organization, and its user name is the session name); any other session is its role, whatever
 * session name the caller chose (one person can assume a role under any number of names).
 */
export function approverIdentity(arn: string): string {
  const principal = parsePrincipalArn(arn);
  switch (principal.kind) {
    case 'user':
      return iamArn(principal.partition, principal.account, `user/${principal.name}`);
    case 'role':
      return iamArn(principal.partition, principal.account, `role/${principal.name}`);
    case 'session':
      return principal.identityCenter
        ? `${IDENTITY_CENTER_USER}${principal.sessionName}`
        : sessionRoleArn(principal);
    case 'other':
      return arn;
  }
}

const IDENTITY_CENTER_USER = 'identity-center-user:';

/**
 * Identities stored before the organization mode named an Identity Center user with its account
 * (`identity-center-user:<account>:<user>`): the same user then, in any account, is the same human now.
 */
const ACCOUNT_SCOPED_IDENTITY_CENTER_USER = /^identity-center-user:\d{12}:/i;

function identityKey(identity: string): string {
  return identity.replace(ACCOUNT_SCOPED_IDENTITY_CENTER_USER, IDENTITY_CENTER_USER).toLowerCase();
}

/**
 * Whether two identities are one human. IAM user and role names, and Identity Center user names, are
 * unique regardless of case, so case never tells two people apart; nor does the account an Identity
 * Center user signed in to (see approverIdentity), in an identity stored before or after.
 */
export function sameIdentity(left: string, right: string): boolean {
  return identityKey(left) === identityKey(right);
}

/** `*` any run of characters (none included), `?` exactly one; everything else literal. */
export function arnPatternMatches(pattern: string, value: string): boolean {
  // Hand-written: a glob of two wildcards over a whole string is one escaped regular expression.
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** A pattern that names a role with a path (`...:role/<path>/<name>`): it needs the role's real path. */
export function patternNeedsRolePath(pattern: string): boolean {
  const at = pattern.indexOf(':role/');
  return at !== -1 && pattern.slice(at + ':role/'.length).includes('/');
}

export type ApproverMatch =
  | { matched: true; pattern: string }
  /** `unresolvedPath`: a pattern with a role path could not be checked (the role's path is unknown). */
  | { matched: false; unresolvedPath: boolean };

/**
 * Whether `callerArn` is one of the `approvers`. A user matches by its ARN. A session matches by its
 * `sts` ARN, by its role's ARN for a pattern without a path (`...:role/Name`, `...:role/Ops*`: the
 * role's name, at any path), and by its role's real ARN (`...:role/<path>/Name`) for a pattern with a
 * path, which needs `rolePath`; without it such a pattern never matches (refusing is the safe side).
 */
export function matchApprover(
  patterns: readonly string[],
  callerArn: string,
  rolePath: string | null,
): ApproverMatch {
  const principal = parsePrincipalArn(callerArn);
  let unresolvedPath = false;
  for (const pattern of patterns) {
    if (principal.kind !== 'session') {
      if (arnPatternMatches(pattern, callerArn)) return { matched: true, pattern };
      continue;
    }
    if (patternNeedsRolePath(pattern)) {
      if (rolePath === null) {
        unresolvedPath = true;
        continue;
      }
      const real = iamArn(principal.partition, principal.account, `role${rolePath}${principal.roleName}`);
      if (arnPatternMatches(pattern, real)) return { matched: true, pattern };
      continue;
    }
    if (arnPatternMatches(pattern, callerArn) || arnPatternMatches(pattern, sessionRoleArn(principal))) {
      return { matched: true, pattern };
    }
  }
  return { matched: false, unresolvedPath };
}

/** Whether any of the patterns needs a session's role path to be judged. */
export function anyPatternNeedsRolePath(patterns: readonly string[]): boolean {
  return patterns.some(patternNeedsRolePath);
}
