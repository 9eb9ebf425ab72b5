/**
 * Decision signatures on a KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY). Signing is a KMS call
 * (the private key never leaves KMS, and the key policy lets only the approval role sign); verifying
 * uses the public key, fetched once per container with kms:GetPublicKey and checked with node:crypto,
 * so a verification costs no KMS call and needs no permission anyone could be refused at apply time.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { DecisionSigner, DecisionVerifier } from '../../ports/decision-signer';
import { kmsFailure } from './kms-errors';

export const DECISION_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

export class KmsDecisionSigner implements DecisionSigner {
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(message: Uint8Array): Promise<Uint8Array> {
    try {
      const answer = await this.kms.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: message,
          MessageType: 'RAW',
          SigningAlgorithm: DECISION_SIGNING_ALGORITHM,
        }),
      );
      if (answer.Signature === undefined) throw new Error('kms:Sign returned no signature');
      return answer.Signature;
    } catch (error) {
      throw kmsFailure('Sign', error);
    }
  }
}

export class KmsDecisionVerifier implements DecisionVerifier {
  private publicKey: Promise<KeyObject> | null = null;

  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const key = await this.key();
    return verify('sha256', message, { key, dsaEncoding: 'der' }, signature);
  }

  private key(): Promise<KeyObject> {
    if (this.publicKey === null) {
      this.publicKey = this.fetch();
      // A failed fetch is tried again by the next verification, not cached.
      this.publicKey.catch(() => {
        this.publicKey = null;
      });
    }
    return this.publicKey;
  }

  private async fetch(): Promise<KeyObject> {
    try {
      const answer = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
      if (answer.PublicKey === undefined) throw new Error('kms:GetPublicKey returned no key');
      // KMS answers both names; CustomerMasterKeySpec is the deprecated one some emulators still send alone.
      const spec = answer.KeySpec ?? answer.CustomerMasterKeySpec;
      if (spec !== 'ECC_NIST_P256' || answer.KeyUsage !== 'SIGN_VERIFY') {
        throw new Error(
          `the key is ${spec ?? '?'} for ${answer.KeyUsage ?? '?'}, not ECC_NIST_P256 SIGN_VERIFY`,
        );
      }
      return createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
    } catch (error) {
      throw kmsFailure('GetPublicKey', error);
    }
  }
}
