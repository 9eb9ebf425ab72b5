/**
 * The proposals table as one store for the handlers: the incident store and the approval store
 * (proposals-table/) over one table client. The table's layout is documented in
 * proposals-table/schema.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApplyProgress } from '../../core/apply/permission-set/progress';
import type { IncidentRecord, IncidentStatus } from '../../core/incident';
import type * as approval from '../../ports/approval-store';
import type * as port from '../../ports/incident-store';
import { DynamoDbApprovalStore } from './proposals-table/approval-store';
import { ProposalsTable } from './proposals-table/conditional-write';
import { IncidentItems } from './proposals-table/incident-store';

export { fromProposalItem, oldImageOf, toProposalItem } from './proposals-table/item-codec';
export { DECIDED_RETENTION_DAYS } from './proposals-table/schema';

export class DynamoDbIncidentStore implements port.IncidentStore, approval.DecisionStore {
  private readonly incidents: IncidentItems;
  private readonly approvals: DynamoDbApprovalStore;

  /** @param dynamodb the caller's client (built once per container, traced by the caller) */
  constructor(dynamodb: DynamoDBClient, tableName: string) {
    const table = new ProposalsTable(dynamodb, tableName);
    this.incidents = new IncidentItems(table);
    this.approvals = new DynamoDbApprovalStore(table);
  }

  findOpenIncident(key: string, now: Date): Promise<port.OpenIncident | null> {
    return this.incidents.findOpenIncident(key, now);
  }
  claimDiagnosis(key: string, now: Date, leaseUntil: Date): Promise<port.Claim> {
    return this.incidents.claimDiagnosis(key, now, leaseUntil);
  }
  releaseDiagnosis(key: string): Promise<void> {
    return this.incidents.releaseDiagnosis(key);
  }
  create(record: IncidentRecord, now: Date): Promise<port.CreateOutcome> {
    return this.incidents.create(record, now);
  }
  recordOccurrence(proposalId: string, occurrence: port.Occurrence): Promise<port.OccurrenceOutcome> {
    return this.incidents.recordOccurrence(proposalId, occurrence);
  }
  claimNotification(
    proposalId: string,
    claim: port.NotificationClaim,
    now: Date,
    leaseUntil: Date,
  ): Promise<port.Claim> {
    return this.incidents.claimNotification(proposalId, claim, now, leaseUntil);
  }
  markNotified(proposalId: string, at: Date): Promise<void> {
    return this.incidents.markNotified(proposalId, at);
  }
  releaseNotification(proposalId: string): Promise<void> {
    return this.incidents.releaseNotification(proposalId);
  }
  get(proposalId: string): Promise<IncidentRecord | null> {
    return this.incidents.get(proposalId);
  }

  transition(proposalId: string, request: approval.TransitionRequest): Promise<approval.TransitionOutcome> {
    return this.approvals.transition(proposalId, request);
  }
  addApproval(proposalId: string, request: approval.ApprovalRequest): Promise<approval.ApprovalOutcome> {
    return this.approvals.addApproval(proposalId, request);
  }
  claimApply(proposalId: string, now: Date, leaseUntil: Date): Promise<approval.ApplyClaim> {
    return this.approvals.claimApply(proposalId, now, leaseUntil);
  }
  releaseApply(proposalId: string, leaseUntil: Date): Promise<void> {
    return this.approvals.releaseApply(proposalId, leaseUntil);
  }
  saveApplyProgress(proposalId: string, progress: ApplyProgress, leaseUntil: Date): Promise<boolean> {
    return this.approvals.saveApplyProgress(proposalId, progress, leaseUntil);
  }
  markResultPublished(proposalId: string, published: approval.ResultPublished): Promise<void> {
    return this.approvals.markResultPublished(proposalId, published);
  }
  listByStatus(status: IncidentStatus, limit: number): Promise<IncidentRecord[]> {
    return this.approvals.listByStatus(status, limit);
  }
}
