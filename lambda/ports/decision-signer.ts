/**
 * Signs approval decisions (the approval function is the only signer: KMS `kms:Sign` with an
 * ECC_NIST_P256 key on AWS, an in-process key pair for `passrole-doctor serve`).
 */
export interface DecisionSigner {
  /** The id of the key that signs (a KMS key ARN on AWS); it goes into the signed envelope. */
  readonly keyId: string;
  /** ECDSA_SHA_256 over `message`; the DER-encoded signature. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * Verifies decisions with the public key of the key named in the verifier's own settings, never a
 * key named by the record.
 */
export interface DecisionVerifier {
  /** The key id this verifier trusts. */
  readonly keyId: string;
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
