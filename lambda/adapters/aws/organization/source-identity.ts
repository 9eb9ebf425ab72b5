/**
 * Who decided, as sts:SourceIdentity carries it into the member account's CloudTrail: 2 to 64
 * characters of `[\w+=,.@-]`, fixed for the session's life. An approver is an ARN (an IAM user, an
 * assumed-role session, an Identity Center user's session) or already such a name.
 *
 * The mapping is deterministic and keeps different approvers apart:
 * - a value that is already a valid source identity is used as it is;
 * - anything else becomes a readable part (an ARN's resource after its type: `alice`,
 *   `AWSReservedSSO_Admin_0a1b/alice@example.com`; every character outside the set becomes `_`, cut
 *   to 53 characters), `-`, and the first 10 hex digits of the SHA-256 of the whole approver. Two
 *   approvers map to one value only if their hashes' first 40 bits collide.
 */
import { createHash } from 'node:crypto';
import { parseArn } from '../../../core/iam/arn';

/** sts:SourceIdentity's characters and length (STS's AssumeRole API reference). */
export const SOURCE_IDENTITY_PATTERN = /^[\w+=,.@-]{2,64}$/;

const HASH_HEX_DIGITS = 10;
/** 64, less `-` and the hash. */
const READABLE_MAX = 64 - 1 - HASH_HEX_DIGITS;

/** The source identity of `approver` (see the module's comment for the rule). */
export function sourceIdentityFor(approver: string): string {
  if (SOURCE_IDENTITY_PATTERN.test(approver)) return approver;
  const arn = parseArn(approver);
  // 'user/path/alice' -> 'path/alice'; 'assumed-role/Role/session' -> 'Role/session'.
  const named = arn === null ? approver : arn.resource.slice(arn.resource.indexOf('/') + 1);
  const readable = named.replace(/[^\w+=,.@-]/g, '_').slice(0, READABLE_MAX);
  const hash = createHash('sha256').update(approver, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
  return readable === '' ? hash : `${readable}-${hash}`;
}
