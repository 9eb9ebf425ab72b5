import { DecodeAuthorizationMessageCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';

/**
 * Best effort: CloudTrail cuts messages at 1 KB, so many blobs are incomplete and STS rejects them.
 * Those come back as null for the caller to count, never as an error that fails the record.
 */
export class AwsAuthorizationMessageDecoder implements AuthorizationMessageDecoder {
  constructor(private readonly sts: STSClient) {}

  async decode(encodedMessage: string): Promise<string | null> {
    try {
      const output = await this.sts.send(
        new DecodeAuthorizationMessageCommand({ EncodedMessage: encodedMessage }),
      );
      return output.DecodedMessage ?? null;
    } catch {
      return null;
    }
  }
}
