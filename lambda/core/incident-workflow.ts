/**
 * One iam:PassRole denial into its incident: one proposal (or report) and one message per incident,
 * however many denials of it arrive and however many invocations meet them at once. Pure over the
 * IncidentStore and Notifier ports, a diagnose function and a clock.
 *
 *   - An open incident of the same (account, entity, role, service): count the occurrence; send the
 *     first message if it never went out (a crash between storing and publishing), or a reminder when
 *     the last one is older than renotifyAfterHours. No diagnosis.
 *   - Otherwise claim the incident's diagnosis (another invocation holding it: `deferred`, to be
 *     retried), diagnose, store a `pending` proposal (or a `reported` diagnosis without one) with its
 *     incident pointer (one winner among creators: a loser counts a repeat), publish.
 *
 * Publishing is claimed with a lease on the record and marked after it succeeded, so a failure between
 * storing and publishing is healed by the next delivery: never a second proposal, never a lost message.
 * Port failures propagate (the caller retries the denial), after the claims taken are given back. Each
 * step is reported as it happens, so a later failure does not hide what was already stored or sent.
 */
import type { NotApplicableWhy } from './diagnosis/types';
import type { NotificationClaim, IncidentStore } from '../ports/incident-store';
import type { AutoApproveTrigger } from '../ports/auto-approve-trigger';
import type { Notifier } from '../ports/notifier';
import type { ApprovalLinks } from './approval/links';
import type { AutoApprove } from './approval/requirement';
import { ConcurrentChangeError, InvalidInputError } from './errors';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from './incident';
import type { Denial, Diagnosis } from './model';
import type { OrganizationAccount } from './organization/model';
import { renderMessage } from './render/message';
import { renderReason, renderSummary } from './render/diagnosis-summary';

const HOUR_MS = 3_600_000;

export interface IncidentWorkflowSettings {
  proposalTtlHours: number;
  renotifyAfterHours: number;
  /** `no-new-access`: a new proposal whose level is `none` is handed to the approval function's rule. */
  autoApprove?: AutoApprove;
}

export interface IncidentWorkflowDependencies {
  store: IncidentStore;
  notifier: Notifier;
  /** Throws InvalidInputError when the denial can never be diagnosed (its IAM entity is gone). */
  diagnose: (denial: Denial) => Promise<Diagnosis>;
  clock: () => Date;
  newProposalId: () => string;
  /** How a message about the record lets a person decide it (signed review link, CLI commands). */
  approvalLinks: (record: IncidentRecord) => Promise<ApprovalLinks>;
  /** Until when a claim taken at `from` holds: as long as the caller can still finish its work. */
  leaseUntil: (from: Date) => Date;
  settings: IncidentWorkflowSettings;
  /** Asks the approval function to look at a new `none` proposal (autoApprove: no-new-access). */
  autoApproveTrigger?: AutoApproveTrigger;
  /**
   * No message is sent (serve reads a whole file before anything goes out). Processing a denial of
   * the incident again without it sends the first message, counting every denial seen: the same path
   * that heals a message lost between storing and publishing.
   */
  holdMessages?: boolean;
  onProgress?: (progress: IncidentProgress) => void;
}

/** A step that happened, told as it happens (for logs and metrics). */
export type IncidentProgress =
  | { kind: 'record-created'; record: IncidentRecord }
  /** Another invocation stored the incident's record first: this denial is counted as a repeat. */
  | { kind: 'incident-opened-elsewhere'; proposalId: string }
  | { kind: 'occurrence-counted'; record: IncidentRecord; alreadyCounted: boolean }
  /** The message was not due after all, or another invocation holds its lease. */
  | { kind: 'message-not-due'; proposalId: string; claim: NotificationClaim['kind'] }
  | { kind: 'message-published'; record: IncidentRecord; claim: NotificationClaim['kind'] }
  /** A new `none` proposal was handed to the auto-approval rule (which decides for itself). */
  | { kind: 'auto-approval-requested'; proposalId: string }
  /** ...or could not be: it stays pending for a person. */
  | { kind: 'auto-approval-not-requested'; proposalId: string; cause: unknown };

/** What one denial came to. */
export type IncidentOutcome =
  /** A new incident: a `pending` proposal stored and its message published (or being published). */
  | { kind: 'created'; record: IncidentRecord }
  /** A new incident without a proposal (allowed now, unfixable deny, another account's role, ...). */
  | { kind: 'reported'; record: IncidentRecord }
  /** A denial of an open incident: counted, nothing sent. */
  | { kind: 'repeat'; record: IncidentRecord }
  /** A denial of an open incident whose first message never went out: counted, and now sent. */
  | { kind: 'first-message-sent'; record: IncidentRecord }
  | { kind: 'reminder-sent'; record: IncidentRecord }
  /** The diagnosis found nothing to fix here (no single role, not a PassRole denial after all). */
  | { kind: 'not-applicable'; code: NotApplicableWhy['code']; reason: string }
  /** The denial can never be diagnosed (its IAM entity no longer exists): nothing stored. */
  | { kind: 'unprocessable'; reason: string }
  /** Another invocation is diagnosing this new incident right now: retry the denial later. */
  | { kind: 'deferred'; incidentKey: string };

/** Processes one denial: a repeat of its open incident, or a new incident diagnosed once. */
/** Where the denial came from, beyond the record itself (organization mode). */
export interface DenialOrigin {
  organizationAccount?: OrganizationAccount;
}

export async function processDenial(
  deps: IncidentWorkflowDependencies,
  denial: Denial,
  origin: DenialOrigin = {},
): Promise<IncidentOutcome> {
  const { store, clock } = deps;
  const incidentKey = incidentKeyOf(denial);
  const open = await store.findOpenIncident(incidentKey, clock());
  if (open) return countRepeat(deps, open.proposalId, denial);

  // One diagnosis per new incident, however many containers meet it at once (IAM's rate limits).
  const claimedAt = clock();
  if ((await store.claimDiagnosis(incidentKey, claimedAt, deps.leaseUntil(claimedAt))).kind !== 'claimed') {
    const opened = await store.findOpenIncident(incidentKey, clock());
    return opened ? countRepeat(deps, opened.proposalId, denial) : { kind: 'deferred', incidentKey };
  }
  try {
    const outcome = await diagnoseAndCreate(deps, denial, incidentKey, origin);
    if (outcome.kind !== 'created' && outcome.kind !== 'reported') await store.releaseDiagnosis(incidentKey);
    return outcome;
  } catch (error) {
    await store.releaseDiagnosis(incidentKey).catch(() => undefined);
    throw error;
  }
}

/**
 * The message a repeat of `record` should send at `now`: the first one when none went out yet, a
 * reminder of a pending proposal whose last message is older than `renotifyAfterHours`, else none.
 */
export function dueMessage(
  record: IncidentRecord,
  now: Date,
  renotifyAfterHours: number,
): NotificationClaim | null {
  if (record.notifiedAt === null) return { kind: 'first' };
  if (record.status !== 'pending') return null;
  const notifiedBefore = new Date(now.getTime() - renotifyAfterHours * HOUR_MS);
  return Date.parse(record.notifiedAt) < notifiedBefore.getTime()
    ? { kind: 'reminder', notifiedBefore }
    : null;
}

/** A denial of an open incident: count it; heal a missing first message; remind when due. */
async function countRepeat(
  deps: IncidentWorkflowDependencies,
  proposalId: string,
  denial: Denial,
): Promise<IncidentOutcome> {
  const counted = await deps.store.recordOccurrence(proposalId, {
    eventId: denial.eventId,
    eventTime: denial.eventTime,
    seenAt: deps.clock(),
  });
  if (counted.kind === 'closed') {
    // Closed between the lookup and the update (expired, approved): the retry sees a settled state.
    throw new ConcurrentChangeError(
      `incident of proposal ${proposalId} closed while its repeat was recorded`,
    );
  }
  const record = counted.record;
  deps.onProgress?.({
    kind: 'occurrence-counted',
    record,
    alreadyCounted: counted.kind === 'already-counted',
  });
  const claim = dueMessage(record, deps.clock(), deps.settings.renotifyAfterHours);
  if (claim === null || !(await publishMessage(deps, record, claim))) return { kind: 'repeat', record };
  return { kind: claim.kind === 'first' ? 'first-message-sent' : 'reminder-sent', record };
}

async function diagnoseAndCreate(
  deps: IncidentWorkflowDependencies,
  denial: Denial,
  incidentKey: string,
  origin: DenialOrigin,
): Promise<IncidentOutcome> {
  const { store, clock } = deps;
  let diagnosis: Diagnosis;
  try {
    diagnosis = await deps.diagnose(denial);
  } catch (error) {
    // The IAM entity is gone, or the account data cannot describe it: a retry would meet the same.
    if (error instanceof InvalidInputError) return { kind: 'unprocessable', reason: error.message };
    throw error;
  }
  if (diagnosis.outcome === 'not-applicable') {
    return {
      kind: 'not-applicable',
      code: diagnosis.why.code,
      reason: renderReason(diagnosis) ?? renderSummary(diagnosis),
    };
  }

  const createdAt = clock();
  const record = newIncidentRecord({
    id: deps.newProposalId(),
    incidentKey,
    // The denial as read, with the role the diagnosis found an instance profile to hold.
    diagnosis: { ...diagnosis, denial: { ...denial, roleArn: diagnosis.denial?.roleArn ?? denial.roleArn } },
    now: createdAt,
    ttlHours: deps.settings.proposalTtlHours,
    ...(origin.organizationAccount === undefined ? {} : { organizationAccount: origin.organizationAccount }),
  });
  const created = await store.create(record, createdAt);
  if (created.kind === 'incident-open') {
    const winner = created.proposalId ?? (await store.findOpenIncident(incidentKey, clock()))?.proposalId;
    if (winner === undefined)
      throw new ConcurrentChangeError(`incident ${incidentKey} changed while it was created`);
    deps.onProgress?.({ kind: 'incident-opened-elsewhere', proposalId: winner });
    return countRepeat(deps, winner, denial);
  }
  deps.onProgress?.({ kind: 'record-created', record: created.record });
  await requestAutoApproval(deps, created.record);
  await publishMessage(deps, created.record, { kind: 'first' });
  return { kind: created.record.proposal ? 'created' : 'reported', record: created.record };
}

/**
 * Hands a new pending proposal whose level is `none` to the auto-approval rule, when it is on. A
 * failure is told, not thrown: the proposal stays pending for a person, and the message still goes out.
 */
async function requestAutoApproval(
  deps: IncidentWorkflowDependencies,
  record: IncidentRecord,
): Promise<void> {
  const escalation = record.proposal?.escalation;
  const trigger = deps.autoApproveTrigger;
  if (trigger === undefined || deps.settings.autoApprove !== 'no-new-access') return;
  if (record.status !== 'pending' || escalation?.kind !== 'analysed' || escalation.level !== 'none') return;
  try {
    await trigger.requestAutoApproval(record.id);
    deps.onProgress?.({ kind: 'auto-approval-requested', proposalId: record.id });
  } catch (cause) {
    deps.onProgress?.({ kind: 'auto-approval-not-requested', proposalId: record.id, cause });
  }
}

/** Publishes the record's message if this call wins the claim; true when it went out. */
async function publishMessage(
  deps: IncidentWorkflowDependencies,
  record: IncidentRecord,
  claim: NotificationClaim,
): Promise<boolean> {
  if (deps.holdMessages === true) return false;
  const { store } = deps;
  const at = deps.clock();
  if ((await store.claimNotification(record.id, claim, at, deps.leaseUntil(at))).kind !== 'claimed') {
    deps.onProgress?.({ kind: 'message-not-due', proposalId: record.id, claim: claim.kind });
    return false;
  }
  try {
    const message = renderMessage({
      kind: claim.kind === 'first' ? 'new' : 'reminder',
      record,
      reviewBaseUrl: null,
      links: await deps.approvalLinks(record),
    });
    await deps.notifier.publish(message);
  } catch (error) {
    // Give the lease back so the retry need not wait for it; if that fails too, it expires.
    await store.releaseNotification(record.id).catch(() => undefined);
    throw error;
  }
  await store.markNotified(record.id, at);
  deps.onProgress?.({ kind: 'message-published', record, claim: claim.kind });
  return true;
}
