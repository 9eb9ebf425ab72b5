/** The apply function's environment: lib/constructs/apply-function.ts writes it, its handler reads it. */
import type { WritableTargetType } from '../core/apply/apply-gate';
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../core/apply/apply-proposal';
import { decisionSigningKeyId, httpsUrl, SNS_TOPIC_ARN } from './common';
import { listItems, optionalText, requiredText, textList, textOr, wholeNumber, type EnvSetting } from './env';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const TARGET_TYPES: readonly WritableTargetType[] = ['group', 'user', 'role'];

/**
 * How long the function re-simulates while IAM propagates a new policy. At most 600 s: the window
 * must leave room in Lambda's 15 minutes for the write and the messages.
 */
export const VERIFY_TIMEOUT_SECONDS = wholeNumber('VERIFY_TIMEOUT_SECONDS', {
  fallback: DEFAULT_VERIFY_TIMEOUT_MS / 1000,
  min: 1,
  max: 600,
  unit: 'seconds',
});

/** The function's timeout: the verification window plus room for the write, the read-back, the store and the messages. */
export const APPLY_TIMEOUT_SECONDS = VERIFY_TIMEOUT_SECONDS.fallback + 120;

/** group, user and/or role (each once); all three when absent. */
const allowedTargetTypes: EnvSetting<WritableTargetType[], readonly WritableTargetType[]> = {
  name: 'ALLOWED_TARGET_TYPES',
  write: (types) => types.join(','),
  read(env, problems) {
    const given = listItems(env, this.name);
    const types: WritableTargetType[] = [];
    for (const type of given.length === 0 ? TARGET_TYPES : given) {
      const known = TARGET_TYPES.find((candidate) => candidate === type);
      if (known === undefined) problems.push(`${this.name} holds '${type}': use group, user and/or role`);
      else if (!types.includes(known)) types.push(known);
    }
    return types;
  },
};

/** In the order the handler reads (and names problems). */
export const APPLY_ENV = {
  proposalsTableName: requiredText('PROPOSALS_TABLE_NAME'),
  topicArn: requiredText('TOPIC_ARN', SNS_TOPIC_ARN),
  /** Where the Proposal Applied event goes: a bus name or ARN. */
  eventBusName: textOr('EVENT_BUS_NAME', 'default'),
  /** The stack's own roles: never written, never a principal or a passed role of an applied policy. */
  protectedRoleArns: textList('PROTECTED_ROLE_ARNS', (arn) =>
    ROLE_ARN.test(arn) ? null : `PROTECTED_ROLE_ARNS holds '${arn}', not a role ARN`,
  ),
  allowedTargetTypes,
  verifyTimeoutSeconds: VERIFY_TIMEOUT_SECONDS,
  /** The account the function writes in; else the function's own (from its ARN). */
  accountId: optionalText('ACCOUNT_ID', (value, name) =>
    /^\d{12}$/.test(value) ? null : `${name} must be 12 digits, got '${value}'`,
  ),
  reviewBaseUrl: optionalText('REVIEW_BASE_URL', httpsUrl),
  /** Its public key verifies every approval. */
  decisionSigningKeyId: decisionSigningKeyId('every approval is verified with it before IAM is written'),
} as const;
