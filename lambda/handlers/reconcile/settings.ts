import type { ReconcileSettings } from '../../core/apply/reconcile';
import { POWERTOOLS_ENV_OR_DEFAULTS } from '../../settings/common';
import { readEnvironment, throwOnProblems, type Environment } from '../../settings/env';
import { RECONCILE_ENV } from '../../settings/reconcile';

/** What the reconciler function reads from its environment (lambda/settings/reconcile.ts). */
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

/** Reads and checks the settings once, at init: every problem in one error. */
export function readReconcileSettings(env: Environment): ReconcileFunctionSettings {
  const problems: string[] = [];
  const { graceSeconds, announceWithinHours, limitPerStatus, ...read } = readEnvironment(
    RECONCILE_ENV,
    env,
    problems,
  );
  const powertools = readEnvironment(POWERTOOLS_ENV_OR_DEFAULTS, env, problems);
  throwOnProblems('reconciler', problems);
  return {
    ...read,
    ...powertools,
    reconcile: {
      graceMs: graceSeconds * 1000,
      announceWithinMs: announceWithinHours * 3_600_000,
      limitPerStatus,
    },
  };
}
