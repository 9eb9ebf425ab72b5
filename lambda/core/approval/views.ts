/**
 * How a stored proposal is told to the people deciding it: the JSON the IAM routes answer with, the
 * history the review page lists, and the sentences that explain a refusal. Pure.
 */
import type { IncidentEvent, IncidentRecord } from '../incident';
import type { ReviewEvent } from '../render/review-page';
import type { ApprovalRefusal } from './eligibility';
import type { SelfApprovalReason } from './separation';
import type { ApprovalRequirement } from './requirement';
import type { Actor } from './status';
import { decisionOf } from './transition';
import { verdictOf } from '../diagnosis/derived';
import { renderSummary } from '../render/diagnosis-summary';
import { renderFindings } from '../render/findings';
import { accountName } from '../render/account-label';

function describeActor(actor: Actor): string {
  return `${actor.name}${actor.sourceIp ? ` from ${actor.sourceIp}` : ''}`;
}

/** "It was already approved by link holder from 198.51.100.7 at ...; it is now verified." */
export function decidedSentence(record: IncidentRecord): string {
  const decision = decisionOf(record);
  if (decision === null) return `It is ${record.status}: there is nothing to decide.`;
  const now = record.status === decision.status ? '' : `; it is now ${record.status}`;
  return `It was already ${decision.status} by ${describeActor(decision.actor)} at ${decision.at}${now}.`;
}

/** Why a permission-set proposal is not applied from here, and what to do instead. */
export function permissionSetSentence(record: IncidentRecord): string {
  const name = record.proposal?.target.name ?? 'unknown';
  const account =
    record.organizationAccount === undefined
      ? record.denial.account
      : accountName(record.organizationAccount);
  return `Its principal is managed by IAM Identity Center, whose roles must not be edited: add the statement to the inline policy of permission set ${name} and re-provision the permission set to account ${account}. The review page shows the statement.`;
}

/** The record's history as the review page lists it. */
export function reviewHistory(record: IncidentRecord): ReviewEvent[] {
  return record.history.map((entry) => ({
    status: entry.status,
    actor: entry.actor.name,
    at: entry.at,
    sourceIp: entry.actor.sourceIp,
    detail: entry.detail,
  }));
}

function historyView(event: IncidentEvent) {
  return { status: event.status, actor: event.actor, at: event.at, detail: event.detail };
}

/** One line of the IAM list route. */
export function proposalSummary(record: IncidentRecord) {
  return {
    id: record.id,
    status: record.status,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    summary: renderSummary(record.diagnosis),
    target: record.proposal?.target ?? null,
    policyName: record.proposal?.policyName ?? null,
    // Organization mode: the account by name, id and OU path (absent in single-account mode).
    ...(record.organizationAccount === undefined ? {} : { organizationAccount: record.organizationAccount }),
  };
}

/** One record, as the IAM get and decide routes answer it. */
export function proposalView(record: IncidentRecord, now: Date) {
  const { denial, diagnosis, proposal } = record;
  return {
    ...proposalSummary(record),
    expired: now.toISOString() >= record.expiresAt,
    occurrenceCount: record.occurrenceCount,
    lastSeenAt: record.lastSeenAt,
    verdict: verdictOf(diagnosis),
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
    findings: renderFindings(diagnosis).map(({ kind, message }) => ({ kind, message })),
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
            escalation: proposal.escalation ?? null,
            approval: proposal.approval ?? null,
          },
    approvals: record.approvals ?? [],
    history: record.history.map(historyView),
    outcome: record.outcome,
  };
}

const REQUIREMENT_WORDS: Record<ApprovalRequirement, string> = {
  'one-approver': 'one approver',
  'iam-approver': 'one listed IAM approver (passrole-doctor approve)',
  'two-approvers': 'two distinct listed IAM approvers (passrole-doctor approve)',
  'not-approvable': 'an approval no one may give',
};

const SELF_APPROVAL_WORDS = {
  'denied-principal': (principal: string) => `it is the principal that was denied (${principal})`,
  'denied-entity': (principal: string) =>
    `it is ${principal}, or a session of it, whose policies were evaluated for the denial`,
  'gains-the-grant': (principal: string) => `it would gain the permission itself (${principal})`,
  'assigned-the-set': (principal: string) =>
    `it is assigned the permission set in this account and would gain the permission itself (${principal})`,
  'assignment-unknown': (why: string) =>
    `whether it is assigned the permission set could not be read (${why}), so it may gain the permission itself`,
} satisfies Record<SelfApprovalReason, (principal: string) => string>;

/** Why an approval was refused, in one sentence for the page, the JSON and the CLI. */
export function refusalSentence(refusal: ApprovalRefusal): string {
  switch (refusal.kind) {
    case 'not-approvable':
      return `No one may approve this proposal: ${refusal.reason}. Nothing was changed.`;
    case 'level-rose':
      return `What the grant adds has risen since the proposal was made (from ${refusal.from} to ${refusal.to ?? 'unknown'}), so it can no longer be approved as proposed: reject it, and the next denial opens a proposal with the new level. Nothing was changed.`;
    case 'link-may-not-approve':
      return `A review link carries no identity, so it approves only grants that add no sensitive access. This grant is ${refusal.level ?? 'of unknown level'} and needs ${REQUIREMENT_WORDS[refusal.requires]}. Nothing was changed.`;
    case 'not-an-approver':
      if (!refusal.approversConfigured) {
        return `No approvers are configured (APPROVERS), so the IAM routes approve nothing above contained. Nothing was changed.`;
      }
      return `${refusal.caller} is not one of the configured approvers${refusal.unresolvedPath ? " (a pattern naming a role path could not be checked: the role's path is unknown)" : ''}. Nothing was changed.`;
    case 'self-approval':
      return `${refusal.caller} may not approve this grant: ${SELF_APPROVAL_WORDS[refusal.reason](refusal.principal)}. Someone who does not gain it must approve. Nothing was changed.`;
    case 'foreign-approver':
      return `${refusal.caller} is not a principal of the hub's account (${refusal.approverAccount}), and only its principals approve here. Nothing was changed.`;
    case 'same-approver':
      return `The first approval came from the same person (${refusal.identity}): a second, distinct approver is needed. Nothing was changed.`;
    case 'not-auto-approvable':
      return `The auto-approval rule approves only a proven no-new-access grant with autoApprove: no-new-access; autoApprove is ${refusal.autoApprove} and the level is ${refusal.level ?? 'unknown'}. Nothing was changed.`;
  }
}

/** What a recorded first approval tells. */
export function firstApprovalSentence(record: IncidentRecord): string {
  const first = record.approvals?.[0];
  return `The first of two approvals is recorded${first ? ` (${first.name})` : ''}. A second, distinct listed approver must approve it before it is applied; nothing has been written to IAM yet.`;
}
