import type { WritableTargetType } from '../../core/apply/apply-gate';
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../../core/apply/apply-proposal';
import { InvalidInputError } from '../../core/errors';
import { DECISION_SIGNING_KEY_ID, requireKmsKeyId } from '../key-settings';

/** What the apply function reads from its environment (set by the CDK construct). */
export interface ApplyFunctionSettings {
  proposalsTableName: string;
  topicArn: string;
  /** Where the Proposal Applied event goes: a bus name or ARN. */
  eventBusName: string;
  /** The stack's own roles: never written, never a principal or a passed role of an applied policy. */
  protectedRoleArns: string[];
  allowedTargetTypes: WritableTargetType[];
  verifyTimeoutMs: number;
  /** The account the function writes in; else the function's own (from its ARN). */
  accountId: string | null;
  reviewBaseUrl: string | null;
  /** The decision signing key (DECISION_SIGNING_KEY_ID): its public key verifies every approval. */
  decisionSigningKeyId: string;
  serviceName: string;
  metricsNamespace: string;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const TARGET_TYPES: readonly WritableTargetType[] = ['group', 'user', 'role'];
/** The verification window must leave room in Lambda's 15 minutes for the write and the messages. */
const MAX_VERIFY_TIMEOUT_SECONDS = 600;

type Environment = Readonly<Record<string, string | undefined>>;

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Reads and checks the settings once, at init: every problem in one error. */
export function readApplySettings(env: Environment): ApplyFunctionSettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (value === '') problems.push(`${name} is not set`);
    return value;
  };

  const proposalsTableName = required('PROPOSALS_TABLE_NAME');
  const topicArn = required('TOPIC_ARN');
  if (topicArn !== '' && !SNS_TOPIC_ARN.test(topicArn)) {
    problems.push(`TOPIC_ARN is not an SNS topic ARN: '${topicArn}'`);
  }
  const eventBusName = env['EVENT_BUS_NAME']?.trim() || 'default';

  const protectedRoleArns = list(env['PROTECTED_ROLE_ARNS']);
  for (const arn of protectedRoleArns) {
    if (!ROLE_ARN.test(arn)) problems.push(`PROTECTED_ROLE_ARNS holds '${arn}', not a role ARN`);
  }

  const typesRaw = env['ALLOWED_TARGET_TYPES'];
  const allowedTargetTypes: WritableTargetType[] = [];
  for (const type of typesRaw === undefined || typesRaw.trim() === '' ? TARGET_TYPES : list(typesRaw)) {
    const known = TARGET_TYPES.find((candidate) => candidate === type);
    if (known === undefined) {
      problems.push(`ALLOWED_TARGET_TYPES holds '${type}': use group, user and/or role`);
    } else if (!allowedTargetTypes.includes(known)) {
      allowedTargetTypes.push(known);
    }
  }

  let verifyTimeoutMs = DEFAULT_VERIFY_TIMEOUT_MS;
  const timeoutRaw = env['VERIFY_TIMEOUT_SECONDS']?.trim();
  if (timeoutRaw !== undefined && timeoutRaw !== '') {
    const seconds = Number(timeoutRaw);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_VERIFY_TIMEOUT_SECONDS) {
      problems.push(
        `VERIFY_TIMEOUT_SECONDS must be a whole number of seconds from 1 to ${MAX_VERIFY_TIMEOUT_SECONDS}, got '${timeoutRaw}'`,
      );
    } else {
      verifyTimeoutMs = seconds * 1000;
    }
  }

  const accountId = env['ACCOUNT_ID']?.trim() || null;
  if (accountId !== null && !/^\d{12}$/.test(accountId)) {
    problems.push(`ACCOUNT_ID must be 12 digits, got '${accountId}'`);
  }
  const reviewBaseUrl = env['REVIEW_BASE_URL']?.trim() || null;
  if (reviewBaseUrl !== null && !isHttpsUrl(reviewBaseUrl)) {
    problems.push(`REVIEW_BASE_URL must be an https URL, got '${reviewBaseUrl}'`);
  }

  const decisionSigningKeyId = requireKmsKeyId(
    env,
    DECISION_SIGNING_KEY_ID,
    problems,
    'every approval is verified with it before IAM is written',
  );

  if (problems.length > 0) {
    throw new InvalidInputError(
      `apply function environment is invalid: ${problems.join('; ')}`,
      'environment',
    );
  }
  return {
    proposalsTableName,
    topicArn,
    eventBusName,
    protectedRoleArns,
    allowedTargetTypes,
    verifyTimeoutMs,
    accountId,
    reviewBaseUrl,
    decisionSigningKeyId,
    serviceName: env['POWERTOOLS_SERVICE_NAME']?.trim() || 'passrole-doctor',
    metricsNamespace: env['POWERTOOLS_METRICS_NAMESPACE']?.trim() || 'PassRoleDoctor',
  };
}
