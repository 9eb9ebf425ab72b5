import type { AccountReader } from './account-reader';
import type { AuthorizationMessageDecoder } from './authorization-message-decoder';
import type { AuthorizationRecordReader } from './authorization-record-reader';
import type { EscalationReader } from './escalation-reader';
import type { InstanceProfileResolver } from './instance-profile-resolver';
import type { PolicySimulator } from './policy-simulator';
import type { PolicyWriter } from './policy-writer';
import type { RolePathResolver } from './role-path-resolver';

/** What a function needs to read one account: the targeted reader's faces and the simulator. */
export interface AccountReadAccess {
  accountId: string;
  accountReader: AccountReader;
  escalationReader: EscalationReader;
  instanceProfiles: InstanceProfileResolver;
  rolePaths: RolePathResolver;
  simulator: PolicySimulator;
  /**
   * AWS's record of a denial, read with this account's identity (organization mode: the member read
   * role); absent where the function's own reader serves (single-account mode).
   */
  authorizationRecords?: AuthorizationRecordReader;
  /** EC2's encoded messages, decoded by the account that issued them; absent as above. */
  decoder?: AuthorizationMessageDecoder;
}

/** What the apply step needs in one account: the read faces plus the writer. */
export interface AccountWriteAccess extends AccountReadAccess {
  writer: PolicyWriter;
}

/**
 * Access to the account a denial belongs to. Single-account mode: this account only (every other
 * account is refused). Organization mode: through that account's member roles, assumed by the hub's
 * functions with the external id; the credentials are cached per account per container.
 * Both methods reject with MemberAccessError when the account cannot be reached.
 */
export interface AccountAccess {
  read(accountId: string): Promise<AccountReadAccess>;
  /**
   * @param sourceIdentity who decided, so the member's CloudTrail shows it (sts:SourceIdentity:
   *   2 to 64 characters of `[\w+=,.@-]`; the adapter says how it maps an approver to it).
   */
  write(accountId: string, sourceIdentity: string): Promise<AccountWriteAccess>;
}
