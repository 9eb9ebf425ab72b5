import type { ProposalTarget } from '../model';
import type { LinkMacGenerator, LinkMacVerifier } from '../../ports/link-mac';

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

/** The bytes the link MAC covers. */
export function claimsMessage(claims: ApprovalClaims): Uint8Array {
  // Length-prefixed fields: no value can be shifted into its neighbour to forge another message.
  const text = [
    claims.proposalId,
    claims.documentHash,
    claims.target.type,
    claims.target.name,
    claims.target.arn ?? '',
    claims.expiresAt,
  ]
    .map((field) => `${field.length}:${field}`)
    .join('|');
  return Buffer.from(text, 'utf8');
}

/** An HMAC-SHA256 in base64url: 43 characters, the last carrying 2 unused bits. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * HMAC-SHA256 over the claims, base64url: the token that goes into a review link. The MAC is computed
 * where the key lives (KMS GenerateMac in the diagnose function; an in-process key for serve).
 */
export async function signApprovalToken(claims: ApprovalClaims, mac: LinkMacGenerator): Promise<string> {
  return Buffer.from(await mac.generateMac(claimsMessage(claims))).toString('base64url');
}

/**
 * Checks a presented token against the stored proposal's claims. A token for another proposal,
 * another document or another target is invalid; a valid one past expiry is expired. The comparison
 * is the verifier's (KMS VerifyMac, or a constant-time compare in process): the expected MAC never
 * exists outside the key store.
 */
export async function verifyApprovalToken(
  token: unknown,
  claims: ApprovalClaims,
  verifier: LinkMacVerifier,
  now: Date,
): Promise<TokenCheck> {
  if (typeof token !== 'string' || !TOKEN.test(token)) return { ok: false, reason: 'invalid' };
  const presented = Buffer.from(token, 'base64url');
  // The 43rd character carries 2 unused bits: only the one canonical spelling of the MAC is accepted.
  if (presented.toString('base64url') !== token) return { ok: false, reason: 'invalid' };
  if (!(await verifier.verifyMac(claimsMessage(claims), presented))) return { ok: false, reason: 'invalid' };
  const expiry = Date.parse(claims.expiresAt);
  if (Number.isNaN(expiry) || now.getTime() >= expiry) return { ok: false, reason: 'expired' };
  return { ok: true };
}
