/**
 * The KMS adapters against moto's KMS, which checks HMAC and ECDSA for real: review-link tokens made
 * with kms:GenerateMac and checked with kms:VerifyMac (KmsLinkMac, both ports), and decisions signed
 * with kms:Sign and verified locally with the public key from kms:GetPublicKey (KmsDecisionSigner,
 * KmsDecisionVerifier), as the diagnose, approval, apply and reconciler functions use them.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsDecisionSigner, KmsDecisionVerifier } from '../../lambda/adapters/aws/kms-decision-keys';
import { KmsLinkMac } from '../../lambda/adapters/aws/kms-link-mac';
import {
  signDecision,
  verifySignedDecision,
  type DecisionEnvelope,
} from '../../lambda/core/approval/signed-decision';
import {
  signApprovalToken,
  verifyApprovalToken,
  type ApprovalClaims,
} from '../../lambda/core/approval/token';
import { AwsCallError } from '../../lambda/core/errors';
import { motoClientConfig, motoEndpoint } from './support/aws-clients';
import { resetMoto } from './support/moto';

let kms: KMSClient;

async function createKey(spec: 'HMAC_256' | 'ECC_NIST_P256'): Promise<string> {
  const created = await kms.send(
    new CreateKeyCommand({
      KeySpec: spec,
      KeyUsage: spec === 'HMAC_256' ? 'GENERATE_VERIFY_MAC' : 'SIGN_VERIFY',
      Description: `passrole-doctor test ${spec}`,
    }),
  );
  const arn = created.KeyMetadata?.Arn;
  if (arn === undefined) throw new Error('moto returned no key ARN');
  return arn;
}

beforeAll(async () => {
  await resetMoto(motoEndpoint());
  kms = new KMSClient(motoClientConfig());
});

afterAll(() => kms.destroy());

const CLAIMS: ApprovalClaims = {
  proposalId: 'p-1',
  account: '123456789012',
  documentHash: 'a'.repeat(64),
  target: { type: 'group', name: 'GlueAccess', arn: 'arn:aws:iam::123456789012:group/GlueAccess' },
  expiresAt: '2026-06-20T02:04:37.000Z',
};
const BEFORE = new Date('2026-06-19T00:00:00Z');

describe('review-link tokens on a KMS HMAC_256 key', () => {
  let keyId: string;
  let mac: KmsLinkMac;
  let token: string;

  beforeAll(async () => {
    keyId = await createKey('HMAC_256');
    mac = new KmsLinkMac(kms, keyId);
    token = await signApprovalToken(CLAIMS, mac);
  });

  it('makes a 43-character base64url token that VerifyMac accepts for the same claims', async () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(verifyApprovalToken(token, CLAIMS, mac, BEFORE)).resolves.toEqual({ ok: true });
    // The same claims give the same token: a reminder carries the same link.
    await expect(signApprovalToken(CLAIMS, mac)).resolves.toBe(token);
  });

  it('refuses a token for other claims, a tampered one and one from another key', async () => {
    const invalid = { ok: false, reason: 'invalid' };
    await expect(verifyApprovalToken(token, { ...CLAIMS, proposalId: 'p-2' }, mac, BEFORE)).resolves.toEqual(
      invalid,
    );
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    await expect(verifyApprovalToken(flipped, CLAIMS, mac, BEFORE)).resolves.toEqual(invalid);
    const other = new KmsLinkMac(kms, await createKey('HMAC_256'));
    await expect(
      verifyApprovalToken(await signApprovalToken(CLAIMS, other), CLAIMS, mac, BEFORE),
    ).resolves.toEqual(invalid);
  });

  it('says expired for a valid token past the expiry', async () => {
    await expect(verifyApprovalToken(token, CLAIMS, mac, new Date(CLAIMS.expiresAt))).resolves.toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('fails for good on a key that is not an HMAC key', async () => {
    const wrong = new KmsLinkMac(kms, await createKey('ECC_NIST_P256'));
    await expect(signApprovalToken(CLAIMS, wrong)).rejects.toBeInstanceOf(AwsCallError);
  });
});

describe('decisions signed with a KMS ECC_NIST_P256 key', () => {
  let keyId: string;
  const envelope = (): Omit<DecisionEnvelope, 'version' | 'keyId'> => ({
    decisionId: 'd-1',
    proposalId: 'p-1',
    account: '123456789012',
    documentHash: 'a'.repeat(64),
    target: CLAIMS.target,
    policyName: 'AllowPassEtlNightlyRuntimeToGlue',
    escalationLevel: 'contained',
    rolePoliciesHash: 'r'.repeat(64),
    membershipHash: 'm'.repeat(64),
    approvers: [
      {
        kind: 'iam',
        name: 'arn:aws:iam::123456789012:user/lead',
        identity: 'arn:aws:iam::123456789012:user/lead',
      },
    ],
    decidedAt: '2026-06-17T03:00:00.000Z',
    expiresAt: '2026-06-18T03:00:00.000Z',
  });

  beforeAll(async () => {
    keyId = await createKey('ECC_NIST_P256');
  });

  it('signs with kms:Sign and verifies with the public key, the key id inside the envelope', async () => {
    const signed = await signDecision(new KmsDecisionSigner(kms, keyId), envelope());
    const check = await verifySignedDecision(new KmsDecisionVerifier(kms, keyId), signed);
    expect(check).toEqual({ ok: true, envelope: { ...envelope(), version: 1, keyId } });
  });

  it('refuses an envelope changed after signing', async () => {
    const signed = await signDecision(new KmsDecisionSigner(kms, keyId), envelope());
    const altered = { ...signed, envelope: signed.envelope.replace('"d-1"', '"d-2"') };
    await expect(verifySignedDecision(new KmsDecisionVerifier(kms, keyId), altered)).resolves.toEqual({
      ok: false,
      problem: 'the signature does not verify',
    });
  });

  it('refuses a decision signed with another KMS key, whatever key id it names', async () => {
    const otherKey = await createKey('ECC_NIST_P256');
    const verifier = new KmsDecisionVerifier(kms, keyId);
    const named = await signDecision(new KmsDecisionSigner(kms, otherKey), envelope());
    await expect(verifySignedDecision(verifier, named)).resolves.toMatchObject({
      ok: false,
      problem: expect.stringMatching(/not the trusted key/),
    });
    // Another key's signature over an envelope that claims the trusted key.
    const impostor = new KmsDecisionSigner(kms, otherKey);
    const claiming = await signDecision({ keyId, sign: (message) => impostor.sign(message) }, envelope());
    await expect(verifySignedDecision(verifier, claiming)).resolves.toEqual({
      ok: false,
      problem: 'the signature does not verify',
    });
  });

  it('will not verify with a key that is not an ECC_NIST_P256 signing key', async () => {
    const hmac = await createKey('HMAC_256');
    const signed = await signDecision(new KmsDecisionSigner(kms, keyId), envelope());
    await expect(
      verifySignedDecision(new KmsDecisionVerifier(kms, hmac), { ...signed }),
    ).resolves.toMatchObject({ ok: false });
    await expect(
      new KmsDecisionVerifier(kms, hmac).verify(Buffer.from('x'), Buffer.from('y')),
    ).rejects.toBeInstanceOf(AwsCallError);
  });
});
