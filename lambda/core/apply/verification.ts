/**
 * The apply step's checks of its own work: the policy read back from IAM compared with the approved
 * document, and iam:PassRole re-simulated, with exponential backoff while IAM propagates the change,
 * until allowed or out of time; when still not allowed, what still blocks.
 */
import { TransientAwsError } from '../errors';
import { canonicalJson, type IncidentRecord } from '../incident';
import { blockersOf } from '../iam/blockers';
import type { AccountScope, Decision, PolicyDocument, SimulationResult } from '../model';
import type { AccountReader } from '../../ports/account-reader';
import type { PolicySimulator } from '../../ports/policy-simulator';
import type { ApplyPlan } from './apply-gate';

export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;
export const DEFAULT_VERIFY_FIRST_DELAY_MS = 1_000;
export const DEFAULT_VERIFY_MAX_DELAY_MS = 16_000;

const PASS_ROLE = 'iam:PassRole';

/** Whether the policy read back from IAM (null: none by that name) is the approved document. */
export function holdsDocument(found: PolicyDocument | null, plan: ApplyPlan): boolean {
  return found !== null && canonicalJson(found) === canonicalJson(plan.document);
}

/** What is re-simulated: `policySourceArn` passing `roleArn` in `accountId`. */
export type VerifiedGrant = Pick<ApplyPlan, 'policySourceArn' | 'roleArn' | 'accountId'>;

export interface VerificationSettings {
  /** How long re-simulation may wait for IAM to propagate the change. */
  verifyTimeoutMs: number;
  /** Backoff between re-simulations: the first wait, doubled each time up to the cap. */
  verifyFirstDelayMs?: number;
  verifyMaxDelayMs?: number;
}

export interface VerificationDependencies {
  simulator: PolicySimulator;
  /** Where an offline simulator reads the principal's policies (re-read on every attempt). */
  accountReader?: AccountReader;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  settings: VerificationSettings;
}

export interface Verification {
  /** The last simulation's decision; null when every simulation failed. */
  decision: Decision | null;
  blockers: string[];
  attempts: number;
}

/**
 * Re-simulates until allowed or until the next wait would pass the timeout, without the document as
 * an additional policy (it must now be in IAM). Transient simulator failures are retried like a denial
 * (IAM may be throttling us); any other failure propagates.
 */
export async function verifyApplied(
  plan: VerifiedGrant,
  record: IncidentRecord,
  deps: VerificationDependencies,
): Promise<Verification> {
  const { settings } = deps;
  const firstDelay = settings.verifyFirstDelayMs ?? DEFAULT_VERIFY_FIRST_DELAY_MS;
  const maxDelay = settings.verifyMaxDelayMs ?? DEFAULT_VERIFY_MAX_DELAY_MS;
  const context = record.proposal?.verificationContext ?? {};
  const started = deps.clock().getTime();
  let delay = firstDelay;
  let attempts = 0;
  let last: SimulationResult | null = null;
  let lastFailure: unknown = null;
  for (;;) {
    attempts++;
    try {
      const result = await deps.simulator.simulate({
        policySourceArn: plan.policySourceArn,
        action: PASS_ROLE,
        resourceArn: plan.roleArn,
        context,
        additionalPolicies: [],
        scope: scopeFor(plan, deps.accountReader),
      });
      if (result.decision === 'allowed') return { decision: 'allowed', blockers: [], attempts };
      last = result;
      lastFailure = null;
    } catch (error) {
      if (!(error instanceof TransientAwsError)) throw error;
      lastFailure = error;
    }
    if (deps.clock().getTime() - started + delay > settings.verifyTimeoutMs) break;
    await deps.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
  if (last === null) {
    return {
      decision: null,
      blockers: [`the simulation kept failing: ${messageOf(lastFailure)}`],
      attempts,
    };
  }
  return { decision: last.decision, blockers: blockersOf(last), attempts };
}

/** IAM's own simulator needs no scope: without a reader it is empty. */
function scopeFor(plan: VerifiedGrant, reader: AccountReader | undefined): Promise<AccountScope> {
  if (reader !== undefined) return reader.loadScope(plan.policySourceArn, plan.roleArn);
  return Promise.resolve({ accountId: plan.accountId, principal: null, passedRole: null, notes: [] });
}

/** An error's message on one line, for a reason or a blocker. */
export function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return (typeof message === 'string' ? message : String(error)).replace(/\s+/g, ' ').trim();
}
