/**
 * The reconciler: finds approved proposals whose apply did not finish and asks for another run. An
 * apply can die where nothing retries it: the approval function crashed between approving and asking
 * for the apply, an apply invocation timed out or ran out of memory while it held the lease (Lambda's
 * retries come within three minutes and find the lease still held), or all three attempts failed.
 * Every apply run resumes where the last one stopped (apply-proposal.ts), and gives up after
 * MAX_APPLY_ATTEMPTS, so asking again is always safe and never endless.
 *
 * Due, once `graceMs` has passed since the record's last move (a live apply is left alone):
 *   - `approved` or `applied` with no live apply lease: the apply never started, or it died;
 *   - a decided record the apply function decided (it has an outcome) whose outcome message or
 *     event has not gone out, decided within `announceWithinMs` (an old one is not worth a message).
 *
 * The table is not trusted: an `approved` record is asked for only when its decision verifies with
 * the reconciler's own key and was signed for it (verify-decision.ts checkSignedRecord). A forged or
 * unsigned one is reported instead (planReconcile), never handed to the apply function.
 */
import type { IncidentRecord, IncidentStatus } from '../incident';
import type { ApprovalStore } from '../../ports/approval-store';
import type { DecisionVerifier } from '../../ports/decision-signer';
import { checkSignedRecord } from './verify-decision';

export interface ReconcileSettings {
  /** How long after its last move a record is left to the apply already under way. */
  graceMs: number;
  /** Decided records whose outcome did not go out are announced within this window only. */
  announceWithinMs: number;
  /** How many records of each status are read (newest first) per run. */
  limitPerStatus: number;
}

export type StalledReason = 'apply-not-started' | 'apply-died' | 'outcome-not-sent';

export interface StalledApply {
  proposalId: string;
  status: IncidentStatus;
  reason: StalledReason;
}

/** The statuses the apply function decides (a rejection is the reviewer's, and has no outcome). */
const APPLY_DECIDED: readonly IncidentStatus[] = ['verified', 'not-verified', 'failed'];

/** The statuses a run reads, in the order it reads them. */
export const RECONCILED_STATUSES: readonly IncidentStatus[] = ['approved', 'applied', ...APPLY_DECIDED];

/** When the record last moved: its last history entry, else its creation. */
function lastMoveAt(record: IncidentRecord): number {
  const last = record.history.at(-1);
  return Date.parse(last?.at ?? record.createdAt);
}

/** Why `record` needs another apply run at `now`, or null when it does not. */
export function stalledReason(
  record: IncidentRecord,
  now: Date,
  settings: ReconcileSettings,
): StalledReason | null {
  const sinceMove = now.getTime() - lastMoveAt(record);
  if (sinceMove < settings.graceMs) return null;
  if (record.status === 'approved' || record.status === 'applied') {
    const leaseLive = record.applyLeaseUntil !== null && Date.parse(record.applyLeaseUntil) >= now.getTime();
    if (leaseLive) return null;
    return record.applyAttempts === 0 ? 'apply-not-started' : 'apply-died';
  }
  const decidedByApply = APPLY_DECIDED.includes(record.status) && record.outcome !== null;
  const unannounced = record.resultMessageAt === null || record.resultEventAt === null;
  if (decidedByApply && unannounced && sinceMove <= settings.announceWithinMs) return 'outcome-not-sent';
  return null;
}

interface Stalled {
  apply: StalledApply;
  record: IncidentRecord;
}

/** The stalled records, oldest move first. */
async function stalledRecords(
  store: ApprovalStore,
  now: Date,
  settings: ReconcileSettings,
): Promise<Stalled[]> {
  const stalled: Stalled[] = [];
  for (const status of RECONCILED_STATUSES) {
    for (const record of await store.listByStatus(status, settings.limitPerStatus)) {
      const reason = stalledReason(record, now, settings);
      if (reason !== null)
        stalled.push({ apply: { proposalId: record.id, status: record.status, reason }, record });
    }
  }
  return stalled.sort((left, right) => lastMoveAt(left.record) - lastMoveAt(right.record));
}

/** The proposals that need another apply run, oldest move first. */
export async function findStalledApplies(
  store: ApprovalStore,
  now: Date,
  settings: ReconcileSettings,
): Promise<StalledApply[]> {
  return (await stalledRecords(store, now, settings)).map((entry) => entry.apply);
}

/** An approved record the apply function is not asked to apply: its decision does not verify. */
export interface UnverifiedApproval {
  proposalId: string;
  /** What failed: no decision, the signature, or a decision signed for something else. */
  problem: string;
  /** No decision at all: approved before decisions were signed (it needs re-approval), or forged. */
  unsigned: boolean;
}

export interface ReconcilePlan {
  /** To ask the apply function for, oldest move first. */
  stalled: StalledApply[];
  /** Approved records whose decision does not verify: reported, never asked for. */
  unverified: UnverifiedApproval[];
}

/**
 * The stalled applies, with every `approved` one's signed decision checked first. An expired
 * decision is still asked for: the apply function refuses it, records it and tells the channel.
 */
export async function planReconcile(
  store: ApprovalStore,
  now: Date,
  settings: ReconcileSettings,
  verifier: DecisionVerifier,
): Promise<ReconcilePlan> {
  const plan: ReconcilePlan = { stalled: [], unverified: [] };
  for (const { apply, record } of await stalledRecords(store, now, settings)) {
    if (record.status === 'approved') {
      const check = await checkSignedRecord(verifier, record);
      if (!check.ok) {
        plan.unverified.push({ proposalId: record.id, problem: check.problem, unsigned: check.unsigned });
        continue;
      }
    }
    plan.stalled.push(apply);
  }
  return plan;
}
