/**
 * The environment variables several functions share: Powertools' (written for every function), the
 * KMS keys, and the approval policy the diagnose and approval functions both derive requirements from.
 */
import { APPROVAL_MODES, DEFAULT_APPROVAL_MODE } from '../core/approval/links';
import { DEFAULT_PERMISSION_SET_PEOPLE_LIMIT, type AutoApprove } from '../core/approval/requirement';
import {
  flag,
  matching,
  oneOf,
  optionalText,
  requiredText,
  textList,
  textOr,
  wholeNumber,
  type EnvSetting,
} from './env';

export const POWERTOOLS_SERVICE_NAME = 'passrole-doctor';
export const METRICS_NAMESPACE = 'PassRoleDoctor';

/** Written for every function (handler-function.ts); the diagnose and approval functions require them. */
export const POWERTOOLS_ENV = {
  serviceName: requiredText('POWERTOOLS_SERVICE_NAME'),
  metricsNamespace: requiredText('POWERTOOLS_METRICS_NAMESPACE'),
  logLevel: requiredText('POWERTOOLS_LOG_LEVEL'),
} as const;

/** The apply function and the reconciler fall back to the deployment's names. */
export const POWERTOOLS_ENV_OR_DEFAULTS = {
  serviceName: textOr(POWERTOOLS_ENV.serviceName.name, POWERTOOLS_SERVICE_NAME),
  metricsNamespace: textOr(POWERTOOLS_ENV.metricsNamespace.name, METRICS_NAMESPACE),
} as const;

/** A function name, or its ARN (optionally with a version or alias). */
export const FUNCTION_NAME_OR_ARN = matching(
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$/,
  'a function name or ARN',
);

export const SNS_TOPIC_ARN = matching(
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  'an SNS topic ARN',
);

/** An https URL, as review links start with. */
export function httpsUrl(value: string, name: string): string | null {
  try {
    if (new URL(value).protocol === 'https:') return null;
  } catch {
    // not a URL at all: the same problem
  }
  return `${name} must be an https URL, got '${value}'`;
}

/** A key or alias ARN: the same spelling on the signing and the verifying side (it is in the envelope). */
const KMS_KEY_ARN = matching(
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[A-Za-z0-9-]{1,128}|alias\/[A-Za-z0-9/_-]{1,250})$/,
  'a KMS key or alias ARN',
);

/**
 * The HMAC_256 key of the review links (the diagnose function generates, the approval function
 * verifies); required only where links are on.
 */
export const LINK_MAC_KEY_ID = optionalText('LINK_MAC_KEY_ID', KMS_KEY_ARN);

/**
 * The ECC_NIST_P256 key the approval function signs decisions with and the apply function and the
 * reconciler verify them with; `why` says what the function needs it for.
 */
export function decisionSigningKeyId(why: string): EnvSetting<string> {
  return requiredText('DECISION_SIGNING_KEY_ID', KMS_KEY_ARN, why);
}

/** An IAM or STS principal ARN pattern: `*` and `?` allowed anywhere after the service. */
const PRINCIPAL_PATTERN = /^arn:(aws[a-z-]*|\*):(iam|sts):[^:]*:(\d{12}|\*|\?{12})?:\S+$/;
const ARN_PATTERN = /^arn:[^:\s]+:[^:\s]*:[^:\s]*:[^:\s]*:\S+$/;

export const AUTO_APPROVE_MODES: readonly AutoApprove[] = ['off', 'no-new-access'];
export const DEFAULT_AUTO_APPROVE: AutoApprove = 'off';

export const PERMISSION_SET_PEOPLE_LIMIT = wholeNumber('PERMISSION_SET_PEOPLE_LIMIT', {
  fallback: DEFAULT_PERMISSION_SET_PEOPLE_LIMIT,
  min: 0,
  max: 1_000_000,
  unit: 'people',
});

/**
 * Who may approve what, as the diagnose and approval functions both read it, so both derive the same
 * requirement from the same level.
 */
export const APPROVAL_POLICY_ENV = {
  approvalMode: oneOf('APPROVAL_MODE', APPROVAL_MODES, DEFAULT_APPROVAL_MODE),
  approvers: textList('APPROVERS', (pattern) =>
    PRINCIPAL_PATTERN.test(pattern)
      ? null
      : `APPROVERS: '${pattern.slice(0, 200)}' is not an IAM or STS principal ARN pattern`,
  ),
  allowAdminRoles: flag('ALLOW_ADMIN_ROLES'),
  autoApprove: oneOf('AUTO_APPROVE', AUTO_APPROVE_MODES, DEFAULT_AUTO_APPROVE),
  /** A permission set held by more people than this (or an unknown number) needs an IAM approver. */
  permissionSetPeopleLimit: PERMISSION_SET_PEOPLE_LIMIT,
  /** ARN patterns of this deployment's own resources: access to them is `sensitive`. */
  ownResourceArns: textList('OWN_RESOURCE_ARNS', (arn) =>
    ARN_PATTERN.test(arn) ? null : `OWN_RESOURCE_ARNS: '${arn.slice(0, 200)}' is not an ARN pattern`,
  ),
} as const;
