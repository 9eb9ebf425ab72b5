/**
 * Single-account mode's AccountAccess: the function's own clients, for the function's own account
 * only. A denial or decision of another account is refused (MemberAccessError), never read or written
 * with this account's identity.
 */
import { MemberAccessError } from '../core/errors';
import type { AccountAccess, AccountReadAccess, AccountWriteAccess } from '../ports/account-access';
import type { PolicyWriter } from '../ports/policy-writer';

export class SingleAccountAccess implements AccountAccess {
  constructor(
    private readonly access: AccountReadAccess,
    private readonly writer: PolicyWriter | null = null,
  ) {}

  read(accountId: string): Promise<AccountReadAccess> {
    return Promise.resolve().then(() => {
      this.check(accountId);
      return this.access;
    });
  }

  /** The source identity is for organization mode's member CloudTrail; here the function writes as itself. */
  write(accountId: string, _sourceIdentity: string): Promise<AccountWriteAccess> {
    return Promise.resolve().then(() => {
      this.check(accountId);
      if (this.writer === null) {
        throw new MemberAccessError(accountId, 'access-denied', 'this function does not write IAM');
      }
      return { ...this.access, writer: this.writer };
    });
  }

  private check(accountId: string): void {
    if (accountId !== this.access.accountId) {
      throw new MemberAccessError(
        accountId,
        'not-this-account',
        `account ${accountId} is not this deployment's account (${this.access.accountId})`,
      );
    }
  }
}
