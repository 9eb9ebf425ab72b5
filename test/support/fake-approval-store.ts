/**
 * An ApprovalStore in memory with the port's semantics, for the apply tests: every method is atomic
 * (no await inside), transitions are conditional on the current status and forward only, the apply
 * lease is exclusive until it expires. Records go in and come out as copies, like a database's.
 */
import { canTransition, type IncidentStatus as ApprovalStatus } from '../../lambda/core/approval/status';
import { PassRoleDoctorError } from '../../lambda/core/errors';
import type { IncidentRecord } from '../../lambda/core/incident';
import type { ApplyProgress } from '../../lambda/core/apply/permission-set/progress';
import type {
  ApplyClaim,
  ApprovalStore,
  ResultPublished,
  TransitionOutcome,
  TransitionRequest,
} from '../../lambda/ports/approval-store';

type Method =
  | 'get'
  | 'transition'
  | 'claimApply'
  | 'releaseApply'
  | 'saveApplyProgress'
  | 'markResultPublished'
  | 'listByStatus';

export class FakeApprovalStore implements ApprovalStore {
  private readonly records = new Map<string, IncidentRecord>();
  /** Every call, in order: what a test asserts about the conversation with the table. */
  readonly calls: { method: Method; proposalId: string | null; request?: TransitionRequest }[] = [];
  /** Every apply lease asked for: when, and until when. */
  readonly claims: { now: Date; leaseUntil: Date }[] = [];
  /** Errors to throw on the next call of a method (e.g. a throttled DynamoDB), consumed in order. */
  private readonly failures = new Map<Method, unknown[]>();

  constructor(records: IncidentRecord[] = []) {
    for (const record of records) this.put(record);
  }

  /** Stores (or overwrites) a record as is: how a test seeds, or tampers with, the table. */
  put(record: IncidentRecord): void {
    this.records.set(record.id, structuredClone(record));
  }

  /** The stored record, without counting as a call. */
  peek(proposalId: string): IncidentRecord | undefined {
    const record = this.records.get(proposalId);
    return record === undefined ? undefined : structuredClone(record);
  }

  failNext(method: Method, error: unknown): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  transitions(): TransitionRequest[] {
    return this.calls.flatMap((call) => (call.request === undefined ? [] : [call.request]));
  }

  async get(proposalId: string): Promise<IncidentRecord | null> {
    this.enter('get', proposalId);
    return this.peek(proposalId) ?? null;
  }

  async transition(proposalId: string, request: TransitionRequest): Promise<TransitionOutcome> {
    this.enter('transition', proposalId, request);
    if (!canTransition(request.from, request.to)) {
      throw new PassRoleDoctorError(`${request.from} -> ${request.to} is not a forward transition`);
    }
    const record = this.records.get(proposalId);
    if (record === undefined) return { kind: 'not-found' };
    if (record.status !== request.from) return { kind: 'conflict', record: structuredClone(record) };
    if (
      request.from === 'pending' &&
      request.to === 'approved' &&
      request.at.getTime() >= Date.parse(record.expiresAt)
    ) {
      return { kind: 'expired', record: structuredClone(record) };
    }
    record.status = request.to;
    record.history.push({
      status: request.to,
      actor: request.actor,
      at: request.at.toISOString(),
      detail: request.detail ?? null,
    });
    if (request.outcome !== undefined) record.outcome = structuredClone(request.outcome);
    return { kind: 'moved', record: structuredClone(record) };
  }

  async claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<ApplyClaim> {
    this.enter('claimApply', proposalId);
    this.claims.push({ now, leaseUntil });
    const record = this.records.get(proposalId);
    if (record === undefined || (record.status !== 'approved' && record.status !== 'applied')) {
      return { kind: 'not-claimed' };
    }
    const held = record.applyLeaseUntil;
    if (held !== null && Date.parse(held) >= now.getTime()) return { kind: 'not-claimed' };
    record.applyLeaseUntil = leaseUntil.toISOString();
    record.applyAttempts += 1;
    return { kind: 'claimed', attempt: record.applyAttempts };
  }

  async releaseApply(proposalId: string, leaseUntil: Date): Promise<void> {
    this.enter('releaseApply', proposalId);
    const record = this.records.get(proposalId);
    if (record?.applyLeaseUntil === leaseUntil.toISOString()) record.applyLeaseUntil = null;
  }

  async saveApplyProgress(proposalId: string, progress: ApplyProgress, leaseUntil: Date): Promise<boolean> {
    this.enter('saveApplyProgress', proposalId);
    const record = this.records.get(proposalId);
    if (record === undefined || (record.status !== 'approved' && record.status !== 'applied')) return false;
    if (record.applyLeaseUntil !== leaseUntil.toISOString()) return false;
    record.applyProgress = structuredClone(progress);
    return true;
  }

  async markResultPublished(proposalId: string, published: ResultPublished): Promise<void> {
    this.enter('markResultPublished', proposalId);
    const record = this.records.get(proposalId);
    if (record === undefined) return;
    record.resultMessageAt ??= published.messageAt?.toISOString() ?? null;
    record.resultEventAt ??= published.eventAt?.toISOString() ?? null;
  }

  async listByStatus(status: ApprovalStatus, limit: number): Promise<IncidentRecord[]> {
    this.enter('listByStatus', null);
    return [...this.records.values()]
      .filter((record) => record.status === status)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, limit)
      .map((record) => structuredClone(record));
  }

  private enter(method: Method, proposalId: string | null, request?: TransitionRequest): void {
    this.calls.push({
      method,
      proposalId,
      ...(request !== undefined && { request: structuredClone(request) }),
    });
    const queued = this.failures.get(method);
    if (queued !== undefined && queued.length > 0) throw queued.shift();
  }
}
