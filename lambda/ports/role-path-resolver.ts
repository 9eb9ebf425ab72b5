/**
 * The path of a role, for `approvers` patterns that name roles with their path: an assumed-role ARN
 * (what the IAM authorizer gives) carries the role's name only.
 */
export interface RolePathResolver {
  /** The role's path (`/` or `/team/`), or null when the role is not found (e.g. another account's). */
  rolePath(accountId: string, roleName: string): Promise<string | null>;
}
