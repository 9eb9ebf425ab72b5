/**
 * An `applied` permission set's verification in the denial's account, through that account's read
 * access: the reserved role's inline policies read back (one must be the merged policy: provisioning
 * put it there), then iam:PassRole re-simulated for the reserved role with the proposal's context,
 * with backoff while IAM propagates (verification.ts). Allowed and read back: `verified` (or
 * `not-verified` when a deny the simulation cannot see remains, as for IAM targets). Anything else:
 * the change is rolled back (rollback.ts) and the record ends `failed`.
 */
import { RetryRecordError } from '../../errors';
import { canonicalJson } from '../../incident';
import type { PolicyDocument } from '../../model';
import { announceOutcome, messageOutcomeOf } from '../announce-outcome';
import { APPLY_ACTOR, type ApplyResult } from '../apply-step';
import type { ApplyOutcome } from '../outcome';
import { decidedElsewhere, fail } from '../settle';
import { messageOf, verifyApplied } from '../verification';
import type { PermissionSetApplyProgress } from './progress';
import { startRollback } from './rollback';
import type { PermissionSetRun } from './run';

interface ReadBack {
  matches: boolean;
  /** Why it does not match, for the blockers. */
  problem: string | null;
}

/** Whether the reserved role in the denial's account holds the merged inline policy. */
async function readBack(run: PermissionSetRun, progress: PermissionSetApplyProgress): Promise<ReadBack> {
  const { plan, deps } = run;
  const role = plan.policySourceArn;
  if (deps.accountReader === undefined) {
    return {
      matches: false,
      problem: `the policies of ${role} could not be read back: no reader of account ${plan.accountId}`,
    };
  }
  let merged: PolicyDocument;
  try {
    merged = JSON.parse(progress.mergedInlinePolicy) as PolicyDocument;
  } catch {
    return { matches: false, problem: 'the merged inline policy on the record is not JSON' };
  }
  try {
    const scope = await deps.accountReader.loadScope(role, plan.roleArn);
    const principal = scope.principal;
    if (principal === null)
      return { matches: false, problem: `${role} does not exist in account ${plan.accountId}` };
    const expected = canonicalJson(merged);
    const holds = principal.inlinePolicies.some((policy) => canonicalJson(policy.document) === expected);
    return holds
      ? { matches: true, problem: null }
      : {
          matches: false,
          problem: `${role} does not hold the set's merged inline policy after provisioning`,
        };
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    return { matches: false, problem: `the policies of ${role} could not be read back: ${messageOf(error)}` };
  }
}

export async function verifyPermissionSet(run: PermissionSetRun, appliedAt: Date): Promise<ApplyResult> {
  const { plan, deps, record } = run;
  const progress = record.applyProgress ?? null;
  if (progress === null) {
    return fail(
      record,
      'applied',
      `the record holds no progress of the apply of permission set ${plan.ref.name}: what was written is unknown, so nothing is verified or rolled back`,
      true,
      deps,
      { appliedAt },
    );
  }
  if (progress.rollback !== null) return startRollback(run, progress);
  const found = await readBack(run, progress);
  const verifyTimeoutMs = Math.max(0, run.deadline - deps.clock().getTime());
  const verification = await verifyApplied(plan, record, {
    ...deps,
    settings: { ...deps.settings, verifyTimeoutMs },
  });
  const blockers = [...(found.problem === null ? [] : [found.problem]), ...verification.blockers];
  if (!found.matches || verification.decision !== 'allowed') {
    const simulations = `${verification.attempts} simulation${verification.attempts === 1 ? '' : 's'}`;
    return startRollback(run, progress, {
      cause: 'not-verified',
      reason: `not verified in account ${plan.accountId} after ${simulations}: ${blockers.join('; ') || 'still not allowed'}`,
      verification: {
        decision: verification.decision,
        blockers,
        attempts: verification.attempts,
        readBackMatches: found.matches,
      },
    });
  }
  // A deny the simulation cannot see still stands after an allow: not verified, the change kept.
  const unverifiable = record.proposal?.unverifiable ?? [];
  const allowed = unverifiable.length === 0;
  const finishedAt = deps.clock();
  const outcome: ApplyOutcome = {
    kind: allowed ? 'verified' : 'not-verified',
    reason: null,
    readBackMatches: true,
    verification: 'allowed',
    blockers: unverifiable,
    attempts: verification.attempts,
    appliedAt: appliedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
  const ended = await deps.store.transition(record.id, {
    from: 'applied',
    to: allowed ? 'verified' : 'not-verified',
    actor: APPLY_ACTOR,
    at: finishedAt,
    detail: allowed
      ? `allowed in account ${plan.accountId} after ${verification.attempts} simulation${verification.attempts === 1 ? '' : 's'}`
      : `allowed by the simulation, which cannot see: ${unverifiable.join('; ')}`,
    outcome,
  });
  if (ended.kind !== 'moved') return decidedElsewhere(ended);
  const publishFailures = await announceOutcome(ended.record, messageOutcomeOf(outcome), outcome, deps);
  const reported = { record: ended.record, recorded: true, publishFailures };
  return allowed
    ? { kind: 'applied-verified', outcome, ...reported }
    : { kind: 'applied-not-verified', outcome, blockers: unverifiable, ...reported };
}
