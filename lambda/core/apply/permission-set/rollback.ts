/**
 * Undoing a permission set's change after its provisioning failed or its verification did: the
 * previous inline policy put back (only where the set still holds exactly the merged text: anything
 * else is someone else's edit, left as it is), then provisioned to the same one account again, each
 * step stored so a later run resumes it. The record then ends `failed`, its reason saying what failed
 * and what is in place. A set that had no inline policy cannot be restored by a role that may not
 * delete one (no DeleteInlinePolicyFromPermissionSet): that is said, with what to do.
 */
import { PassRoleDoctorError, RetryRecordError } from '../../errors';
import type { ApplyResult } from '../apply-step';
import { fail } from '../settle';
import { messageOf } from '../verification';
import type { FailedVerification, PermissionSetApplyProgress, RollbackProgress } from './progress';
import { awaitProvisioning, requestProvisioning } from './provisioning';
import { LEASE_LOST, readDefinition, saveProgress, stillProvisioning, type PermissionSetRun } from './run';

export interface RollbackCause {
  cause: RollbackProgress['cause'];
  reason: string;
  verification?: FailedVerification;
}

/** Starts the rollback for `failure` (stored first), or resumes the one `progress` holds. */
export async function startRollback(
  run: PermissionSetRun,
  progress: PermissionSetApplyProgress,
  failure?: RollbackCause,
): Promise<ApplyResult> {
  if (failure !== undefined) {
    const rollback: RollbackProgress = {
      cause: failure.cause,
      reason: failure.reason,
      restored: false,
      provisionRequestId: null,
      verification: failure.verification ?? null,
    };
    progress = { ...progress, rollback };
    if (!(await saveProgress(run, progress))) return LEASE_LOST;
  }
  return resumeRollback(run, progress);
}

async function resumeRollback(
  run: PermissionSetRun,
  progress: PermissionSetApplyProgress,
): Promise<ApplyResult> {
  const { plan, ic, deps } = run;
  const set = `permission set ${plan.ref.name}`;
  const account = `account ${plan.accountId}`;
  let rollback = progress.rollback;
  if (rollback === null) throw new PassRoleDoctorError('resumeRollback needs a rollback in progress');
  if (progress.previousInlinePolicy === null) {
    return settle(
      run,
      rollback,
      `not rolled back: ${set} had no inline policy before, and the apply role may not delete one, so the statement stays on the set; remove it in Identity Center and provision the set to ${account}`,
    );
  }
  if (!rollback.restored) {
    const read = await readDefinition(run);
    if (!read.ok) return settle(run, rollback, `not rolled back: ${read.reason}`);
    const now = read.definition.inlinePolicy;
    if (now === progress.mergedInlinePolicy) {
      try {
        await ic.writer.putInlinePolicy(plan.ref, progress.previousInlinePolicy);
      } catch (error) {
        if (error instanceof RetryRecordError) throw error;
        return settle(
          run,
          rollback,
          `not rolled back: could not restore the inline policy of ${set}: ${messageOf(error)}`,
        );
      }
    } else if (now !== progress.previousInlinePolicy) {
      return settle(
        run,
        rollback,
        `not rolled back: the inline policy of ${set} changed since this apply wrote it, and is left as it is`,
      );
    }
    rollback = { ...rollback, restored: true };
    progress = { ...progress, rollback };
    if (!(await saveProgress(run, progress))) return LEASE_LOST;
  }
  let requestId = rollback.provisionRequestId;
  if (requestId === null) {
    const request = await requestProvisioning(ic.writer, plan.ref, plan.accountId);
    if (!request.ok) {
      return settle(
        run,
        rollback,
        `the previous inline policy of ${set} is restored, but ${request.reason}: ${account} may still hold the statement`,
      );
    }
    requestId = request.status.requestId;
    rollback = { ...rollback, provisionRequestId: requestId };
    if (!(await saveProgress(run, { ...progress, rollback }))) return LEASE_LOST;
  }
  const status = await awaitProvisioning(plan.ref, requestId, {
    reader: ic.reader,
    clock: deps.clock,
    sleep: deps.sleep,
    deadline: run.deadline,
  });
  if (status.state === 'IN_PROGRESS') return stillProvisioning(run, requestId);
  if (status.state === 'FAILED') {
    return settle(
      run,
      rollback,
      `the previous inline policy of ${set} is restored, but provisioning it to ${account} again failed (request ${requestId}): ${status.failureReason ?? 'no reason given'}; the account may still hold the statement`,
    );
  }
  return settle(
    run,
    rollback,
    `rolled back: the previous inline policy of ${set} is restored and provisioned to ${account} again (request ${requestId})`,
  );
}

/** The record's end after a rollback: `failed`, saying what failed and what is in place. */
function settle(run: PermissionSetRun, rollback: RollbackProgress, inPlace: string): Promise<ApplyResult> {
  const from = run.record.status === 'applied' ? 'applied' : 'approved';
  const verification = rollback.verification;
  const appliedAt = [...run.record.history].reverse().find((event) => event.status === 'applied')?.at;
  return fail(run.record, from, `${rollback.reason}; ${inPlace}`, true, run.deps, {
    ...(appliedAt === undefined ? {} : { appliedAt: new Date(appliedAt) }),
    ...(verification === null
      ? {}
      : {
          readBackMatches: verification.readBackMatches,
          attempts: verification.attempts,
          verification: verification.decision,
          blockers: verification.blockers,
        }),
  });
}
