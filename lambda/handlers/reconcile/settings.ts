import type { ReconcileSettings } from '../../core/apply/reconcile';
import { InvalidInputError } from '../../core/errors';
import { DECISION_SIGNING_KEY_ID, requireKmsKeyId } from '../key-settings';

/** What the reconciler function reads from its environment (set by the CDK construct). */
export interface ReconcileFunctionSettings {
  proposalsTableName: string;
  /** The apply function, invoked asynchronously for each stalled proposal: a name or an ARN. */
  applyFunctionName: string;
  reconcile: ReconcileSettings;
  /** The decision signing key: approved records are asked for only when their decision verifies. */
  decisionSigningKeyId: string;
  serviceName: string;
  metricsNamespace: string;
}

/**
 * Longer than the apply function's timeout (4 minutes), so a run still under way is never asked for
 * again; the apply lease would turn such a request away anyway, this just saves the invocation.
 */
export const DEFAULT_GRACE_SECONDS = 300;
export const DEFAULT_ANNOUNCE_WITHIN_HOURS = 24;
export const DEFAULT_LIMIT_PER_STATUS = 100;

/** Under a minute the reconciler would race the approval function's own request for the apply. */
const GRACE_SECONDS = { min: 60, max: 86_400 } as const;
/** Proposals live 72 hours by default; a month covers any TTL anyone sets. */
const ANNOUNCE_WITHIN_HOURS = { min: 1, max: 720 } as const;
/** Bounds one run's reads (five statuses) well within its one-minute timeout. */
const LIMIT_PER_STATUS = { min: 1, max: 1000 } as const;

/** A function name, or its ARN (optionally with a version or alias). */
const FUNCTION_NAME_OR_ARN =
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$/;

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and checks the settings once, at init: every problem in one error. */
export function readReconcileSettings(env: Environment): ReconcileFunctionSettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (value === '') problems.push(`${name} is not set`);
    return value;
  };
  const wholeNumber = (
    name: string,
    fallback: number,
    range: { min: number; max: number },
    unit: string,
  ): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      problems.push(
        `${name} must be a whole number of ${unit} from ${range.min} to ${range.max}, got '${raw}'`,
      );
      return fallback;
    }
    return value;
  };

  const proposalsTableName = required('PROPOSALS_TABLE_NAME');
  const applyFunctionName = required('APPLY_FUNCTION_NAME');
  if (applyFunctionName !== '' && !FUNCTION_NAME_OR_ARN.test(applyFunctionName)) {
    problems.push(`APPLY_FUNCTION_NAME is not a function name or ARN: '${applyFunctionName}'`);
  }
  const graceSeconds = wholeNumber(
    'RECONCILE_GRACE_SECONDS',
    DEFAULT_GRACE_SECONDS,
    GRACE_SECONDS,
    'seconds',
  );
  const announceWithinHours = wholeNumber(
    'ANNOUNCE_WITHIN_HOURS',
    DEFAULT_ANNOUNCE_WITHIN_HOURS,
    ANNOUNCE_WITHIN_HOURS,
    'hours',
  );
  const limitPerStatus = wholeNumber(
    'LIMIT_PER_STATUS',
    DEFAULT_LIMIT_PER_STATUS,
    LIMIT_PER_STATUS,
    'records',
  );
  const decisionSigningKeyId = requireKmsKeyId(
    env,
    DECISION_SIGNING_KEY_ID,
    problems,
    'approved proposals are asked for only when their signed decision verifies with it',
  );

  if (problems.length > 0) {
    throw new InvalidInputError(
      `reconciler function environment is invalid: ${problems.join('; ')}`,
      'environment',
    );
  }
  return {
    proposalsTableName,
    applyFunctionName,
    reconcile: {
      graceMs: graceSeconds * 1000,
      announceWithinMs: announceWithinHours * 3_600_000,
      limitPerStatus,
    },
    decisionSigningKeyId,
    serviceName: env['POWERTOOLS_SERVICE_NAME']?.trim() || 'passrole-doctor',
    metricsNamespace: env['POWERTOOLS_METRICS_NAMESPACE']?.trim() || 'PassRoleDoctor',
  };
}
