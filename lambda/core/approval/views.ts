/**
 * How a stored proposal is told to the people deciding it: the JSON the IAM routes answer with, the
 * history the review page lists, and the sentences that explain a refusal. Pure.
 */
import type { ProposalEvent, ProposalRecord } from '../incident';
import type { ReviewEvent } from '../render/review-page';
import type { Actor } from './status';
import { decisionOf } from './transition';

function describeActor(actor: Actor): string {
  return `${actor.name}${actor.sourceIp ? ` from ${actor.sourceIp}` : ''}`;
}

/** "It was already approved by link holder from 198.51.100.7 at ...; it is now verified." */
export function decidedSentence(record: ProposalRecord): string {
  const decision = decisionOf(record);
  if (decision === null) return `It is ${record.status}: there is nothing to decide.`;
  const now = record.status === decision.status ? '' : `; it is now ${record.status}`;
  return `It was already ${decision.status} by ${describeActor(decision.actor)} at ${decision.at}${now}.`;
}

/** Why a permission-set proposal is not applied from here, and what to do instead. */
export function permissionSetSentence(record: ProposalRecord): string {
  const name = record.proposal?.target.name ?? 'unknown';
  return `Its principal is managed by IAM Identity Center, whose roles must not be edited: add the statement to the inline policy of permission set ${name} and re-provision the permission set to account ${record.denial.account}. The review page shows the statement.`;
}

/** The record's history as the review page lists it. */
export function reviewHistory(record: ProposalRecord): ReviewEvent[] {
  return record.history.map((entry) => ({
    status: entry.status,
    actor: entry.actor.name,
    at: entry.at,
    sourceIp: entry.actor.sourceIp,
    detail: entry.detail,
  }));
}

function historyView(event: ProposalEvent) {
  return { status: event.status, actor: event.actor, at: event.at, detail: event.detail };
}

/** One line of the IAM list route. */
export function proposalSummary(record: ProposalRecord) {
  return {
    id: record.id,
    status: record.status,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    summary: record.diagnosis.summary,
    target: record.proposal?.target ?? null,
    policyName: record.proposal?.policyName ?? null,
  };
}

/** One record, as the IAM get and decide routes answer it. */
export function proposalView(record: ProposalRecord, now: Date) {
  const { denial, diagnosis, proposal } = record;
  return {
    ...proposalSummary(record),
    expired: now.toISOString() >= record.expiresAt,
    occurrenceCount: record.occurrenceCount,
    lastSeenAt: record.lastSeenAt,
    verdict: diagnosis.verdict,
    denial: {
      principalArn: denial.principalArn,
      policySourceArn: denial.policySourceArn,
      deniedAction: denial.deniedAction,
      roleArn: denial.roleArn,
      passedToService: denial.passedToService,
      eventTime: denial.eventTime,
      account: denial.account,
      region: denial.region,
    },
    findings: diagnosis.findings.map(({ kind, message }) => ({ kind, message })),
    proposal:
      proposal === null
        ? null
        : {
            target: proposal.target,
            policyName: proposal.policyName,
            document: proposal.document,
            documentHash: record.documentHash,
            verified: proposal.verified,
            blockers: proposal.blockers,
            risk: proposal.risk,
          },
    history: record.history.map(historyView),
    outcome: record.outcome,
  };
}
