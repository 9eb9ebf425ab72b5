/**
 * Where a permission set's apply stands, stored on the record (`IncidentRecord.applyProgress`) as each
 * step lands, so a run that dies or runs out of time (provisioning can outlast an invocation) is
 * resumed by the next one from the step it reached, and a rollback knows what to restore. Pure data
 * and its decoding: the store's item is trusted for its shape only as far as decoding checks it.
 */
import type { Decision } from '../../model';

/** The verification that failed, kept while its rollback runs, for the outcome stored after it. */
export interface FailedVerification {
  decision: Decision | null;
  blockers: string[];
  attempts: number;
  /** The reserved role's inline policy read back in the member account equals the merged one. */
  readBackMatches: boolean;
}

/** Putting the previous inline policy back and provisioning it again. */
export interface RollbackProgress {
  /** What failed: provisioning the change (`approved`), or its verification (`applied`). */
  cause: 'provisioning-failed' | 'not-verified';
  /** The failure, in words, as the outcome will state it. */
  reason: string;
  /** The previous inline policy is back on the set. */
  restored: boolean;
  /** ProvisionPermissionSet's request for the restored set, once made. */
  provisionRequestId: string | null;
  /** `not-verified` only. */
  verification: FailedVerification | null;
}

export interface PermissionSetApplyProgress {
  kind: 'permission-set';
  /** The signed decision this apply runs under. */
  decisionId: string;
  /** The set's inline policy as read before the write (null: it had none): what a rollback restores. */
  previousInlinePolicy: string | null;
  /** What is (to be) written: the previous inline policy with the statement merged in. */
  mergedInlinePolicy: string;
  /** ProvisionPermissionSet's request for the change, once made. */
  provisionRequestId: string | null;
  rollback: RollbackProgress | null;
}

export type ApplyProgress = PermissionSetApplyProgress;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const nullableString = (value: unknown): value is string | null =>
  value === null || typeof value === 'string';

function verificationOf(value: unknown): FailedVerification | null | undefined {
  if (value === null) return null;
  if (!isRecord(value)) return undefined;
  const { decision, blockers, attempts, readBackMatches } = value;
  const decisions: unknown[] = ['allowed', 'explicitDeny', 'implicitDeny', null];
  if (!decisions.includes(decision) || typeof attempts !== 'number' || typeof readBackMatches !== 'boolean')
    return undefined;
  if (!Array.isArray(blockers) || !blockers.every((blocker) => typeof blocker === 'string')) return undefined;
  return { decision: decision as Decision | null, blockers: blockers as string[], attempts, readBackMatches };
}

function rollbackOf(value: unknown): RollbackProgress | null | undefined {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) return undefined;
  const { cause, reason, restored, provisionRequestId } = value;
  if (cause !== 'provisioning-failed' && cause !== 'not-verified') return undefined;
  if (typeof reason !== 'string' || typeof restored !== 'boolean' || !nullableString(provisionRequestId))
    return undefined;
  const verification = verificationOf(value['verification'] ?? null);
  if (verification === undefined) return undefined;
  return { cause, reason, restored, provisionRequestId, verification };
}

/**
 * The progress stored on an item, or null when there is none or it is malformed (the run then acts as
 * if no step had landed, and the ledger and the set's own state keep it from writing twice).
 */
export function decodeApplyProgress(value: unknown): ApplyProgress | null {
  if (!isRecord(value) || value['kind'] !== 'permission-set') return null;
  const { decisionId, previousInlinePolicy, mergedInlinePolicy, provisionRequestId } = value;
  if (typeof decisionId !== 'string' || typeof mergedInlinePolicy !== 'string') return null;
  if (!nullableString(previousInlinePolicy) || !nullableString(provisionRequestId)) return null;
  const rollback = rollbackOf(value['rollback']);
  if (rollback === undefined) return null;
  return {
    kind: 'permission-set',
    decisionId,
    previousInlinePolicy,
    mergedInlinePolicy,
    provisionRequestId,
    rollback,
  };
}
