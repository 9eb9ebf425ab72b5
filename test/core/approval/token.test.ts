import { createHmac } from 'node:crypto';
import { LocalLinkMac } from '../../../lambda/adapters/local/local-keys';
import {
  claimsMessage,
  legacyClaimsMessage,
  signApprovalToken,
  verifyApprovalToken,
  type ApprovalClaims,
} from '../../../lambda/core/approval/token';
import type { LinkMacVerifier } from '../../../lambda/ports/link-mac';

const KEY = Buffer.alloc(32, 7);
const MAC = new LocalLinkMac(KEY);
const claims: ApprovalClaims = {
  proposalId: 'p-1',
  account: '123456789012',
  documentHash: 'a'.repeat(64),
  target: { type: 'group', name: 'GlueAccess', arn: 'arn:aws:iam::123456789012:group/GlueAccess' },
  expiresAt: '2026-06-20T02:04:37.000Z',
};
const before = new Date('2026-06-19T00:00:00Z');

/** A verifier that counts what reaches the key store. */
class CountingVerifier implements LinkMacVerifier {
  calls = 0;
  constructor(private readonly inner: LinkMacVerifier) {}
  verifyMac(message: Uint8Array, mac: Uint8Array): Promise<boolean> {
    this.calls += 1;
    return this.inner.verifyMac(message, mac);
  }
}

describe('approval tokens on the link MAC ports', () => {
  let token: string;
  beforeAll(async () => {
    token = await signApprovalToken(claims, MAC);
  });

  it('is HMAC-SHA256 over the length-prefixed claims, base64url (what a KMS HMAC_256 key computes)', async () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expected = createHmac('sha256', KEY)
      .update(
        `23:passrole-doctor-link-v2|12:123456789012|3:p-1|64:${'a'.repeat(64)}|5:group|10:GlueAccess|42:${claims.target.arn}|24:${claims.expiresAt}`,
      )
      .digest('base64url');
    expect(token).toBe(expected);
    expect(Buffer.from(claimsMessage(claims)).toString('utf8')).toContain('|10:GlueAccess|');
  });

  it('verifies a token for the same claims before expiry', async () => {
    await expect(verifyApprovalToken(token, claims, MAC, before)).resolves.toEqual({ ok: true });
  });

  it('says expired for a valid token at or past the expiry', async () => {
    await expect(verifyApprovalToken(token, claims, MAC, new Date(claims.expiresAt))).resolves.toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it.each([
    ['another proposal', { ...claims, proposalId: 'p-2' }],
    ['another account', { ...claims, account: '210987654321' }],
    ['a changed document', { ...claims, documentHash: 'b'.repeat(64) }],
    ['another target', { ...claims, target: { ...claims.target, name: 'Admins' } }],
    ['a later expiry', { ...claims, expiresAt: '2027-01-01T00:00:00.000Z' }],
  ])('rejects a token presented for %s', async (_label, other) => {
    await expect(verifyApprovalToken(token, other, MAC, before)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  describe('links signed before the account was claimed', () => {
    const legacyToken = createHmac('sha256', KEY).update(legacyClaimsMessage(claims)).digest('base64url');

    it('verify only where the record allows them (a single-account record)', async () => {
      await expect(verifyApprovalToken(legacyToken, claims, MAC, before)).resolves.toEqual({
        ok: false,
        reason: 'invalid',
      });
      await expect(
        verifyApprovalToken(legacyToken, claims, MAC, before, { acceptLegacy: true }),
      ).resolves.toEqual({ ok: true });
    });

    it('still bind the proposal, document and target, and expire', async () => {
      const options = { acceptLegacy: true };
      await expect(
        verifyApprovalToken(legacyToken, { ...claims, proposalId: 'p-2' }, MAC, before, options),
      ).resolves.toEqual({ ok: false, reason: 'invalid' });
      await expect(
        verifyApprovalToken(legacyToken, claims, MAC, new Date(claims.expiresAt), options),
      ).resolves.toEqual({ ok: false, reason: 'expired' });
    });

    it('never equal a current message, whatever the fields hold', () => {
      const current = Buffer.from(claimsMessage(claims)).toString('utf8');
      expect(current.startsWith('23:passrole-doctor-link-v2|')).toBe(true);
      expect(Buffer.from(legacyClaimsMessage(claims)).toString('utf8')).not.toBe(current);
    });
  });

  it('rejects tampered, truncated, non-string tokens and another key', async () => {
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const bad of [flipped, token.slice(0, 42), `${token}A`, '', undefined, 42, ['x']]) {
      await expect(verifyApprovalToken(bad, claims, MAC, before)).resolves.toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
    await expect(verifyApprovalToken(token, claims, new LocalLinkMac(), before)).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('never asks the key store about a token that is not a canonical 43-character MAC', async () => {
    const verifier = new CountingVerifier(MAC);
    for (const bad of [token.slice(0, 42), `${token}=`, 'x'.repeat(43).replace(/x$/, '!'), null]) {
      await verifyApprovalToken(bad, claims, verifier, before);
    }
    expect(verifier.calls).toBe(0);
  });

  it('accepts only the canonical spelling of the last character', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = [...alphabet]
      .map((last) => token.slice(0, 42) + last)
      .filter((variant) => variant !== token);
    const accepted: string[] = [];
    for (const variant of variants) {
      if ((await verifyApprovalToken(variant, claims, MAC, before)).ok) accepted.push(variant);
    }
    expect(accepted).toEqual([]);
  });

  it('cannot be forged by moving text between fields', async () => {
    const shifted: ApprovalClaims = {
      ...claims,
      proposalId: 'p-1|x',
      documentHash: claims.documentHash.slice(2),
    };
    expect(await signApprovalToken(shifted, MAC)).not.toBe(token);
  });
});
