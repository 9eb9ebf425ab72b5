/**
 * Applies one approved proposal: the only step of the product that changes IAM. Pure orchestration
 * over ports, so it runs the same against IAM, moto or an in-memory snapshot. Every run resumes where
 * an earlier one stopped (a crash, a timeout, a failure worth retrying), so Lambda's retries and the
 * reconciler (reconcile.ts) bring every approved proposal to a final status and its outcome message:
 *
 *  1. Load the record. `approved` and `applied` are work to do; a final record whose outcome message or
 *     event has not gone out yet gets them now; anything else is nothing to do.
 *  2. Check it again (apply-gate.ts): document hash, minimal shape, target, principal; and, for
 *     `approved`, its signed decision (verify-decision.ts): the signature with the function's own key,
 *     the envelope against the record, the expiry, R's policies and the target's members re-read and
 *     compared with what was signed. A refusal moves `approved` -> `failed`, by a conditional write,
 *     before any lease is taken: no IAM call is made.
 *  3. Take the apply lease (one writer per proposal however many invocations arrive); the claim counts
 *     the attempt, and past MAX_APPLY_ATTEMPTS the run gives up: `failed`, and the channel is told.
 *  4. `approved`: record the decision id in the ledger (one IAM write per decision id: an id recorded
 *     for another proposal is refused), put the inline policy once, mark the id written, and read it
 *     back (a resumed run reads first and does not write again when IAM already holds the document, nor
 *     ever when the ledger says the decision was written); `approved` -> `applied`.
 *     The target's same-named policy is read first, always: another document there is refused
 *     (`failed`, nothing written).
 *  5. `applied`: re-simulate iam:PassRole with the proposal's verification context (verification.ts),
 *     without the document as an additional policy (it must now be in IAM), with exponential backoff
 *     while IAM propagates; `applied` -> `verified` or `not-verified`, the outcome (outcome.ts) stored
 *     with the transition (settle.ts).
 *  6. Publish the outcome message (the proposal's Chatbot thread) and a `Proposal Applied` event
 *     (proposal-applied-event.ts), and note on the record which went out (announce-outcome.ts).
 *
 * A refusal by IAM of the write or a read-back that differs is an outcome (`failed`). Anything else
 * unexpected propagates after the lease is given back: the record stays where it was, and the next
 * run resumes it. Publishing failures are returned for the caller (who asks for a retry). A record
 * that moved before this run could store its end was decided elsewhere: nothing goes out.
 *
 * This module is the run itself: load, gate, lease, write and read back. apply-step.ts is its interface.
 */
import { TransientAwsError } from '../errors';
import { isFinalStatus, type IncidentRecord } from '../incident';
import type { DecisionEnvelope } from '../approval/signed-decision';
import { checkApplicable, type ApplyPlan } from './apply-gate';
import { applyPermissionSet } from './permission-set/apply-permission-set';
import {
  APPLY_ACTOR,
  DECISION_LEDGER_RETENTION_MS,
  MAX_APPLY_ATTEMPTS,
  type ApplyDependencies,
  type ApplyResult,
} from './apply-step';
import { announceDecided, fail, refuse, reportUnrecorded, verifyAndSettle } from './settle';
import { holdsDocument, messageOf } from './verification';
import { portsForVerification, portsForWrite } from './account-ports';
import { checkSignedRecord, verifyDecisionForWrite, type DecisionVerification } from './verify-decision';

// The step's interface and constants, from where its callers have always imported them.
export { APPLY_ACTOR, DECISION_LEDGER_RETENTION_MS, MAX_APPLY_ATTEMPTS };
export type { ApplyDependencies, ApplyResult, ApplySettings } from './apply-step';
export type { PublishFailure } from './announce-outcome';
export { PROPOSAL_APPLIED_DETAIL_TYPE } from './proposal-applied-event';
export {
  DEFAULT_VERIFY_FIRST_DELAY_MS,
  DEFAULT_VERIFY_MAX_DELAY_MS,
  DEFAULT_VERIFY_TIMEOUT_MS,
} from './verification';

export async function applyProposal(proposalId: string, deps: ApplyDependencies): Promise<ApplyResult> {
  const { store, settings } = deps;
  const loaded = await store.get(proposalId);
  if (loaded === null) return { kind: 'not-approved', status: null };
  if (isFinalStatus(loaded.status)) return announceDecided(loaded, deps);
  if (loaded.status !== 'approved' && loaded.status !== 'applied') {
    return { kind: 'not-approved', status: loaded.status };
  }
  // Identity Center's set, not IAM: its own steps (permission-set/apply-permission-set.ts).
  if (loaded.proposal?.target.type === 'permission-set') return applyPermissionSet(loaded, deps);

  const gate = checkApplicable(loaded, settings);
  if (!gate.ok) {
    if (loaded.status === 'approved') return refuse(loaded, gate.reason, deps);
    // Written already (it passed the gate then): the settings changed since. Decide it, do not verify.
    return fail(
      loaded,
      'applied',
      `no longer passes the apply checks: ${gate.reason}`,
      true,
      deps,
      writtenOf(loaded),
    );
  }

  let decision: DecisionEnvelope | null = null;
  let acting = deps;
  if (loaded.status === 'approved') {
    // The signature first (no IAM call): the account is reached only under a decision signed for it.
    const signed = await checkSignedRecord(deps.decisionVerifier, loaded);
    if (!signed.ok) return refuse(loaded, refusalOf(signed), deps);
    const ports = await portsForWrite(deps, gate.plan.accountId, signed.envelope);
    if (!ports.ok) return refuse(loaded, ports.reason, deps);
    acting = ports.deps;
    const verified = await verifyDecisionForWrite(acting, loaded, gate.plan, deps.clock());
    if (!verified.ok) return refuse(loaded, refusalOf(verified), deps);
    decision = verified.envelope;
  } else {
    const ports = await portsForVerification(deps, gate.plan.accountId);
    if (!ports.ok) {
      const reason = `could not verify the written policy: ${ports.reason}`;
      return fail(loaded, 'applied', reason, true, deps, writtenOf(loaded));
    }
    acting = ports.deps;
  }

  const now = deps.clock();
  const leaseUntil = new Date(now.getTime() + settings.leaseMs);
  const claim = await store.claimApply(proposalId, now, leaseUntil);
  if (claim.kind !== 'claimed') return { kind: 'busy' };
  try {
    if (claim.attempt > MAX_APPLY_ATTEMPTS) {
      return await fail(
        loaded,
        loaded.status,
        `gave up after ${MAX_APPLY_ATTEMPTS} attempts that did not finish (see the apply function's logs)`,
        loaded.status === 'applied',
        deps,
        loaded.status === 'applied' ? writtenOf(loaded) : {},
      );
    }
    return decision !== null
      ? await writeAndVerify(loaded, gate.plan, acting, claim.attempt > 1, decision)
      : await verifyAndSettle(loaded, gate.plan, acting, appliedAtOf(loaded) ?? deps.clock());
  } catch (error) {
    // The next run resumes from the record as it stands: it need not wait for this lease to expire.
    await store.releaseApply(proposalId, leaseUntil).catch(() => undefined);
    throw error;
  }
}

function refusalOf(failed: Extract<DecisionVerification, { ok: false }>): string {
  return failed.unsigned ? failed.problem : `the signed decision does not hold: ${failed.problem}`;
}

/** What an `applied` record says of its write, for a failure decided after it. */
function writtenOf(record: IncidentRecord): { readBackMatches: boolean; appliedAt?: Date } {
  const appliedAt = appliedAtOf(record);
  return appliedAt === null ? { readBackMatches: true } : { readBackMatches: true, appliedAt };
}

/** When the policy was written: the `applied` entry of the history. */
function appliedAtOf(record: IncidentRecord): Date | null {
  const entry = [...record.history].reverse().find((event) => event.status === 'applied');
  return entry === undefined ? null : new Date(entry.at);
}

// ---------------------------------------------------------------- write, read back

async function writeAndVerify(
  record: IncidentRecord,
  plan: ApplyPlan,
  deps: ApplyDependencies,
  resuming: boolean,
  decision: DecisionEnvelope,
): Promise<ApplyResult> {
  const { writer, store, decisionLedger } = deps;
  const ledger = await decisionLedger.record(
    decision.decisionId,
    record.id,
    deps.clock(),
    new Date(Date.parse(decision.expiresAt) + DECISION_LEDGER_RETENTION_MS),
  );
  if (ledger.kind === 'taken') {
    return refuse(
      record,
      `the signed decision ${decision.decisionId} was already used for proposal ${ledger.proposalId}: a decision is applied once`,
      deps,
    );
  }
  let noted = ledger.kind === 'written';
  // Read first, always: a resumed run may find its predecessor's write (IAM is written once), and a
  // same-named policy holding another document is someone else's, which a put would silently replace.
  let readBack = await writer.getInlinePolicy(plan.target, plan.policyName);
  if (readBack !== null && !holdsDocument(readBack, plan)) {
    const by = resuming ? ' (it changed since an earlier attempt)' : '';
    return refuse(
      record,
      `a different policy named ${plan.policyName} is already on ${plan.target.type} ${plan.target.name}${by}: it would be replaced`,
      deps,
    );
  }
  if (!holdsDocument(readBack, plan)) {
    if (ledger.kind === 'written') {
      return fail(
        record,
        'approved',
        `IAM was written under the signed decision ${decision.decisionId} at ${ledger.writtenAt} and no longer holds the document; a decision is applied once, so it needs re-approval`,
        true,
        deps,
        {},
      );
    }
    try {
      await writer.putInlinePolicy(plan.target, plan.policyName, plan.document);
    } catch (error) {
      // IAM's own refusal (a malformed document, a quota, access denied) will not change on a retry.
      if (error instanceof TransientAwsError) throw error;
      return fail(record, 'approved', `could not write the policy: ${messageOf(error)}`, false, deps, {});
    }
    await decisionLedger.markWritten(decision.decisionId, record.id, deps.clock());
    noted = true;
    readBack = await writer.getInlinePolicy(plan.target, plan.policyName);
  }
  // Found written by a run whose note did not get stored: noted now (the first note stands).
  if (!noted && holdsDocument(readBack, plan)) {
    await decisionLedger.markWritten(decision.decisionId, record.id, deps.clock());
  }
  const appliedAt = deps.clock();
  if (!holdsDocument(readBack, plan)) {
    const found = readBack === null ? 'no such policy' : 'a different document';
    return fail(
      record,
      'approved',
      `IAM holds ${found} under ${plan.policyName} on ${plan.target.type} ${plan.target.name} after the write`,
      true,
      deps,
      { appliedAt },
    );
  }
  const applied = await store.transition(record.id, {
    from: 'approved',
    to: 'applied',
    actor: APPLY_ACTOR,
    at: appliedAt,
    detail: `${plan.policyName} written on ${plan.target.type} ${plan.target.name}; read back equal`,
  });
  if (applied.kind !== 'moved') {
    // The lease makes this unreachable unless the record was changed behind it: say so, move nothing.
    return reportUnrecorded(record, applied, plan, deps, { readBackMatches: true, appliedAt });
  }
  return verifyAndSettle(applied.record, plan, deps, appliedAt);
}
