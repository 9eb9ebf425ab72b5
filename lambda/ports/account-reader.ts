import type { AccountScope } from '../core/model';

/** Reads what the diagnosis needs about the principal entity and the passed role. */
export interface AccountReader {
  /**
   * @param policySourceArn the IAM user or role whose policies apply (never an sts session ARN)
   * @param roleArn the role that was passed
   */
  loadScope(policySourceArn: string, roleArn: string): Promise<AccountScope>;
}
