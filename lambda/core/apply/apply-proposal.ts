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
 *  5. `applied`: re-simulate iam:PassRole with the proposal's verification context, without the
 *     document as an additional policy (it must now be in IAM), with exponential backoff while IAM
 *     propagates; `applied` -> `verified` or `not-verified`, the outcome stored with the transition.
 *  6. Publish the outcome message (the proposal's Chatbot thread) and a `Proposal Applied` event, and
 *     note on the record which went out.
 *
 * A refusal by IAM of the write or a read-back that differs is an outcome (`failed`). Anything else
 * unexpected propagates after the lease is given back: the record stays where it was, and the next
 * run resumes it. Publishing failures are returned for the caller (who asks for a retry).
 */
import type { Actor } from '../approval/status';
import { TransientAwsError } from '../errors';
import { isFinalStatus, type ProposalRecord, type ProposalStatus } from '../incident';
import type { AccountScope, Decision, MatchedStatement, PolicyDocument, SimulationResult } from '../model';
import { renderOutcomeMessage, type ApplyMessageOutcome } from '../render/message/outcome';
import type { DecisionEnvelope } from '../approval/signed-decision';
import type { AccountReader } from '../../ports/account-reader';
import type { DecisionLedger } from '../../ports/decision-ledger';
import type {
  ApplyOutcome,
  ApprovalStore,
  ResultPublished,
  TransitionOutcome,
} from '../../ports/approval-store';
import type { EventDetailValue, EventPublisher } from '../../ports/event-publisher';
import type { Notifier } from '../../ports/notifier';
import type { PolicySimulator } from '../../ports/policy-simulator';
import type { PolicyWriter } from '../../ports/policy-writer';
import { checkApplicable, type ApplyGateSettings, type ApplyPlan } from './apply-gate';
import { verifyDecisionForWrite, type DecisionVerificationDependencies } from './verify-decision';
import { canonicalJson } from '../incident';

export const APPLY_ACTOR: Actor = {
  kind: 'iam',
  name: 'passrole-doctor apply function',
  sourceIp: null,
  userAgent: null,
};

/** The EventBridge detail-type of every apply outcome (source `passrole-doctor`). */
export const PROPOSAL_APPLIED_DETAIL_TYPE = 'Proposal Applied';

export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;
export const DEFAULT_VERIFY_FIRST_DELAY_MS = 1_000;
export const DEFAULT_VERIFY_MAX_DELAY_MS = 16_000;

export interface ApplySettings extends ApplyGateSettings {
  /** How long re-simulation may wait for IAM to propagate the change (default two minutes). */
  verifyTimeoutMs: number;
  /** How long this run holds the apply lease: longer than the run itself (write + verification). */
  leaseMs: number;
  /** Backoff between re-simulations: the first wait, doubled each time up to the cap. */
  verifyFirstDelayMs?: number;
  verifyMaxDelayMs?: number;
  /** Base URL of the review page, for the link in the outcome message. */
  reviewBaseUrl?: string | null;
}

export interface ApplyDependencies extends DecisionVerificationDependencies {
  store: ApprovalStore;
  /** One IAM write per decision id. */
  decisionLedger: DecisionLedger;
  writer: PolicyWriter;
  simulator: PolicySimulator;
  /**
   * Where an offline simulator reads the principal's policies (re-read on every attempt, so it sees the
   * write). IAM's own simulator needs none: without a reader the scope is empty.
   */
  accountReader?: AccountReader;
  notifier: Notifier;
  events: EventPublisher;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  settings: ApplySettings;
}

export interface PublishFailure {
  /** `record`: both went out, but noting so on the record failed. */
  channel: 'message' | 'event' | 'record';
  error: unknown;
}

interface Reported {
  /** The record as last stored (or as loaded, when storing the end failed). */
  record: ProposalRecord;
  /** Whether the final status of this run was stored. */
  recorded: boolean;
  publishFailures: PublishFailure[];
}

export type ApplyResult =
  | ({ kind: 'applied-verified'; outcome: ApplyOutcome } & Reported)
  | ({ kind: 'applied-not-verified'; outcome: ApplyOutcome; blockers: string[] } & Reported)
  /** A check failed: nothing was written to IAM. */
  | ({ kind: 'refused'; reason: string } & Reported)
  | ({ kind: 'failed'; reason: string; policyWritten: boolean; outcome: ApplyOutcome } & Reported)
  /** A decided record whose outcome had not all gone out (a run died after deciding): it went out now. */
  | ({ kind: 'announced'; status: ProposalStatus } & Reported)
  /** Not found, or nothing to do (pending, rejected, or decided and announced). */
  | { kind: 'not-approved'; status: ProposalStatus | null }
  /** Another invocation holds the apply lease: it applies the proposal. */
  | { kind: 'busy' };

/**
 * Claims before a run gives up and records the proposal `failed`: the first invocation and Lambda's
 * two retries, then the reconciler's.
 */
export const MAX_APPLY_ATTEMPTS = 6;

/** How long a decision id stays in the ledger after the decision expires (no apply accepts it then). */
export const DECISION_LEDGER_RETENTION_MS = 400 * 24 * 3_600_000;

const PASS_ROLE = 'iam:PassRole';
/** How a refusal's history entry begins (the message tells a refusal from a failure by it). */
const REFUSED_PREFIX = 'refused: ';

export async function applyProposal(proposalId: string, deps: ApplyDependencies): Promise<ApplyResult> {
  const { store, settings } = deps;
  const loaded = await store.get(proposalId);
  if (loaded === null) return { kind: 'not-approved', status: null };
  if (isFinalStatus(loaded.status)) return announceDecided(loaded, deps);
  if (loaded.status !== 'approved' && loaded.status !== 'applied') {
    return { kind: 'not-approved', status: loaded.status };
  }

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
  if (loaded.status === 'approved') {
    const verified = await verifyDecisionForWrite(deps, loaded, gate.plan, deps.clock());
    if (!verified.ok) {
      const reason = verified.unsigned
        ? verified.problem
        : `the signed decision does not hold: ${verified.problem}`;
      return refuse(loaded, reason, deps);
    }
    decision = verified.envelope;
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
      ? await writeAndVerify(loaded, gate.plan, deps, claim.attempt > 1, decision)
      : await verifyAndSettle(loaded, gate.plan, deps, appliedAtOf(loaded) ?? deps.clock());
  } catch (error) {
    // The next run resumes from the record as it stands: it need not wait for this lease to expire.
    await store.releaseApply(proposalId, leaseUntil).catch(() => undefined);
    throw error;
  }
}

/** What an `applied` record says of its write, for a failure decided after it. */
function writtenOf(record: ProposalRecord): { readBackMatches: boolean; appliedAt?: Date } {
  const appliedAt = appliedAtOf(record);
  return appliedAt === null ? { readBackMatches: true } : { readBackMatches: true, appliedAt };
}

/** When the policy was written: the `applied` entry of the history. */
function appliedAtOf(record: ProposalRecord): Date | null {
  const entry = [...record.history].reverse().find((event) => event.status === 'applied');
  return entry === undefined ? null : new Date(entry.at);
}

// ---------------------------------------------------------------- refusal

async function refuse(record: ProposalRecord, reason: string, deps: ApplyDependencies): Promise<ApplyResult> {
  const at = deps.clock();
  const moved = await deps.store.transition(record.id, {
    from: 'approved',
    to: 'failed',
    actor: APPLY_ACTOR,
    at,
    detail: `${REFUSED_PREFIX}${reason}`,
    outcome: emptyOutcome(at),
  });
  // Another invocation decided first (it refused the same record, the checks being deterministic).
  if (moved.kind === 'not-found') return { kind: 'not-approved', status: null };
  if (moved.kind !== 'moved') return { kind: 'not-approved', status: moved.record.status };
  const publishFailures = await publish(moved.record, { kind: 'refused', reason }, null, deps);
  return { kind: 'refused', reason, record: moved.record, recorded: true, publishFailures };
}

// ---------------------------------------------------------------- write, read back, verify

async function writeAndVerify(
  record: ProposalRecord,
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
  const holdsDocument = (found: PolicyDocument | null) =>
    found !== null && canonicalJson(found) === canonicalJson(plan.document);
  // Read first, always: a resumed run may find its predecessor's write (IAM is written once), and a
  // same-named policy holding another document is someone else's, which a put would silently replace.
  let readBack = await writer.getInlinePolicy(plan.target, plan.policyName);
  if (readBack !== null && !holdsDocument(readBack)) {
    const by = resuming ? ' (it changed since an earlier attempt)' : '';
    return refuse(
      record,
      `a different policy named ${plan.policyName} is already on ${plan.target.type} ${plan.target.name}${by}: it would be replaced`,
      deps,
    );
  }
  if (!holdsDocument(readBack)) {
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
  if (!noted && holdsDocument(readBack)) {
    await decisionLedger.markWritten(decision.decisionId, record.id, deps.clock());
  }
  const appliedAt = deps.clock();
  if (!holdsDocument(readBack)) {
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

/** Re-simulates an `applied` record and moves it to its final status, then tells the channel. */
async function verifyAndSettle(
  record: ProposalRecord,
  plan: ApplyPlan,
  deps: ApplyDependencies,
  appliedAt: Date,
): Promise<ApplyResult> {
  const verification = await verify(plan, record, deps);
  const { attempts } = verification;
  const finishedAt = deps.clock();
  const outcome: ApplyOutcome = {
    readBackMatches: true,
    verification: verification.decision,
    blockers: verification.blockers,
    attempts,
    appliedAt: appliedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
  const allowed = verification.decision === 'allowed';
  const ended = await deps.store.transition(record.id, {
    from: 'applied',
    to: allowed ? 'verified' : 'not-verified',
    actor: APPLY_ACTOR,
    at: finishedAt,
    detail: allowed
      ? `allowed after ${attempts} simulation${attempts === 1 ? '' : 's'}`
      : `still blocked: ${verification.blockers.join('; ')}`,
    outcome,
  });
  // Someone else decided it meanwhile (the lease makes that unreachable): theirs is the word.
  if (ended.kind !== 'moved')
    return { kind: 'not-approved', status: ended.kind === 'not-found' ? null : ended.record.status };
  const messageOutcome: ApplyMessageOutcome = allowed
    ? { kind: 'verified' }
    : { kind: 'not-verified', blockers: verification.blockers };
  const publishFailures = await publish(ended.record, messageOutcome, outcome, deps);
  const reported = { record: ended.record, recorded: true, publishFailures };
  return allowed
    ? { kind: 'applied-verified', outcome, ...reported }
    : { kind: 'applied-not-verified', outcome, blockers: verification.blockers, ...reported };
}

interface Verification {
  decision: Decision | null;
  blockers: string[];
  attempts: number;
}

/**
 * Re-simulates until allowed or until the next wait would pass the timeout. Transient simulator
 * failures are retried like a denial (IAM may be throttling us); any other failure propagates.
 */
async function verify(
  plan: ApplyPlan,
  record: ProposalRecord,
  deps: ApplyDependencies,
): Promise<Verification> {
  const { settings } = deps;
  const firstDelay = settings.verifyFirstDelayMs ?? DEFAULT_VERIFY_FIRST_DELAY_MS;
  const maxDelay = settings.verifyMaxDelayMs ?? DEFAULT_VERIFY_MAX_DELAY_MS;
  const context = record.proposal?.verificationContext ?? {};
  const started = deps.clock().getTime();
  let delay = firstDelay;
  let attempts = 0;
  let last: SimulationResult | null = null;
  let lastFailure: unknown = null;
  for (;;) {
    attempts++;
    try {
      const result = await deps.simulator.simulate({
        policySourceArn: plan.policySourceArn,
        action: PASS_ROLE,
        resourceArn: plan.roleArn,
        context,
        additionalPolicies: [],
        scope: scopeFor(plan, deps.accountReader),
      });
      if (result.decision === 'allowed') return { decision: 'allowed', blockers: [], attempts };
      last = result;
      lastFailure = null;
    } catch (error) {
      if (!(error instanceof TransientAwsError)) throw error;
      lastFailure = error;
    }
    if (deps.clock().getTime() - started + delay > settings.verifyTimeoutMs) break;
    await deps.sleep(delay);
    delay = Math.min(delay * 2, maxDelay);
  }
  if (last === null) {
    return {
      decision: null,
      blockers: [`the simulation kept failing: ${messageOf(lastFailure)}`],
      attempts,
    };
  }
  return { decision: last.decision, blockers: blockersOf(last), attempts };
}

function scopeFor(plan: ApplyPlan, reader: AccountReader | undefined): Promise<AccountScope> {
  if (reader !== undefined) return reader.loadScope(plan.policySourceArn, plan.roleArn);
  return Promise.resolve({ accountId: plan.accountId, principal: null, passedRole: null, notes: [] });
}

function describeMatched(match: MatchedStatement): string {
  const where = match.attachedTo ? ` (on ${match.attachedTo})` : '';
  const statement = match.statement !== null ? `, statement ${match.statement}` : '';
  return `${match.policyName}${where}${statement}`;
}

/** What still blocks, in the words the proposal's own blockers use. */
export function blockersOf(result: SimulationResult): string[] {
  if (result.decision === 'allowed') return [];
  const blockers = result.matchedStatements
    .filter((match) => match.effect === 'Deny')
    .map((match) => `explicit deny in ${describeMatched(match)}`);
  for (const layer of result.blockedBy) {
    if (layer === 'scp') blockers.push('a service control policy does not allow it');
    else if (layer === 'boundary') blockers.push('the permissions boundary does not allow it');
  }
  if (blockers.length === 0) {
    blockers.push(result.decision === 'explicitDeny' ? 'an explicit deny' : 'no policy allows it');
  }
  return [...new Set(blockers)];
}

// ---------------------------------------------------------------- failure

function emptyOutcome(at: Date): ApplyOutcome {
  return {
    readBackMatches: false,
    verification: null,
    blockers: [],
    attempts: 0,
    appliedAt: null,
    finishedAt: at.toISOString(),
  };
}

/**
 * Moves the record to `failed` and tells the channel. A store failure propagates (the next run decides
 * again); when someone else decided first, theirs is the word and nothing goes out.
 */
async function fail(
  record: ProposalRecord,
  from: 'approved' | 'applied',
  reason: string,
  policyWritten: boolean,
  deps: ApplyDependencies,
  found: { readBackMatches?: boolean; appliedAt?: Date; attempts?: number },
): Promise<ApplyResult> {
  const at = deps.clock();
  const outcome: ApplyOutcome = {
    ...emptyOutcome(at),
    readBackMatches: found.readBackMatches ?? false,
    attempts: found.attempts ?? 0,
    appliedAt: found.appliedAt?.toISOString() ?? null,
  };
  const moved = await deps.store.transition(record.id, {
    from,
    to: 'failed',
    actor: APPLY_ACTOR,
    at,
    detail: reason,
    outcome,
  });
  if (moved.kind !== 'moved') {
    return { kind: 'not-approved', status: moved.kind === 'not-found' ? null : moved.record.status };
  }
  const publishFailures = await publish(moved.record, { kind: 'failed', reason }, outcome, deps);
  return {
    kind: 'failed',
    reason,
    policyWritten,
    outcome,
    record: moved.record,
    recorded: true,
    publishFailures,
  };
}

async function reportUnrecorded(
  record: ProposalRecord,
  transition: Exclude<TransitionOutcome, { kind: 'moved' }>,
  plan: ApplyPlan,
  deps: ApplyDependencies,
  found: { readBackMatches: boolean; appliedAt: Date },
): Promise<ApplyResult> {
  const now = transition.kind === 'not-found' ? 'gone' : `now ${transition.record.status}`;
  const reason = `${plan.policyName} was written on ${plan.target.type} ${plan.target.name}, but the proposal left approved meanwhile (${now}): the outcome is not recorded`;
  const outcome: ApplyOutcome = {
    ...emptyOutcome(deps.clock()),
    readBackMatches: found.readBackMatches,
    appliedAt: found.appliedAt.toISOString(),
  };
  const endRecord = transition.kind === 'not-found' ? record : transition.record;
  const publishFailures = await publish(endRecord, { kind: 'failed', reason }, outcome, deps);
  return {
    kind: 'failed',
    reason,
    policyWritten: true,
    outcome,
    record: endRecord,
    recorded: false,
    publishFailures,
  };
}

// ---------------------------------------------------------------- publishing

const EVENT_STATUS: Record<ApplyMessageOutcome['kind'], ProposalStatus> = {
  verified: 'verified',
  'not-verified': 'not-verified',
  refused: 'failed',
  failed: 'failed',
};

/** The EventBridge detail of an outcome: what downstream automation filters and acts on. */
export function appliedEventDetail(
  record: ProposalRecord,
  result: ApplyMessageOutcome,
  outcome: ApplyOutcome | null,
): Record<string, EventDetailValue> {
  const proposal = record.proposal;
  return {
    proposalId: record.id,
    incidentKey: record.incidentKey,
    account: record.denial.account,
    target: proposal
      ? { type: proposal.target.type, name: proposal.target.name, arn: proposal.target.arn }
      : null,
    policyName: proposal?.policyName ?? null,
    principalArn: record.denial.policySourceArn,
    roleArn: record.denial.roleArn,
    service: record.denial.passedToService,
    status: EVENT_STATUS[result.kind],
    policyWritten: outcome?.appliedAt != null,
    reason: result.kind === 'refused' || result.kind === 'failed' ? result.reason : null,
    verification:
      outcome === null || outcome.appliedAt === null
        ? null
        : { decision: outcome.verification, blockers: outcome.blockers, attempts: outcome.attempts },
    documentSha256: record.documentHash,
  };
}

/**
 * Sends what has not gone out yet of the outcome message and event, and notes on the record what did
 * (a note that fails is a failure too: the next run would send it again).
 */
async function publish(
  record: ProposalRecord,
  result: ApplyMessageOutcome,
  outcome: ApplyOutcome | null,
  deps: ApplyDependencies,
): Promise<PublishFailure[]> {
  const failures: PublishFailure[] = [];
  const published: ResultPublished = {};
  // The event first: when a run dies before noting what went out, the next one sends it again, and an
  // event consumer copes with a repeat better than a person reading the channel twice.
  if (record.resultEventAt === null) {
    try {
      await deps.events.publish(PROPOSAL_APPLIED_DETAIL_TYPE, appliedEventDetail(record, result, outcome));
      published.eventAt = deps.clock();
    } catch (error) {
      failures.push({ channel: 'event', error });
    }
  }
  if (record.resultMessageAt === null) {
    try {
      const message = renderOutcomeMessage({
        record,
        result,
        outcome,
        reviewBaseUrl: deps.settings.reviewBaseUrl ?? null,
      });
      await deps.notifier.publish(message);
      published.messageAt = deps.clock();
    } catch (error) {
      failures.push({ channel: 'message', error });
    }
  }
  if (published.messageAt !== undefined || published.eventAt !== undefined) {
    try {
      await deps.store.markResultPublished(record.id, published);
    } catch (error) {
      failures.push({ channel: 'record', error });
    }
  }
  return failures;
}

/** What a decided record's outcome message says, from what the record holds. */
function decidedOutcomeOf(record: ProposalRecord): ApplyMessageOutcome {
  if (record.status === 'verified') return { kind: 'verified' };
  if (record.status === 'not-verified')
    return { kind: 'not-verified', blockers: record.outcome?.blockers ?? [] };
  const detail =
    [...record.history].reverse().find((event) => event.status === record.status)?.detail ?? 'unknown reason';
  return detail.startsWith(REFUSED_PREFIX)
    ? { kind: 'refused', reason: detail.slice(REFUSED_PREFIX.length) }
    : { kind: 'failed', reason: detail };
}

/**
 * A decided record the apply function decided (it has an outcome) whose message or event did not all
 * go out: a run died after deciding, or publishing failed. It goes out now; anything else is done.
 */
async function announceDecided(record: ProposalRecord, deps: ApplyDependencies): Promise<ApplyResult> {
  const unannounced = record.resultMessageAt === null || record.resultEventAt === null;
  if (record.outcome === null || !unannounced) return { kind: 'not-approved', status: record.status };
  const publishFailures = await publish(record, decidedOutcomeOf(record), record.outcome, deps);
  return { kind: 'announced', status: record.status, record, recorded: true, publishFailures };
}

function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return (typeof message === 'string' ? message : String(error)).replace(/\s+/g, ' ').trim();
}
