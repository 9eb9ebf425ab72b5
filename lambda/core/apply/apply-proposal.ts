/**
 * Applies one approved proposal: the only step of the product that changes IAM. Pure orchestration
 * over ports, so it runs the same against IAM, moto or an in-memory snapshot.
 *
 *  1. Load the record; only an `approved` one is applied (anything else is a redelivery or a decided
 *     record: nothing to do).
 *  2. Check it again (apply-gate.ts): document hash, minimal shape, target, principal. A refusal moves
 *     `approved` -> `failed`, by a conditional write, before any lease is taken: no IAM call is made.
 *  3. Take the apply lease: one writer per proposal however many invocations arrive.
 *  4. Put the inline policy once, read it back and compare canonical JSON; `approved` -> `applied`.
 *  5. Re-simulate iam:PassRole with the proposal's verification context, without the document as an
 *     additional policy (it must now be in IAM), with exponential backoff while IAM propagates;
 *     `applied` -> `verified` or `not-verified`, the outcome stored with the transition.
 *  6. Publish the outcome message (the proposal's Chatbot thread) and a `Proposal Applied` event.
 *
 * Errors before the write propagate (the caller may retry: nothing has changed). From the write on,
 * nothing propagates: an unexpected error moves the record to `failed` with the detail, and no run
 * ever writes twice. Publishing failures are returned for the caller to log and count.
 */
import type { Actor } from '../approval/status';
import { TransientAwsError } from '../errors';
import type { ProposalRecord, ProposalStatus } from '../incident';
import type { AccountScope, Decision, MatchedStatement, SimulationResult } from '../model';
import { renderOutcomeMessage, type ApplyMessageOutcome } from '../render/message/outcome';
import type { AccountReader } from '../../ports/account-reader';
import type { ApplyOutcome, ApprovalStore, TransitionOutcome } from '../../ports/approval-store';
import type { EventDetailValue, EventPublisher } from '../../ports/event-publisher';
import type { Notifier } from '../../ports/notifier';
import type { PolicySimulator } from '../../ports/policy-simulator';
import type { PolicyWriter } from '../../ports/policy-writer';
import { checkApplicable, type ApplyGateSettings, type ApplyPlan } from './apply-gate';
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

export interface ApplyDependencies {
  store: ApprovalStore;
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
  channel: 'message' | 'event';
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
  /** Not found, or not `approved` (already applied, decided, or never approved): nothing to do. */
  | { kind: 'not-approved'; status: ProposalStatus | null }
  /** Another invocation holds the apply lease: it applies the proposal. */
  | { kind: 'busy' };

const PASS_ROLE = 'iam:PassRole';

export async function applyProposal(proposalId: string, deps: ApplyDependencies): Promise<ApplyResult> {
  const { store, settings } = deps;
  const loaded = await store.get(proposalId);
  if (loaded === null) return { kind: 'not-approved', status: null };
  if (loaded.status !== 'approved') return { kind: 'not-approved', status: loaded.status };

  const gate = checkApplicable(loaded, settings);
  if (!gate.ok) return refuse(loaded, gate.reason, deps);

  const now = deps.clock();
  if (!(await store.claimApply(proposalId, now, new Date(now.getTime() + settings.leaseMs)))) {
    return { kind: 'busy' };
  }
  return writeAndVerify(loaded, gate.plan, deps);
}

// ---------------------------------------------------------------- refusal

async function refuse(record: ProposalRecord, reason: string, deps: ApplyDependencies): Promise<ApplyResult> {
  const at = deps.clock();
  const moved = await deps.store.transition(record.id, {
    from: 'approved',
    to: 'failed',
    actor: APPLY_ACTOR,
    at,
    detail: `refused: ${reason}`,
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
): Promise<ApplyResult> {
  const { writer, store } = deps;
  try {
    await writer.putInlinePolicy(plan.target, plan.policyName, plan.document);
  } catch (error) {
    return fail(record, 'approved', `could not write the policy: ${messageOf(error)}`, false, deps, {});
  }
  const appliedAt = deps.clock();
  // From here IAM has changed: nothing may propagate, and nothing writes again.
  let status: 'approved' | 'applied' = 'approved';
  let current = record;
  let readBackMatches = false;
  let attempts = 0;
  try {
    const readBack = await writer.getInlinePolicy(plan.target, plan.policyName);
    readBackMatches = readBack !== null && canonicalJson(readBack) === canonicalJson(plan.document);
    if (!readBackMatches) {
      const found = readBack === null ? 'no such policy' : 'a different document';
      return await fail(
        current,
        status,
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
      return await reportUnrecorded(current, applied, plan, deps, { readBackMatches, appliedAt });
    }
    status = 'applied';
    current = applied.record;

    const verification = await verify(plan, record, deps);
    attempts = verification.attempts;
    const finishedAt = deps.clock();
    const outcome: ApplyOutcome = {
      readBackMatches,
      verification: verification.decision,
      blockers: verification.blockers,
      attempts,
      appliedAt: appliedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    };
    const allowed = verification.decision === 'allowed';
    const ended = await store.transition(record.id, {
      from: 'applied',
      to: allowed ? 'verified' : 'not-verified',
      actor: APPLY_ACTOR,
      at: finishedAt,
      detail: allowed
        ? `allowed after ${attempts} simulation${attempts === 1 ? '' : 's'}`
        : `still blocked: ${verification.blockers.join('; ')}`,
      outcome,
    });
    const recorded = ended.kind === 'moved';
    const endRecord = ended.kind === 'moved' ? ended.record : current;
    const messageOutcome: ApplyMessageOutcome = allowed
      ? { kind: 'verified' }
      : { kind: 'not-verified', blockers: verification.blockers };
    const publishFailures = await publish(endRecord, messageOutcome, outcome, deps);
    return allowed
      ? { kind: 'applied-verified', outcome, record: endRecord, recorded, publishFailures }
      : {
          kind: 'applied-not-verified',
          outcome,
          blockers: verification.blockers,
          record: endRecord,
          recorded,
          publishFailures,
        };
  } catch (error) {
    return fail(current, status, `after writing the policy: ${messageOf(error)}`, true, deps, {
      readBackMatches,
      appliedAt,
      attempts,
    });
  }
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

/** Moves the record to `failed` (best effort: a store failure here is reported, never thrown). */
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
  let endRecord = record;
  let recorded = false;
  try {
    const moved = await deps.store.transition(record.id, {
      from,
      to: 'failed',
      actor: APPLY_ACTOR,
      at,
      detail: reason,
      outcome,
    });
    if (moved.kind === 'moved') {
      endRecord = moved.record;
      recorded = true;
    }
  } catch {
    // The reason still goes out in the message and the result; the caller logs that it is unrecorded.
  }
  const publishFailures = await publish(endRecord, { kind: 'failed', reason }, outcome, deps);
  return { kind: 'failed', reason, policyWritten, outcome, record: endRecord, recorded, publishFailures };
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

async function publish(
  record: ProposalRecord,
  result: ApplyMessageOutcome,
  outcome: ApplyOutcome | null,
  deps: ApplyDependencies,
): Promise<PublishFailure[]> {
  const failures: PublishFailure[] = [];
  try {
    const message = renderOutcomeMessage({
      record,
      result,
      outcome,
      reviewBaseUrl: deps.settings.reviewBaseUrl ?? null,
    });
    await deps.notifier.publish(message);
  } catch (error) {
    failures.push({ channel: 'message', error });
  }
  try {
    await deps.events.publish(PROPOSAL_APPLIED_DETAIL_TYPE, appliedEventDetail(record, result, outcome));
  } catch (error) {
    failures.push({ channel: 'event', error });
  }
  return failures;
}

function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return (typeof message === 'string' ? message : String(error)).replace(/\s+/g, ' ').trim();
}
