import {
  APPROVAL_MODES,
  DEFAULT_APPROVAL_MODE,
  linksEnabled,
  type ApprovalMode,
} from '../../core/approval/links';
import type { ApprovalPolicySettings } from '../../core/approval/requirement';
import { InvalidInputError } from '../../core/errors';
import { LINK_MAC_KEY_ID, readKmsKeyId } from '../key-settings';
import { readApprovalPolicySettings } from '../approval-policy-settings';

/** What the diagnose function reads from its environment (set by the CDK construct). */
export interface DiagnoseSettings {
  proposalsTableName: string;
  idempotencyTableName: string;
  topicArn: string;
  /** How long a proposal stays pending (and its incident open). */
  proposalTtlHours: number;
  /** A pending proposal's reminder goes out once its last message is this old. */
  renotifyAfterHours: number;
  /** The review page's base URL; no link in the messages without it. */
  reviewBaseUrl: string | null;
  /** Links, CLI commands or both in the messages (APPROVAL_MODE, default both). */
  approvalMode: ApprovalMode;
  /** The KMS HMAC key review links are MACed with (GenerateMac); required when messages carry links. */
  linkMacKeyId: string | null;
  /** Who may approve what (APPROVAL_MODE, APPROVERS, ALLOW_ADMIN_ROLES, AUTO_APPROVE). */
  approvalPolicy: ApprovalPolicySettings;
  /** ARN patterns of this deployment's own resources (OWN_RESOURCE_ARNS): access to them is sensitive. */
  ownResourceArns: string[];
  /**
   * The approval function asked to look at a new `none` proposal (APPROVAL_FUNCTION_NAME): required
   * when AUTO_APPROVE is no-new-access, null otherwise (nothing is ever asked then).
   */
  approvalFunctionName: string | null;
  serviceName: string;
  metricsNamespace: string;
}

export const DEFAULT_PROPOSAL_TTL_HOURS = 72;
export const DEFAULT_RENOTIFY_AFTER_HOURS = 24;

/** A function name, or its ARN (optionally with a version or alias), as the reconciler checks its own. */
const FUNCTION_NAME_OR_ARN =
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$/;

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

type Environment = Readonly<Record<string, string | undefined>>;

/** APPROVAL_MODE: link, iam or both (the default); a problem is added for anything else. */
export function readApprovalMode(env: Environment, problems: string[]): ApprovalMode {
  const raw = env['APPROVAL_MODE']?.trim() ?? '';
  if (raw === '') return DEFAULT_APPROVAL_MODE;
  const mode = APPROVAL_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) problems.push(`APPROVAL_MODE must be link, iam or both, got '${raw}'`);
  return mode ?? DEFAULT_APPROVAL_MODE;
}

/** LINK_MAC_KEY_ID, checked as a KMS key or alias ARN when set; null when absent. */
export function readLinkMacKeyId(env: Environment, problems: string[]): string | null {
  return readKmsKeyId(env, LINK_MAC_KEY_ID, problems);
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Reads and checks the settings once, at init: every problem in one error, so a misconfigured
 * deployment fails its first invocation with a message that names them all.
 */
export function readDiagnoseSettings(env: Environment): DiagnoseSettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (value === '') problems.push(`${name} is not set`);
    return value;
  };
  const hours = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 24 * 365) {
      problems.push(`${name} must be a whole number of hours from 1 to 8760, got '${raw}'`);
      return fallback;
    }
    return value;
  };

  const proposalsTableName = required('PROPOSALS_TABLE_NAME');
  const idempotencyTableName = required('IDEMPOTENCY_TABLE_NAME');
  const topicArn = required('TOPIC_ARN');
  if (topicArn !== '' && !SNS_TOPIC_ARN.test(topicArn)) {
    problems.push(`TOPIC_ARN is not an SNS topic ARN: '${topicArn}'`);
  }
  const proposalTtlHours = hours('PROPOSAL_TTL_HOURS', DEFAULT_PROPOSAL_TTL_HOURS);
  const renotifyAfterHours = hours('RENOTIFY_AFTER_HOURS', DEFAULT_RENOTIFY_AFTER_HOURS);
  const reviewBaseUrl = env['REVIEW_BASE_URL']?.trim() || null;
  if (reviewBaseUrl !== null && !isHttpsUrl(reviewBaseUrl)) {
    problems.push(`REVIEW_BASE_URL must be an https URL, got '${reviewBaseUrl}'`);
  }
  const { ownResourceArns, ...approvalPolicy } = readApprovalPolicySettings(env, problems);
  const approvalMode = approvalPolicy.approvalMode;
  const linkMacKeyId = readLinkMacKeyId(env, problems);
  if (linksEnabled(approvalMode) && reviewBaseUrl !== null && linkMacKeyId === null) {
    problems.push(
      `${LINK_MAC_KEY_ID} is not set: review links (APPROVAL_MODE ${approvalMode}) are signed with it`,
    );
  }
  let approvalFunctionName: string | null = null;
  if (approvalPolicy.autoApprove === 'no-new-access') {
    approvalFunctionName = required('APPROVAL_FUNCTION_NAME');
    if (approvalFunctionName !== '' && !FUNCTION_NAME_OR_ARN.test(approvalFunctionName)) {
      problems.push(`APPROVAL_FUNCTION_NAME is not a function name or ARN: '${approvalFunctionName}'`);
    }
  }
  const settings: DiagnoseSettings = {
    proposalsTableName,
    idempotencyTableName,
    topicArn,
    proposalTtlHours,
    renotifyAfterHours,
    reviewBaseUrl,
    approvalMode,
    approvalPolicy,
    ownResourceArns,
    linkMacKeyId,
    approvalFunctionName,
    serviceName: required('POWERTOOLS_SERVICE_NAME'),
    metricsNamespace: required('POWERTOOLS_METRICS_NAMESPACE'),
  };
  if (problems.length > 0) {
    throw new InvalidInputError(
      `diagnose function environment is invalid: ${problems.join('; ')}`,
      'environment',
    );
  }
  return settings;
}
