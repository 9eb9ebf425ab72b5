/**
 * Review-link tokens for tests, made synchronously: HMAC-SHA256 over the same claims message with the
 * key a LocalLinkMac holds, so test record builders stay plain functions while the code under test
 * uses the LinkMac ports.
 */
import { createHmac } from 'node:crypto';
import { LocalLinkMac } from '../../lambda/adapters/local/local-keys';
import { claimsMessage, type ApprovalClaims } from '../../lambda/core/approval/token';

/** The link MAC (both ports) of a test key. */
export function linkMacOf(key: string | Buffer): LocalLinkMac {
  return new LocalLinkMac(Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8'));
}

/** The token LocalLinkMac (or a KMS HMAC key holding `key`) makes for `claims`. */
export function tokenOf(claims: ApprovalClaims, key: string | Buffer): string {
  return createHmac('sha256', Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8'))
    .update(claimsMessage(claims))
    .digest('base64url');
}
