import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProposalTarget } from '../model';

/** What an approval link vouches for: this proposal, this exact document, this target, until then. */
export interface ApprovalClaims {
  proposalId: string;
  /** SHA-256 of the canonical proposal document. */
  documentHash: string;
  target: Pick<ProposalTarget, 'type' | 'name' | 'arn'>;
  /** ISO 8601; the link is void after it. */
  expiresAt: string;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired' };

function message(claims: ApprovalClaims): string {
  // Length-prefixed fields: no value can be shifted into its neighbour to forge another message.
  return [
    claims.proposalId,
    claims.documentHash,
    claims.target.type,
    claims.target.name,
    claims.target.arn ?? '',
    claims.expiresAt,
  ]
    .map((field) => `${field.length}:${field}`)
    .join('|');
}

/** HMAC-SHA256 over the claims, base64url: the token that goes into a review link. */
export function signApprovalToken(claims: ApprovalClaims, secret: string | Buffer): string {
  return createHmac('sha256', secret).update(message(claims)).digest('base64url');
}

/**
 * Checks a presented token against the stored proposal's claims, in constant time. A token for
 * another proposal, another document or another target is invalid; a valid one past expiry is expired.
 */
export function verifyApprovalToken(
  token: unknown,
  claims: ApprovalClaims,
  secret: string | Buffer,
  now: Date,
): TokenCheck {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token))
    return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(signApprovalToken(claims, secret), 'base64url');
  const presented = Buffer.from(token, 'base64url');
  // The 43rd character carries 2 unused bits: only the one canonical spelling of the MAC is accepted.
  if (presented.toString('base64url') !== token) return { ok: false, reason: 'invalid' };
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return { ok: false, reason: 'invalid' };
  const expiry = Date.parse(claims.expiresAt);
  if (Number.isNaN(expiry) || now.getTime() >= expiry) return { ok: false, reason: 'expired' };
  return { ok: true };
}
