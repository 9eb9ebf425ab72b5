/**
 * In-process keys for `passrole-doctor serve` and tests: the same signing and MAC code paths as the
 * KMS keys, with keys made fresh per process (links and decisions die with it).
 */
import { createHmac, generateKeyPairSync, randomBytes, sign, timingSafeEqual, verify } from 'node:crypto';
import type { DecisionSigner, DecisionVerifier } from '../../ports/decision-signer';
import type { LinkMacGenerator, LinkMacVerifier } from '../../ports/link-mac';

/** An ECDSA P-256 key pair, as KMS's ECC_NIST_P256 signs (DER-encoded signatures). */
export class LocalDecisionKeys {
  readonly signer: DecisionSigner;
  readonly verifier: DecisionVerifier;

  constructor(keyId = 'local:decision-signing-key') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.signer = {
      keyId,
      sign: (message) => Promise.resolve(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' })),
    };
    this.verifier = {
      keyId,
      verify: (message, signature) =>
        Promise.resolve(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature)),
    };
  }
}

/** HMAC-SHA256 with a random 256-bit key, as a KMS HMAC_256 key computes it. */
export class LocalLinkMac implements LinkMacGenerator, LinkMacVerifier {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  generateMac(message: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(createHmac('sha256', this.key).update(message).digest());
  }

  async verifyMac(message: Uint8Array, mac: Uint8Array): Promise<boolean> {
    const expected = await this.generateMac(message);
    return expected.length === mac.length && timingSafeEqual(expected, mac);
  }
}
