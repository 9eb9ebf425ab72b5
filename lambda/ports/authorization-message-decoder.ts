/** Decodes EC2's "Encoded authorization failure message" (sts:DecodeAuthorizationMessage). */
export interface AuthorizationMessageDecoder {
  /** The decoded JSON, or null when the blob cannot be decoded (cut at CloudTrail's 1 KB limit, expired, no permission). */
  decode(encodedMessage: string): Promise<string | null>;
}
