/**
 * One run of a permission set's apply: the record, its plan, the ports it acts through, the lease it
 * holds and until when it may wait. The helpers every step shares: storing progress under the lease,
 * reading the set again, the words for what is in place, and giving the lease back when provisioning
 * outlasts the run.
 */
import { RetryRecordError } from '../../errors';
import type { PermissionSetDefinition } from '../../identity-center/model';
import type { IncidentRecord } from '../../incident';
import type { ApplyDependencies, ApplyResult } from '../apply-step';
import { messageOf } from '../verification';
import type { PermissionSetPlan } from './gate';
import type { IdentityCenterPorts } from './identity-center-apply';
import type { PermissionSetApplyProgress } from './progress';

export interface PermissionSetRun {
  record: IncidentRecord;
  plan: PermissionSetPlan;
  /** The ports of the denial's account (its read access) and the function's own. */
  deps: ApplyDependencies;
  ic: IdentityCenterPorts;
  /** The lease this run claimed: every progress write is conditional on it. */
  leaseUntil: Date;
  /** Epoch ms: provisioning waits and re-simulations end by then (the function's time). */
  deadline: number;
}

/** Stores the progress under this run's lease; false: the lease or the status is no longer ours. */
export async function saveProgress(
  run: PermissionSetRun,
  progress: PermissionSetApplyProgress,
): Promise<boolean> {
  const saved = await run.deps.store.saveApplyProgress(run.record.id, progress, run.leaseUntil);
  if (saved) run.record = { ...run.record, applyProgress: progress };
  return saved;
}

/** Another invocation took the lease over (this one outlived it): it carries on, this one stops. */
export const LEASE_LOST: ApplyResult = { kind: 'busy' };

export type DefinitionRead =
  { ok: true; definition: PermissionSetDefinition } | { ok: false; reason: string };

/** The set as Identity Center holds it now; a transient failure propagates (the run is retried). */
export async function readDefinition(run: PermissionSetRun): Promise<DefinitionRead> {
  try {
    return { ok: true, definition: await run.ic.reader.definition(run.plan.ref) };
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    return {
      ok: false,
      reason: `could not read permission set ${run.plan.ref.name} again: ${messageOf(error)}`,
    };
  }
}

/** Provisioning outlasted the run: the lease goes back so the next run need not wait for it. */
export async function stillProvisioning(run: PermissionSetRun, requestId: string): Promise<ApplyResult> {
  await run.deps.store.releaseApply(run.record.id, run.leaseUntil).catch(() => undefined);
  return { kind: 'provisioning', requestId, record: run.record };
}

/** What is in place after the steps `progress` records, for a failure's reason. */
export function inPlace(
  progress: PermissionSetApplyProgress | null | undefined,
  plan: PermissionSetPlan,
): string {
  const set = `permission set ${plan.ref.name}`;
  const account = `account ${plan.accountId}`;
  if (progress === null || progress === undefined) return 'nothing was written to Identity Center';
  const rollback = progress.rollback;
  if (rollback !== null) {
    if (!rollback.restored)
      return `a rollback began: the inline policy of ${set} may still hold the statement`;
    return rollback.provisionRequestId === null
      ? `the previous inline policy of ${set} is restored, not yet provisioned to ${account}`
      : `the previous inline policy of ${set} is restored and its provisioning to ${account} was requested (${rollback.provisionRequestId})`;
  }
  if (progress.provisionRequestId !== null) {
    return `the statement is in the inline policy of ${set} and its provisioning to ${account} was requested (${progress.provisionRequestId})`;
  }
  return `the statement may be in the inline policy of ${set} (its write was under way); nothing was provisioned`;
}
