/**
 * The re-check at decision time: the account is read again (the role's policies, everyone who gains
 * the grant), the escalation analysis runs again, and the requirement is derived again under the
 * deployment's settings. A level that rose since the proposal was made (or can no longer be known)
 * refuses the approval; the fresh gainers are the ones separation of duties is checked against.
 * Proposals stored before the analysis existed get theirs here, when they are opened.
 */
import type { AccountAccess } from '../../ports/account-access';
import type { EscalationReader } from '../../ports/escalation-reader';
import { MemberAccessError, RetryRecordError } from '../errors';
import { analyseEscalation } from '../escalation/analyse';
import {
  levelRank,
  unknownEscalation,
  type EscalationAnalysis,
  type EscalationInputs,
  type EscalationLevel,
  type EscalationOptions,
} from '../escalation/model';
import type { IncidentRecord } from '../incident';
import type { Proposal } from '../model';
import { escalationTarget } from '../proposal/target';
import { approvalRequirement, type ApprovalPolicySettings, type ApprovalRule } from './requirement';

export type EscalationAnalyser = (inputs: EscalationInputs, options: EscalationOptions) => EscalationAnalysis;

export interface RecheckDependencies {
  /**
   * Reads the denial's account through its own access (organization mode: its member read role;
   * single-account mode: SingleAccountAccess, which refuses any other account). Takes precedence.
   */
  accounts?: AccountAccess;
  /** This account's reader, where no `accounts` is given (the local server, tests). */
  escalationReader?: EscalationReader;
  /** The analysis (core/escalation/analyse.ts by default; tests inject theirs). */
  analyse?: EscalationAnalyser;
  policy: ApprovalPolicySettings;
  ownResourceArns: readonly string[];
}

export interface Recheck {
  analysis: EscalationAnalysis;
  /** What approving needs now, under the deployment's settings. */
  rule: ApprovalRule;
  /** The ARNs of everyone who gains the grant, as read now; empty when the read failed. */
  gainers: string[];
  /** Set when the level is higher than the proposal's (or no longer known): the approval is refused. */
  rose: { from: EscalationLevel; to: EscalationLevel | null } | null;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

/**
 * Reads and analyses again. A transient read failure propagates (nothing is decided; try again); any
 * other failure makes the analysis `unknown`, which is never approvable.
 */
export async function recheckProposal(
  deps: RecheckDependencies,
  record: IncidentRecord & { proposal: Proposal },
): Promise<Recheck> {
  const proposal = record.proposal;
  const { analysis, gainers } = await analyseAgain(deps, record.denial, proposal);
  const rule = approvalRequirement(
    analysis,
    proposal.target,
    deps.policy,
    'deployment',
    record.denial.account,
  );
  return { analysis, rule, gainers, rose: levelRose(proposal.escalation, analysis) };
}

/** The reader of `accountId`: through its AccountAccess when there is one. */
async function readerOf(deps: RecheckDependencies, accountId: string): Promise<EscalationReader> {
  if (deps.accounts !== undefined) return (await deps.accounts.read(accountId)).escalationReader;
  if (deps.escalationReader !== undefined) return deps.escalationReader;
  throw new MemberAccessError(
    accountId,
    'role-unavailable',
    `no access to account ${accountId} is configured`,
  );
}

async function analyseAgain(
  deps: RecheckDependencies,
  denial: IncidentRecord['denial'],
  proposal: Proposal,
): Promise<{ analysis: EscalationAnalysis; gainers: string[] }> {
  const roleArn = denial.roleArn;
  if (roleArn === null) {
    return { analysis: unknownEscalation('the denial does not name the role that was passed'), gainers: [] };
  }
  let inputs: EscalationInputs;
  try {
    const reader = await readerOf(deps, denial.account);
    inputs = await reader.readEscalationInputs(
      roleArn,
      escalationTarget(proposal.target, denial.policySourceArn),
    );
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    // Never approvable: the member role is missing or refuses, or the account is not this one.
    return {
      analysis: unknownEscalation(`the account could not be read again: ${describe(error)}`),
      gainers: [],
    };
  }
  const gainers = inputs.gainers.map((gainer) => gainer.arn);
  try {
    const analyse = deps.analyse ?? analyseEscalation;
    return { analysis: analyse(inputs, { ownResourceArns: deps.ownResourceArns }), gainers };
  } catch (error) {
    return { analysis: unknownEscalation(`the escalation analysis failed: ${describe(error)}`), gainers };
  }
}

/** The rise from what the proposal said to what is true now; null when it did not rise. */
export function levelRose(
  stored: EscalationAnalysis | undefined,
  fresh: EscalationAnalysis,
): Recheck['rose'] {
  if (stored === undefined || stored.kind !== 'analysed') return null;
  if (fresh.kind !== 'analysed') return { from: stored.level, to: null };
  return levelRank(fresh.level) > levelRank(stored.level) ? { from: stored.level, to: fresh.level } : null;
}

/** The record with the fresh analysis and rule in place of its own, for showing (never stored). */
export function withAnalysis<T extends IncidentRecord & { proposal: Proposal }>(
  record: T,
  recheck: Recheck,
): T {
  return {
    ...record,
    proposal: { ...record.proposal, escalation: recheck.analysis, approval: recheck.rule },
  };
}
