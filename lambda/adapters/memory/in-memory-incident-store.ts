import {
  approvalRefusalOf,
  assertKnownTransition,
  movedRecord,
  transitionRefusal,
  withApproval,
} from '../../core/approval/transition';
import { leaseHeld } from '../../core/lease';
import { isFinalStatus, OPEN_STATUSES, type IncidentRecord, type IncidentStatus } from '../../core/incident';
import type { ApplyProgress } from '../../core/apply/permission-set/progress';
import type {
  ApplyClaim,
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalStore,
  DecisionStore,
  ResultPublished,
  TransitionOutcome,
  TransitionRequest,
} from '../../ports/approval-store';
import type {
  Claim,
  CreateOutcome,
  NotificationClaim,
  Occurrence,
  OccurrenceOutcome,
  OpenIncident,
  IncidentStore,
} from '../../ports/incident-store';

/**
 * The proposal store in memory, with the DynamoDB store's semantics (same conditions, same outcomes):
 * for tests, the CLI and the bench. Records are copied in and out, so callers never share state with it.
 * Each method checks and writes without awaiting in between, so concurrent calls are atomic as
 * DynamoDB's conditional writes are.
 */
export class InMemoryIncidentStore implements IncidentStore, ApprovalStore, DecisionStore {
  private readonly records = new Map<string, IncidentRecord>();
  private readonly incidents = new Map<string, OpenIncident>();
  /** Diagnosis claims: incident key -> ISO lease end. */
  private readonly diagnosing = new Map<string, string>();

  async findOpenIncident(incidentKey: string, now: Date): Promise<OpenIncident | null> {
    const incident = this.incidents.get(incidentKey);
    return incident && incident.openUntil > now.toISOString() ? { ...incident } : null;
  }

  async claimDiagnosis(incidentKey: string, now: Date, leaseUntil: Date): Promise<Claim> {
    const incident = this.incidents.get(incidentKey);
    if (incident && incident.openUntil > now.toISOString()) return NOT_CLAIMED;
    if (leaseHeld(this.diagnosing.get(incidentKey), now)) return NOT_CLAIMED;
    this.diagnosing.set(incidentKey, leaseUntil.toISOString());
    return CLAIMED;
  }

  async releaseDiagnosis(incidentKey: string): Promise<void> {
    this.diagnosing.delete(incidentKey);
  }

  async create(record: IncidentRecord, now: Date): Promise<CreateOutcome> {
    const existing = this.incidents.get(record.incidentKey);
    if (existing && existing.openUntil > now.toISOString()) {
      return { kind: 'incident-open', proposalId: existing.proposalId };
    }
    if (this.records.has(record.id)) throw new Error(`proposal ${record.id} already exists`);
    this.records.set(record.id, structuredClone(record));
    this.diagnosing.delete(record.incidentKey);
    this.incidents.set(record.incidentKey, {
      incidentKey: record.incidentKey,
      proposalId: record.id,
      openUntil: record.expiresAt,
    });
    return { kind: 'created', record: structuredClone(record) };
  }

  async recordOccurrence(proposalId: string, occurrence: Occurrence): Promise<OccurrenceOutcome> {
    const record = this.records.get(proposalId);
    const seenAt = occurrence.seenAt.toISOString();
    if (!record || !OPEN_STATUSES.includes(record.status) || record.expiresAt <= seenAt) {
      return { kind: 'closed' };
    }
    if (record.firstEventId === occurrence.eventId || record.lastEventId === occurrence.eventId) {
      return { kind: 'already-counted', record: structuredClone(record) };
    }
    record.occurrenceCount += 1;
    record.lastEventId = occurrence.eventId;
    record.lastSeenAt = seenAt;
    if (occurrence.eventTime !== undefined) record.lastEventTime = occurrence.eventTime;
    return { kind: 'recorded', record: structuredClone(record) };
  }

  async claimNotification(
    proposalId: string,
    claim: NotificationClaim,
    now: Date,
    leaseUntil: Date,
  ): Promise<Claim> {
    const record = this.records.get(proposalId);
    if (!record || !OPEN_STATUSES.includes(record.status)) return NOT_CLAIMED;
    if (leaseHeld(record.notificationLeaseUntil, now)) return NOT_CLAIMED;
    const due =
      claim.kind === 'first'
        ? record.notifiedAt === null
        : record.status === 'pending' &&
          record.notifiedAt !== null &&
          record.notifiedAt < claim.notifiedBefore.toISOString();
    if (!due) return NOT_CLAIMED;
    record.notificationLeaseUntil = leaseUntil.toISOString();
    return CLAIMED;
  }

  async markNotified(proposalId: string, at: Date): Promise<void> {
    const record = this.records.get(proposalId);
    if (!record) throw new Error(`no proposal ${proposalId}`);
    record.notifiedAt = at.toISOString();
    record.notificationCount += 1;
    record.notificationLeaseUntil = null;
  }

  async releaseNotification(proposalId: string): Promise<void> {
    const record = this.records.get(proposalId);
    if (record) record.notificationLeaseUntil = null;
  }

  async get(proposalId: string): Promise<IncidentRecord | null> {
    const record = this.records.get(proposalId);
    return record ? structuredClone(record) : null;
  }

  /**
   * A conditional move on the current status; a final one also closes the incident, if the incident
   * still points at this record.
   */
  async transition(proposalId: string, request: TransitionRequest): Promise<TransitionOutcome> {
    assertKnownTransition(proposalId, request);
    const record = this.records.get(proposalId) ?? null;
    const refused = transitionRefusal(record, request);
    if (refused !== null || record === null) return copyOutcome(refused ?? { kind: 'not-found' });
    const moved = movedRecord(structuredClone(record), request);
    this.records.set(proposalId, moved);
    const incident = this.incidents.get(moved.incidentKey);
    if (isFinalStatus(moved.status) && incident?.proposalId === proposalId) {
      incident.openUntil = request.at.toISOString();
    }
    return { kind: 'moved', record: structuredClone(moved) };
  }

  async addApproval(proposalId: string, request: ApprovalRequest): Promise<ApprovalOutcome> {
    const record = this.records.get(proposalId) ?? null;
    const refused = approvalRefusalOf(record, request);
    if (refused !== null || record === null) {
      const outcome = refused ?? { kind: 'not-found' };
      return outcome.kind === 'not-found' ? outcome : { ...outcome, record: structuredClone(outcome.record) };
    }
    const approved = withApproval(structuredClone(record), request);
    this.records.set(proposalId, approved);
    return { kind: 'recorded', record: structuredClone(approved) };
  }

  async claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<ApplyClaim> {
    const record = this.records.get(proposalId);
    if (!record || (record.status !== 'approved' && record.status !== 'applied')) return NOT_CLAIMED;
    if (leaseHeld(record.applyLeaseUntil, now)) return NOT_CLAIMED;
    record.applyLeaseUntil = leaseUntil.toISOString();
    record.applyAttempts += 1;
    return { kind: 'claimed', attempt: record.applyAttempts };
  }

  async releaseApply(proposalId: string, leaseUntil: Date): Promise<void> {
    const record = this.records.get(proposalId);
    if (record && record.applyLeaseUntil === leaseUntil.toISOString()) record.applyLeaseUntil = null;
  }

  async saveApplyProgress(proposalId: string, progress: ApplyProgress, leaseUntil: Date): Promise<boolean> {
    const record = this.records.get(proposalId);
    if (!record || (record.status !== 'approved' && record.status !== 'applied')) return false;
    if (record.applyLeaseUntil !== leaseUntil.toISOString()) return false;
    record.applyProgress = structuredClone(progress);
    return true;
  }

  async markResultPublished(proposalId: string, published: ResultPublished): Promise<void> {
    const record = this.records.get(proposalId);
    if (!record) return;
    record.resultMessageAt ??= published.messageAt?.toISOString() ?? null;
    record.resultEventAt ??= published.eventAt?.toISOString() ?? null;
  }

  async listByStatus(status: IncidentStatus, limit: number): Promise<IncidentRecord[]> {
    return [...this.records.values()]
      .filter((record) => record.status === status)
      .sort((left, right) => right.createdAt.localeCompare(left.createdAt))
      .slice(0, Math.max(0, limit))
      .map((record) => structuredClone(record));
  }

  /** Every record, oldest first (tests and the bench count them). */
  all(): IncidentRecord[] {
    return [...this.records.values()]
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt))
      .map((record) => structuredClone(record));
  }
}

const CLAIMED: Claim = { kind: 'claimed' };
const NOT_CLAIMED = { kind: 'not-claimed' } as const;

function copyOutcome(outcome: TransitionOutcome): TransitionOutcome {
  return outcome.kind === 'not-found' ? outcome : { ...outcome, record: structuredClone(outcome.record) };
}
