/**
 * The review-link MAC: HMAC-SHA256 that never leaves its key store (a KMS HMAC key on AWS: only the
 * diagnose function may GenerateMac, only the approval function VerifyMac; an in-process random key
 * for `passrole-doctor serve`).
 */
export interface LinkMacGenerator {
  generateMac(message: Uint8Array): Promise<Uint8Array>;
}

export interface LinkMacVerifier {
  /** True only when `mac` is the MAC of `message` under the key (compared in constant time). */
  verifyMac(message: Uint8Array, mac: Uint8Array): Promise<boolean>;
}
