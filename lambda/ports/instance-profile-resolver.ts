/** Resolves the role an EC2 instance profile carries (an instance profile holds at most one role). */
export interface InstanceProfileResolver {
  /**
   * @param accountId the account of the denial
   * @param profile the profile's ARN or name, as the request wrote it
   * @returns the role ARN; `null` when the profile exists but holds no role; `'not-found'` when there
   *   is no such profile (deleted since the event, or absent from a snapshot)
   */
  instanceProfileRole(accountId: string, profile: string): Promise<string | null | 'not-found'>;
}
