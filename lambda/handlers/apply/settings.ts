import type { WritableTargetType } from '../../core/apply/apply-gate';
import { APPLY_ENV } from '../../settings/apply';
import { POWERTOOLS_ENV_OR_DEFAULTS } from '../../settings/common';
import { readEnvironment, throwOnProblems, type Environment } from '../../settings/env';
import { readHubAccessSettings, type HubAccessSettings } from '../../settings/hub-access';

/** What the apply function reads from its environment (lambda/settings/apply.ts). */
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
  /** Organization mode (ORGANIZATION_ID set): the member access and per-account policy; else null. */
  organization: HubAccessSettings | null;
  serviceName: string;
  metricsNamespace: string;
}

/** Reads and checks the settings once, at init: every problem in one error. */
export function readApplySettings(env: Environment): ApplyFunctionSettings {
  const problems: string[] = [];
  const { verifyTimeoutSeconds, ...read } = readEnvironment(APPLY_ENV, env, problems);
  const powertools = readEnvironment(POWERTOOLS_ENV_OR_DEFAULTS, env, problems);
  const organization = readHubAccessSettings(env, problems);
  throwOnProblems('apply', problems);
  return { ...read, verifyTimeoutMs: verifyTimeoutSeconds * 1000, organization, ...powertools };
}
