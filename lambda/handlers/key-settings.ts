/**
 * The KMS keys the functions name in their environments: DECISION_SIGNING_KEY_ID (the ECC_NIST_P256
 * SIGN_VERIFY key the approval function signs decisions with and the apply function and reconciler
 * verify them with) and LINK_MAC_KEY_ID (the HMAC_256 key of the review links: the diagnose function
 * generates, the approval function verifies). Each function trusts only the key its own settings name.
 */

/** A key or alias ARN: the same spelling on the signing and the verifying side (it is in the envelope). */
const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[A-Za-z0-9-]{1,128}|alias\/[A-Za-z0-9/_-]{1,250})$/;

export const DECISION_SIGNING_KEY_ID = 'DECISION_SIGNING_KEY_ID';
export const LINK_MAC_KEY_ID = 'LINK_MAC_KEY_ID';

type Environment = Readonly<Record<string, string | undefined>>;

/** The key ARN in `name`, or null when it is unset; a problem is added when it is not a KMS key ARN. */
export function readKmsKeyId(env: Environment, name: string, problems: string[]): string | null {
  const value = env[name]?.trim() ?? '';
  if (value === '') return null;
  if (!KMS_KEY_ARN.test(value)) problems.push(`${name} is not a KMS key or alias ARN: '${value}'`);
  return value;
}

/** As readKmsKeyId, with a problem when it is unset. */
export function requireKmsKeyId(env: Environment, name: string, problems: string[], why: string): string {
  const value = readKmsKeyId(env, name, problems);
  if (value === null) problems.push(`${name} is not set: ${why}`);
  return value ?? '';
}
