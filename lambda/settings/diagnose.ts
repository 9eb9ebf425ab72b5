/** The diagnose function's environment: lib/constructs/diagnose-function.ts writes it, its handler reads it. */
import {
  APPROVAL_POLICY_ENV,
  FUNCTION_NAME_OR_ARN,
  httpsUrl,
  LINK_MAC_KEY_ID,
  POWERTOOLS_ENV,
  SNS_TOPIC_ARN,
} from './common';
import { optionalText, requiredText, wholeNumber } from './env';

const HOURS_IN_A_YEAR = 24 * 365;

/** How long a proposal stays pending (and its incident open): 72 hours unless the deployment says. */
export const PROPOSAL_TTL_HOURS = wholeNumber('PROPOSAL_TTL_HOURS', {
  fallback: 72,
  min: 1,
  max: HOURS_IN_A_YEAR,
  unit: 'hours',
});

/** A pending proposal's reminder goes out once its last message is this old. */
export const RENOTIFY_AFTER_HOURS = wholeNumber('RENOTIFY_AFTER_HOURS', {
  fallback: 24,
  min: 1,
  max: HOURS_IN_A_YEAR,
  unit: 'hours',
});

/** In the order the handler reads (and names problems). */
export const DIAGNOSE_ENV = {
  proposalsTableName: requiredText('PROPOSALS_TABLE_NAME'),
  idempotencyTableName: requiredText('IDEMPOTENCY_TABLE_NAME'),
  topicArn: requiredText('TOPIC_ARN', SNS_TOPIC_ARN),
  proposalTtlHours: PROPOSAL_TTL_HOURS,
  renotifyAfterHours: RENOTIFY_AFTER_HOURS,
  /** The review page's base URL; no link in the messages without it. */
  reviewBaseUrl: optionalText('REVIEW_BASE_URL', httpsUrl),
  ...APPROVAL_POLICY_ENV,
  /** Review links are MACed with it (GenerateMac); required when messages carry links. */
  linkMacKeyId: LINK_MAC_KEY_ID,
} as const;

/**
 * Written and read only when AUTO_APPROVE is no-new-access: the approval function asked to look at a
 * new `none` proposal. Otherwise nothing is ever asked, whatever the environment holds.
 */
export const DIAGNOSE_AUTO_APPROVE_ENV = {
  approvalFunctionName: requiredText('APPROVAL_FUNCTION_NAME', FUNCTION_NAME_OR_ARN),
} as const;

/** Written for every function (handler-function.ts); read last. */
export const DIAGNOSE_POWERTOOLS_ENV = {
  serviceName: POWERTOOLS_ENV.serviceName,
  metricsNamespace: POWERTOOLS_ENV.metricsNamespace,
} as const;
