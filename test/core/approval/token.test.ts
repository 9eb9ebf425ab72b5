import {
  signApprovalToken,
  verifyApprovalToken,
  type ApprovalClaims,
} from '../../../lambda/core/approval/token';

const SECRET = 'k'.repeat(32);
const claims: ApprovalClaims = {
  proposalId: 'p-1',
  documentHash: 'a'.repeat(64),
  target: { type: 'group', name: 'GlueAccess', arn: 'arn:aws:iam::123456789012:group/GlueAccess' },
  expiresAt: '2026-06-20T02:04:37.000Z',
};
const before = new Date('2026-06-19T00:00:00Z');

describe('approval tokens', () => {
  const token = signApprovalToken(claims, SECRET);

  it('verifies a token for the same claims before expiry', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyApprovalToken(token, claims, SECRET, before)).toEqual({ ok: true });
  });

  it('says expired for a valid token at or past the expiry', () => {
    expect(verifyApprovalToken(token, claims, SECRET, new Date(claims.expiresAt))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it.each([
    ['another proposal', { ...claims, proposalId: 'p-2' }],
    ['a changed document', { ...claims, documentHash: 'b'.repeat(64) }],
    ['another target', { ...claims, target: { ...claims.target, name: 'Admins' } }],
    ['a later expiry', { ...claims, expiresAt: '2027-01-01T00:00:00.000Z' }],
  ])('rejects a token presented for %s', (_label, other) => {
    expect(verifyApprovalToken(token, other, SECRET, before)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('rejects tampered, truncated, non-string tokens and another key', () => {
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const bad of [flipped, token.slice(0, 42), `${token}A`, '', undefined, 42, ['x']]) {
      expect(verifyApprovalToken(bad, claims, SECRET, before)).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(verifyApprovalToken(token, claims, 'another-secret', before)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('accepts only the canonical spelling of the last character', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = [...alphabet]
      .map((last) => token.slice(0, 42) + last)
      .filter((variant) => variant !== token);
    expect(variants.filter((variant) => verifyApprovalToken(variant, claims, SECRET, before).ok)).toEqual([]);
  });

  it('cannot be forged by moving text between fields', () => {
    const shifted: ApprovalClaims = {
      ...claims,
      proposalId: 'p-1|x',
      documentHash: claims.documentHash.slice(2),
    };
    expect(signApprovalToken(shifted, SECRET)).not.toBe(token);
  });
});
