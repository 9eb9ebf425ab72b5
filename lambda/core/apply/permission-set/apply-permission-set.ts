/**
 * The apply of an approved permission-set proposal: the same life as an IAM target's (apply-proposal.ts:
 * gate, signed decision, lease, ledger, resumable steps, one outcome message), acting on Identity
 * Center instead of IAM. The denial's account is only read (its member read role): the change reaches
 * it by provisioning, never by an IAM write there.
 *
 *   approved: write-and-provision.ts (re-read, checks, write, provision, poll) -> applied
 *   applied:  verify.ts (read back, re-simulate) -> verified | not-verified, else rollback.ts -> failed
 *
 * The run's time (the apply function's) bounds every wait: a provisioning still IN_PROGRESS when it
 * is up leaves its request id on the record and the lease given back; the reconciler asks again and
 * the next run polls the same request.
 */
import type { DecisionEnvelope } from '../../approval/signed-decision';
import { isFinalStatus, type IncidentRecord } from '../../incident';
import { MAX_APPLY_ATTEMPTS, type ApplyDependencies, type ApplyResult } from '../apply-step';
import { portsForVerification, sourceIdentityOf } from '../account-ports';
import { fail, refuse } from '../settle';
import { checkSignedRecord, verifyDecisionForWrite } from '../verify-decision';
import { checkPermissionSetApplicable, type PermissionSetPlan } from './gate';
import { inPlace, type PermissionSetRun } from './run';
import { verifyPermissionSet } from './verify';
import { writeAndProvision } from './write-and-provision';

/** Why a permission set is not applied by a function without Identity Center access. */
export const IDENTITY_CENTER_NOT_CONFIGURED =
  'the apply function has no Identity Center access configured (IDENTITY_CENTER_REGION): permission sets are advised on, not applied';

/** When the `applied` entry was written (the set provisioned). */
function appliedAtOf(record: IncidentRecord): Date | null {
  const entry = [...record.history].reverse().find((event) => event.status === 'applied');
  return entry === undefined ? null : new Date(entry.at);
}

export async function applyPermissionSet(
  loaded: IncidentRecord,
  deps: ApplyDependencies,
): Promise<ApplyResult> {
  if (isFinalStatus(loaded.status) || (loaded.status !== 'approved' && loaded.status !== 'applied')) {
    return { kind: 'not-approved', status: loaded.status };
  }
  const status = loaded.status;
  const progress = loaded.applyProgress ?? null;
  const gate = checkPermissionSetApplicable(loaded, deps.settings);
  const ic = deps.identityCenter;
  // Nothing written yet: a refusal. Written (the settings changed since): a failure saying what is in place.
  const stop = (reason: string, plan: PermissionSetPlan | null): Promise<ApplyResult> =>
    status === 'approved' && progress === null
      ? refuse(loaded, reason, deps)
      : fail(
          loaded,
          status,
          plan === null ? reason : `${reason}; ${inPlace(progress, plan)}`,
          true,
          deps,
          {},
        );
  if (!gate.ok) return stop(gate.reason, null);
  const plan = gate.plan;
  if (ic === undefined) return stop(IDENTITY_CENTER_NOT_CONFIGURED, plan);

  // The signature first (no call to Identity Center or the account before it verifies).
  let decision: DecisionEnvelope | null = null;
  if (status === 'approved') {
    const signed = await checkSignedRecord(deps.decisionVerifier, loaded);
    if (!signed.ok)
      return stop(
        signed.unsigned ? signed.problem : `the signed decision does not hold: ${signed.problem}`,
        plan,
      );
  }
  const ports = await portsForVerification(deps, plan.accountId);
  if (!ports.ok) return stop(ports.reason, plan);
  const acting = ports.deps;
  if (status === 'approved') {
    const verified = await verifyDecisionForWrite(acting, loaded, plan, deps.clock());
    if (!verified.ok) return stop(`the signed decision does not hold: ${verified.problem}`, plan);
    decision = verified.envelope;
  }

  // Whose writes these are: the decision's approver (a rollback of an `applied` record reads it from
  // the record's decision; a record whose decision no longer verifies is named by its id instead).
  let approver = decision === null ? null : sourceIdentityOf(decision);
  if (approver === null) {
    const signed = await checkSignedRecord(deps.decisionVerifier, loaded);
    approver = signed.ok ? sourceIdentityOf(signed.envelope) : loaded.id;
  }
  // A failed read of the administration (Organizations) propagates: the run is retried.
  const icPorts = {
    reader: ic.reader,
    writer: ic.writer(approver),
    administration: await ic.administration(),
  };

  const now = deps.clock();
  const leaseUntil = new Date(now.getTime() + deps.settings.leaseMs);
  const claim = await deps.store.claimApply(loaded.id, now, leaseUntil);
  if (claim.kind !== 'claimed') return { kind: 'busy' };
  const run: PermissionSetRun = {
    record: loaded,
    plan,
    deps: acting,
    ic: icPorts,
    leaseUntil,
    deadline: now.getTime() + deps.settings.verifyTimeoutMs,
  };
  try {
    if (claim.attempt > MAX_APPLY_ATTEMPTS) {
      return await fail(
        loaded,
        status,
        `gave up after ${MAX_APPLY_ATTEMPTS} attempts that did not finish (see the apply function's logs); ${inPlace(progress, plan)}`,
        progress !== null,
        deps,
        {},
      );
    }
    return decision !== null
      ? await writeAndProvision(run, decision)
      : await verifyPermissionSet(run, appliedAtOf(loaded) ?? deps.clock());
  } catch (error) {
    await deps.store.releaseApply(loaded.id, leaseUntil).catch(() => undefined);
    throw error;
  }
}
