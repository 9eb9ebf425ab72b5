import type { ProposalTarget } from '../model';
import type { LinkMacGenerator, LinkMacVerifier } from '../../ports/link-mac';

/**
 * What an approval link vouches for: this proposal, of this account, this exact document, this
 * target, until then.
 */
export interface ApprovalClaims {
  proposalId: string;
  /** The denial's account (12 digits): a link for account A never decides anything in account B. */
  account: string;
  /** SHA-256 of the canonical proposal document. */
  documentHash: string;
  target: Pick<ProposalTarget, 'type' | 'name' | 'arn'>;
  /** ISO 8601; the link is void after it. */
  expiresAt: string;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired' };

/** Opens the message of claims that carry the account: no such message equals a legacy one. */
const ACCOUNT_CLAIMS_TAG = 'passrole-doctor-link-v2';

function fieldsMessage(fields: readonly string[]): Uint8Array {
  // Length-prefixed fields: no value can be shifted into its neighbour to forge another message.
  return Buffer.from(fields.map((field) => `${field.length}:${field}`).join('|'), 'utf8');
}

function claimFields(claims: ApprovalClaims): string[] {
  return [
    claims.proposalId,
    claims.documentHash,
    claims.target.type,
    claims.target.name,
    claims.target.arn ?? '',
    claims.expiresAt,
  ];
}

/** The bytes the link MAC covers: the tag, the account and the claims. */
export function claimsMessage(claims: ApprovalClaims): Uint8Array {
  return fieldsMessage([ACCOUNT_CLAIMS_TAG, claims.account, ...claimFields(claims)]);
}

/**
 * The bytes links signed before the account was claimed covered. Only a single-account record's link
 * may still verify against them (verifyApprovalToken's acceptLegacy): there the account is the
 * deployment's own, the target ARN (claimed) names it, and the apply refuses any other.
 */
export function legacyClaimsMessage(claims: ApprovalClaims): Uint8Array {
  return fieldsMessage(claimFields(claims));
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

export interface TokenCheckOptions {
  /**
   * Also accept a link signed before the account was claimed (legacyClaimsMessage): true only for a
   * record of single-account mode, whose links were all issued for the deployment's own account.
   */
  acceptLegacy?: boolean;
}

/**
 * Checks a presented token against the stored proposal's claims. A token for another proposal,
 * another account, another document or another target is invalid; a valid one past expiry is
 * expired. The comparison is the verifier's (KMS VerifyMac, or a constant-time compare in process):
 * the expected MAC never exists outside the key store.
 */
export async function verifyApprovalToken(
  token: unknown,
  claims: ApprovalClaims,
  verifier: LinkMacVerifier,
  now: Date,
  options: TokenCheckOptions = {},
): Promise<TokenCheck> {
  if (typeof token !== 'string' || !TOKEN.test(token)) return { ok: false, reason: 'invalid' };
  const presented = Buffer.from(token, 'base64url');
  // The 43rd character carries 2 unused bits: only the one canonical spelling of the MAC is accepted.
  if (presented.toString('base64url') !== token) return { ok: false, reason: 'invalid' };
  const valid =
    (await verifier.verifyMac(claimsMessage(claims), presented)) ||
    (options.acceptLegacy === true && (await verifier.verifyMac(legacyClaimsMessage(claims), presented)));
  if (!valid) return { ok: false, reason: 'invalid' };
  const expiry = Date.parse(claims.expiresAt);
  if (Number.isNaN(expiry) || now.getTime() >= expiry) return { ok: false, reason: 'expired' };
  return { ok: true };
}
