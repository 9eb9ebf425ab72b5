/**
 * Review-link MACs on a KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC): the key never leaves KMS, the
 * key policy lets only the diagnose role GenerateMac and only the approval role VerifyMac.
 */
import { GenerateMacCommand, VerifyMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { LinkMacGenerator, LinkMacVerifier } from '../../ports/link-mac';
import { kmsFailure } from './kms-errors';

export const LINK_MAC_ALGORITHM = 'HMAC_SHA_256';

export class KmsLinkMac implements LinkMacGenerator, LinkMacVerifier {
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async generateMac(message: Uint8Array): Promise<Uint8Array> {
    try {
      const answer = await this.kms.send(
        new GenerateMacCommand({ KeyId: this.keyId, Message: message, MacAlgorithm: LINK_MAC_ALGORITHM }),
      );
      if (answer.Mac === undefined) throw new Error('kms:GenerateMac returned no MAC');
      return answer.Mac;
    } catch (error) {
      throw kmsFailure('GenerateMac', error);
    }
  }

  async verifyMac(message: Uint8Array, mac: Uint8Array): Promise<boolean> {
    try {
      const answer = await this.kms.send(
        new VerifyMacCommand({
          KeyId: this.keyId,
          Message: message,
          Mac: mac,
          MacAlgorithm: LINK_MAC_ALGORITHM,
        }),
      );
      return answer.MacValid === true;
    } catch (error) {
      // KMS answers a MAC that does not match with KMSInvalidMacException, not MacValid: false.
      if (error instanceof Error && error.name === 'KMSInvalidMacException') return false;
      throw kmsFailure('VerifyMac', error);
    }
  }
}
