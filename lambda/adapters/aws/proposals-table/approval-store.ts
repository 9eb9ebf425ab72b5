/**
 * ApprovalStore and DecisionStore on the proposals table (schema.ts): forward-only transitions, the
 * first of two approvals, the apply lease, the outcome's publication and the byStatus listing.
 */
import { randomUUID } from 'node:crypto';
import {
  approvalRefusalOf,
  assertKnownTransition,
  movedRecord,
  transitionRefusal,
} from '../../../core/approval/transition';
import { AwsCallError, ConcurrentChangeError, TransientAwsError } from '../../../core/errors';
import { isFinalStatus, type IncidentRecord, type IncidentStatus } from '../../../core/incident';
import type { ApplyProgress } from '../../../core/apply/permission-set/progress';
import type {
  ApplyClaim,
  ApprovalOutcome,
  ApprovalRequest,
  DecisionStore,
  ResultPublished,
  TransitionOutcome,
  TransitionRequest,
} from '../../../ports/approval-store';
import { ProposalsTable, wroteIt, type ItemWrite } from './conditional-write';
import { cancellationReasons } from './errors';
import { fromProposalItem, oldImageOf } from './item-codec';
import { APPLY_LEASE } from './leases';
import { incidentKey, proposalKey, type Item } from './schema';
import { approvalCountCondition, transitionWrite } from './transition-write';

export class DynamoDbApprovalStore implements DecisionStore {
  constructor(private readonly table: ProposalsTable) {}

  async get(proposalId: string): Promise<IncidentRecord | null> {
    const item = await this.getItem(proposalId);
    return item === null ? null : fromProposalItem(item);
  }

  private getItem(proposalId: string): Promise<Item | null> {
    return this.table.get(proposalKey(proposalId), 'dynamodb:GetItem (proposal)');
  }

  async transition(proposalId: string, request: TransitionRequest): Promise<TransitionOutcome> {
    assertKnownTransition(proposalId, request);
    const token = randomUUID();
    const write = transitionWrite(proposalId, request, token);
    return isFinalStatus(request.to)
      ? this.transitionClosingIncident(proposalId, request, write, token)
      : this.transitionRecord(proposalId, request, write, token);
  }

  /** One conditional UpdateItem; a failed condition is explained from the old image it returns. */
  private async transitionRecord(
    proposalId: string,
    request: TransitionRequest,
    write: ItemWrite,
    token: string,
  ): Promise<TransitionOutcome> {
    const result = await this.table.update(
      { ...write, ReturnValues: 'ALL_NEW' },
      'dynamodb:UpdateItem (transition)',
    );
    if (result.kind === 'condition-failed') return this.refusal(proposalId, request, result.image, token);
    if (!result.item) throw new AwsCallError(`dynamodb:UpdateItem returned no item for ${proposalId}`);
    return { kind: 'moved', record: fromProposalItem(result.item) };
  }

  /**
   * The move and the incident's closing in one transaction, both or neither. The incident is read
   * from the record first (its key is there); when the incident no longer points at this record (it
   * expired and a newer incident took its key), there is nothing to close and the record moves alone.
   */
  private async transitionClosingIncident(
    proposalId: string,
    request: TransitionRequest,
    write: ItemWrite,
    token: string,
  ): Promise<TransitionOutcome> {
    const current = await this.get(proposalId);
    const refused = transitionRefusal(current, request);
    if (refused !== null || current === null) return refused ?? { kind: 'not-found' };
    const action = 'dynamodb:TransactWriteItems (transition + incident)';
    const result = await this.table.transact(
      [
        { Update: { ...write, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
        {
          Update: {
            Key: incidentKey(current.incidentKey),
            UpdateExpression: 'SET openUntil = :closedAt',
            ConditionExpression: 'proposalId = :proposalId',
            ExpressionAttributeValues: { ':closedAt': request.at.toISOString(), ':proposalId': proposalId },
          },
        },
      ],
      action,
    );
    // What the transaction wrote, without reading it back: a failed read must not hide a move that landed.
    if (result.kind === 'written') return { kind: 'moved', record: movedRecord(current, request) };
    const [recordReason, incidentReason] = result.reasons;
    if (recordReason?.Code === 'ConditionalCheckFailed') {
      return this.refusal(proposalId, request, recordReason.Item, token);
    }
    if (incidentReason?.Code === 'ConditionalCheckFailed') {
      return this.transitionRecord(proposalId, request, write, token);
    }
    // Cancelled by a concurrent write (TransactionConflict) or throttling: see who won, else retry.
    const now = await this.getItem(proposalId);
    if (wroteIt(now, 'lastTransitionId', token) && now !== null) {
      return { kind: 'moved', record: fromProposalItem(now) };
    }
    const refusedNow = transitionRefusal(now === null ? null : fromProposalItem(now), request);
    if (refusedNow !== null) return refusedNow;
    const codes = cancellationReasons(result.error).map((reason) => reason.Code ?? 'None');
    throw new TransientAwsError(`${action} cancelled, worth retrying later (${codes.join(', ')})`, {
      cause: result.error,
    });
  }

  /** Why a conditional move failed, from the old image (or a fresh read when none came back). */
  private async refusal(
    proposalId: string,
    request: TransitionRequest,
    image: unknown,
    token: string,
  ): Promise<TransitionOutcome> {
    const item = oldImageOf(image) ?? (await this.getItem(proposalId));
    // The condition failed on our own write: the SDK retried a move whose answer was lost.
    if (item !== null && wroteIt(item, 'lastTransitionId', token)) {
      return { kind: 'moved', record: fromProposalItem(item) };
    }
    const refused = transitionRefusal(item === null ? null : fromProposalItem(item), request);
    if (refused !== null) return refused;
    // The condition failed on an item that satisfies it now: it changed in between; the caller retries.
    throw new ConcurrentChangeError(`transition of proposal ${proposalId} met a concurrent write`);
  }

  /**
   * Appends one approval on status pending, before the expiry, with the approvals read still there.
   * `lastApprovalId = token`: the SDK's retry of this very write (its answer lost) meets its own append.
   */
  async addApproval(proposalId: string, request: ApprovalRequest): Promise<ApprovalOutcome> {
    const token = randomUUID();
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':pending': 'pending',
      ':now': request.at.toISOString(),
      ':approval': [request.approver],
      ':none': [],
      ':token': token,
    };
    const count = approvalCountCondition(request.priorApprovals, names, values);
    const result = await this.table.update(
      {
        Key: proposalKey(proposalId),
        UpdateExpression:
          'SET #approvals = list_append(if_not_exists(#approvals, :none), :approval), lastApprovalId = :token',
        ConditionExpression: `attribute_exists(pk) AND #status = :pending AND expiresAt > :now AND ${count}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      },
      'dynamodb:UpdateItem (approval)',
    );
    if (result.kind === 'written') {
      if (!result.item) throw new AwsCallError(`dynamodb:UpdateItem returned no item for ${proposalId}`);
      return { kind: 'recorded', record: fromProposalItem(result.item) };
    }
    const item = result.image ?? (await this.getItem(proposalId));
    if (item !== null && wroteIt(item, 'lastApprovalId', token)) {
      return { kind: 'recorded', record: fromProposalItem(item) };
    }
    const refused = approvalRefusalOf(item === null ? null : fromProposalItem(item), request);
    if (refused !== null) return refused;
    throw new ConcurrentChangeError(`approval of proposal ${proposalId} met a concurrent write`);
  }

  async claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<ApplyClaim> {
    const claim = await this.table.claimLease(APPLY_LEASE, proposalKey(proposalId), { now, leaseUntil });
    if (claim.kind === 'not-claimed') return claim;
    const attempt = claim.item['applyAttempts'];
    return { kind: 'claimed', attempt: typeof attempt === 'number' ? attempt : 1 };
  }

  releaseApply(proposalId: string, leaseUntil: Date): Promise<void> {
    return this.table.releaseLease(APPLY_LEASE, proposalKey(proposalId), leaseUntil);
  }

  /** On status approved or applied, with the apply lease this caller claimed still in place. */
  async saveApplyProgress(proposalId: string, progress: ApplyProgress, leaseUntil: Date): Promise<boolean> {
    const result = await this.table.update(
      {
        Key: proposalKey(proposalId),
        UpdateExpression: 'SET applyProgress = :progress',
        ConditionExpression:
          'attribute_exists(pk) AND #status IN (:approved, :applied) AND applyLeaseUntil = :leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':progress': progress,
          ':approved': 'approved',
          ':applied': 'applied',
          ':leaseUntil': leaseUntil.toISOString(),
        },
      },
      'dynamodb:UpdateItem (apply progress)',
    );
    return result.kind === 'written';
  }

  async markResultPublished(proposalId: string, published: ResultPublished): Promise<void> {
    const sets: string[] = [];
    const values: Record<string, string> = {};
    // if_not_exists: the first time it went out stays (a retry may send it again).
    if (published.messageAt !== undefined) {
      sets.push('resultMessageAt = if_not_exists(resultMessageAt, :messageAt)');
      values[':messageAt'] = published.messageAt.toISOString();
    }
    if (published.eventAt !== undefined) {
      sets.push('resultEventAt = if_not_exists(resultEventAt, :eventAt)');
      values[':eventAt'] = published.eventAt.toISOString();
    }
    if (sets.length === 0) return;
    await this.table.update(
      {
        Key: proposalKey(proposalId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: values,
      },
      'dynamodb:UpdateItem (result published)',
    );
  }

  /** Newest first from the byStatus index (projection ALL: the items are whole, no second read). */
  async listByStatus(status: IncidentStatus, limit: number): Promise<IncidentRecord[]> {
    const records: IncidentRecord[] = [];
    let startKey: Item | undefined;
    while (records.length < limit) {
      const page = await this.table.queryByStatus(status, limit - records.length, startKey);
      for (const item of page.items) records.push(fromProposalItem(item));
      startKey = page.next;
      if (startKey === undefined) break;
    }
    return records.slice(0, Math.max(0, limit));
  }
}
