/**
 * An approved permission set's write and provisioning, each step stored before the next:
 *
 *  1. The decision id in the ledger (a decision recorded for another proposal is refused).
 *  2. The set read again: refused when its definition hashes otherwise than the signed hash (someone
 *     else's unprovisioned edit would be pushed too), when it lacks the managed tag, when it is
 *     provisioned to the management account while the administration is delegated (which Identity
 *     Center forbids: never tried), or when the merge would not fit or cannot be made.
 *  3. The progress (previous and merged inline policy) stored, then PutInlinePolicyToPermissionSet
 *     (skipped when the statement is already there), the ledger noted.
 *  4. ProvisionPermissionSet to the denial's account only, its request id stored, its status polled;
 *     SUCCEEDED: `approved` -> `applied` and on to verification; FAILED or refused: rollback.
 *
 * A resumed run finds the step it stopped at on the record, and the set's own state tells whether the
 * write landed: the merged text (written), the previous text (not yet), anything else (someone else's
 * edit: failed with what is in place).
 */
import { definitionHash } from '../../identity-center/definition-hash';
import type { PermissionSetDefinition } from '../../identity-center/model';
import { RetryRecordError } from '../../errors';
import type { DecisionEnvelope } from '../../approval/signed-decision';
import {
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_MANAGED_TAG_VALUE,
} from '../../../settings/identity-center';
import { APPLY_ACTOR, DECISION_LEDGER_RETENTION_MS, type ApplyResult } from '../apply-step';
import { decidedElsewhere, fail, refuse } from '../settle';
import { messageOf } from '../verification';
import { mergeIntoInlinePolicy, proposedStatement } from '../../identity-center/merge';
import type { PermissionSetApplyProgress } from './progress';
import { awaitProvisioning, requestProvisioning } from './provisioning';
import { startRollback } from './rollback';
import {
  inPlace,
  LEASE_LOST,
  readDefinition,
  saveProgress,
  stillProvisioning,
  type PermissionSetRun,
} from './run';
import { verifyPermissionSet } from './verify';

const LIMIT_WORDS = {
  'permission-set-inline': 'PutInlinePolicyToPermissionSet takes at most',
  'iam-role-inline': "the provisioned role's inline policy may hold at most",
} as const;

/** Why the set as read now may not be written, or null when it may. */
async function setRefusal(run: PermissionSetRun, current: PermissionSetDefinition): Promise<string | null> {
  const { plan, ic } = run;
  const set = `permission set ${plan.ref.name}`;
  if (current.permissionSetArn !== plan.ref.permissionSetArn) {
    return `Identity Center answered for ${current.permissionSetArn}, not ${plan.ref.permissionSetArn}`;
  }
  if (definitionHash(current) !== plan.definitionHash) {
    return `${set} changed since it was analysed (its definition hashes otherwise): provisioning would push that change too, so nothing is written; the next denial opens a new proposal`;
  }
  if (current.tags[IDENTITY_CENTER_MANAGED_TAG] !== IDENTITY_CENTER_MANAGED_TAG_VALUE) {
    return `${set} does not carry the tag ${IDENTITY_CENTER_MANAGED_TAG}=${IDENTITY_CENTER_MANAGED_TAG_VALUE}: the organization has not allowed it to be changed from here`;
  }
  const admin = ic.administration;
  if (admin.kind === 'delegated') {
    const management = admin.managementAccountId;
    const provisioned =
      plan.accountId === management ? [management] : await ic.reader.provisionedAccounts(plan.ref);
    if (provisioned.includes(management)) {
      return `${set} is provisioned to the management account ${management}, and Identity Center is administered from the delegated administrator ${admin.accountId}, which may not change such a set: change it from the management account`;
    }
  }
  return null;
}

/** The steps from the ledger to the end of provisioning, for an `approved` record. */
export async function writeAndProvision(
  run: PermissionSetRun,
  decision: DecisionEnvelope,
): Promise<ApplyResult> {
  const { deps, plan } = run;
  const ledger = await deps.decisionLedger.record(
    decision.decisionId,
    run.record.id,
    deps.clock(),
    new Date(Date.parse(decision.expiresAt) + DECISION_LEDGER_RETENTION_MS),
  );
  if (ledger.kind === 'taken') {
    return refuse(
      run.record,
      `the signed decision ${decision.decisionId} was already used for proposal ${ledger.proposalId}: a decision is applied once`,
      deps,
    );
  }
  let progress = run.record.applyProgress ?? null;
  const failWith = (reason: string): Promise<ApplyResult> =>
    fail(run.record, 'approved', `${reason}; ${inPlace(progress, plan)}`, progress !== null, deps, {});
  if (progress !== null && progress.decisionId !== decision.decisionId) {
    return failWith(
      `the record's apply progress is for decision ${progress.decisionId}, not ${decision.decisionId}`,
    );
  }
  if (progress?.rollback) return startRollback(run, progress);

  if (progress === null || progress.provisionRequestId === null) {
    const read = await readDefinition(run);
    if (!read.ok) return progress === null ? refuse(run.record, read.reason, deps) : failWith(read.reason);
    const current = read.definition;
    if (progress === null) {
      if (ledger.kind === 'written') {
        return failWith(
          `Identity Center was written under the signed decision ${decision.decisionId} at ${ledger.writtenAt}, and the record holds no progress of it; a decision is applied once, so it needs re-approval`,
        );
      }
      const refusal = await setRefusal(run, current);
      if (refusal !== null) return refuse(run.record, refusal, deps);
      // The proposal's own merge (identity-center/merge.ts): the set hashes as analysed, so this writes
      // exactly the policy the proposal verified.
      const merge = mergeIntoInlinePolicy(current.inlinePolicy, proposedStatement(plan.document));
      if (merge.kind === 'too-large') {
        return refuse(
          run.record,
          `the statement does not fit permission set ${plan.ref.name}: ${LIMIT_WORDS[merge.limit]} ${merge.max.toLocaleString('en-US')} characters, the merged policy has ${merge.size.toLocaleString('en-US')}`,
          deps,
        );
      }
      if (merge.kind === 'unreadable') return refuse(run.record, merge.problem, deps);
      progress = {
        kind: 'permission-set',
        decisionId: decision.decisionId,
        previousInlinePolicy: current.inlinePolicy,
        mergedInlinePolicy: merge.text,
        provisionRequestId: null,
        rollback: null,
      };
      if (!(await saveProgress(run, progress))) return LEASE_LOST;
    }
    const written = await writeOnce(run, progress, current, ledger.kind === 'written');
    if (written !== null) return written;
  }
  return provisionChange(run, progress);
}

/** Puts the merged policy unless the set already holds it; null when it now does. */
async function writeOnce(
  run: PermissionSetRun,
  progress: PermissionSetApplyProgress,
  current: PermissionSetDefinition,
  ledgerWritten: boolean,
): Promise<ApplyResult | null> {
  const { deps, plan, ic } = run;
  const set = `permission set ${plan.ref.name}`;
  const fails = (reason: string, written: boolean) =>
    fail(run.record, 'approved', `${reason}; ${inPlace(progress, plan)}`, written, deps, {});
  const asAnalysed = { ...current, inlinePolicy: progress.previousInlinePolicy };
  if (definitionHash(asAnalysed) !== plan.definitionHash) {
    return fails(`${set} was changed by someone else since this apply began`, true);
  }
  if (current.inlinePolicy === progress.mergedInlinePolicy) {
    if (!ledgerWritten)
      await deps.decisionLedger.markWritten(progress.decisionId, run.record.id, deps.clock());
    return null;
  }
  if (current.inlinePolicy !== progress.previousInlinePolicy) {
    return fails(`the inline policy of ${set} changed since this apply began`, true);
  }
  if (ledgerWritten) {
    return fails(
      `Identity Center was written under the signed decision ${progress.decisionId} and ${set} no longer holds the statement; a decision is applied once, so it needs re-approval`,
      true,
    );
  }
  try {
    await ic.writer.putInlinePolicy(plan.ref, progress.mergedInlinePolicy);
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    return fail(
      run.record,
      'approved',
      `could not write the inline policy of ${set}: ${messageOf(error)}; nothing was provisioned`,
      false,
      deps,
      {},
    );
  }
  await deps.decisionLedger.markWritten(progress.decisionId, run.record.id, deps.clock());
  return null;
}

/** ProvisionPermissionSet once, then its status until it ends or the run's time is up. */
async function provisionChange(
  run: PermissionSetRun,
  progress: PermissionSetApplyProgress,
): Promise<ApplyResult> {
  const { deps, plan, ic } = run;
  let requestId = progress.provisionRequestId;
  if (requestId === null) {
    const request = await requestProvisioning(ic.writer, plan.ref, plan.accountId);
    if (!request.ok)
      return startRollback(run, progress, { cause: 'provisioning-failed', reason: request.reason });
    requestId = request.status.requestId;
    progress = { ...progress, provisionRequestId: requestId };
    if (!(await saveProgress(run, progress))) return LEASE_LOST;
  }
  const status = await awaitProvisioning(plan.ref, requestId, {
    reader: ic.reader,
    clock: deps.clock,
    sleep: deps.sleep,
    deadline: run.deadline,
  });
  if (status.state === 'IN_PROGRESS') return stillProvisioning(run, requestId);
  if (status.state === 'FAILED') {
    const why = status.failureReason ?? 'no reason given';
    return startRollback(run, progress, {
      cause: 'provisioning-failed',
      reason: `provisioning permission set ${plan.ref.name} to account ${plan.accountId} failed (request ${requestId}): ${why}`,
    });
  }
  const appliedAt = deps.clock();
  const applied = await deps.store.transition(run.record.id, {
    from: 'approved',
    to: 'applied',
    actor: APPLY_ACTOR,
    at: appliedAt,
    detail: `the statement is in the inline policy of permission set ${plan.ref.name}, provisioned to account ${plan.accountId} (request ${requestId})`,
  });
  if (applied.kind !== 'moved') return decidedElsewhere(applied);
  run.record = applied.record;
  return verifyPermissionSet(run, appliedAt);
}
