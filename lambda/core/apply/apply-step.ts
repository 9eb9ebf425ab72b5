/**
 * The apply step's interface: who it acts as, what it is given (settings, ports) and what a run
 * returns. The run itself is apply-proposal.ts.
 */
import type { Actor } from '../approval/status';
import type { IncidentRecord, IncidentStatus } from '../incident';
import type { AccountAccess } from '../../ports/account-access';
import type { DecisionLedger } from '../../ports/decision-ledger';
import type { ApprovalStore } from '../../ports/approval-store';
import type { PolicyWriter } from '../../ports/policy-writer';
import type { ApplyGateSettings } from './apply-gate';
import type { IdentityCenterApply } from './permission-set/identity-center-apply';
import type { AnnounceDependencies, PublishFailure } from './announce-outcome';
import type { ApplyOutcome } from './outcome';
import type { VerificationDependencies, VerificationSettings } from './verification';
import type { DecisionVerificationDependencies } from './verify-decision';

export const APPLY_ACTOR: Actor = {
  kind: 'iam',
  name: 'passrole-doctor apply function',
  sourceIp: null,
  userAgent: null,
};

/**
 * Claims before a run gives up and records the proposal `failed`: the first invocation and Lambda's
 * two retries, then the reconciler's.
 */
export const MAX_APPLY_ATTEMPTS = 6;

/** How long a decision id stays in the ledger after the decision expires (no apply accepts it then). */
export const DECISION_LEDGER_RETENTION_MS = 400 * 24 * 3_600_000;

export interface ApplySettings extends ApplyGateSettings, VerificationSettings {
  /** How long re-simulation may wait for IAM to propagate the change (default two minutes). */
  verifyTimeoutMs: number;
  /** How long this run holds the apply lease: longer than the run itself (write + verification). */
  leaseMs: number;
  /** Base URL of the review page, for the link in the outcome message. */
  reviewBaseUrl?: string | null;
}

export interface ApplyDependencies
  extends DecisionVerificationDependencies, VerificationDependencies, AnnounceDependencies {
  store: ApprovalStore;
  /** One IAM write per decision id. */
  decisionLedger: DecisionLedger;
  /** This account's writer; the proposal's account's when `accounts` is given (account-ports.ts). */
  writer: PolicyWriter;
  /**
   * The proposal's account, read and written through its own access: organization mode's member
   * roles, or single-account mode's SingleAccountAccess (which refuses every other account). When
   * given, it supersedes writer, simulator, escalationReader and accountReader.
   */
  accounts?: AccountAccess;
  /**
   * Identity Center's reads and writes, for permission-set proposals (organization mode: the
   * management account's roles). Absent: those are refused, nothing read or written.
   */
  identityCenter?: IdentityCenterApply;
  settings: ApplySettings;
}

interface Reported {
  /** The record as last stored (or as loaded, when storing the end failed). */
  record: IncidentRecord;
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
  | ({ kind: 'announced'; status: IncidentStatus } & Reported)
  /** Not found, or nothing to do when loaded (pending, rejected, or decided and announced). */
  | { kind: 'not-approved'; status: IncidentStatus | null }
  /**
   * This run reached a decision, but the record had moved before it could store it (another run, or
   * someone else, decided first; null: gone): theirs is the word, nothing went out.
   */
  | { kind: 'decided-elsewhere'; status: IncidentStatus | null }
  /** Another invocation holds the apply lease: it applies the proposal. */
  | { kind: 'busy' }
  /**
   * A permission set's provisioning (or its rollback's) is still IN_PROGRESS when this run's time is
   * up: the request id is on the record and the lease given back; the next run (the reconciler's)
   * polls it again.
   */
  | { kind: 'provisioning'; requestId: string; record: IncidentRecord };

export type { PublishFailure };
