/** The approval function's environment: lib/constructs/approval-function.ts writes it, its handler reads it. */
import { APPROVAL_POLICY_ENV, LINK_MAC_KEY_ID, POWERTOOLS_ENV } from './common';
import { requiredText } from './env';

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

/** In the order the handler reads (and names problems). */
export const APPROVAL_ENV = {
  proposalsTableName: requiredText('PROPOSALS_TABLE_NAME'),
  /** Review links are checked with it (VerifyMac); required unless only IAM-signed approvals are served. */
  linkMacKeyId: LINK_MAC_KEY_ID,
  /** Invoked asynchronously once a proposal is approved. */
  applyFunctionName: requiredText('APPLY_FUNCTION_NAME'),
  ...APPROVAL_POLICY_ENV,
  /** The KMS ECC_NIST_P256 key that signs approvals. */
  decisionSigningKeyId: requiredText('DECISION_SIGNING_KEY_ID', (value, name) =>
    KMS_KEY_ARN.test(value) ? null : `${name} is not a KMS key ARN: '${value.slice(0, 200)}'`,
  ),
} as const;

/** Written for every function (handler-function.ts); read last. */
export const APPROVAL_POWERTOOLS_ENV = { serviceName: POWERTOOLS_ENV.serviceName } as const;
