/**
 * What a proposal really grants and who may approve it: the escalation inputs read through the
 * EscalationReader, the escalation analysis over them, and the approval requirement it implies under
 * the deployment's (or the default) approval settings. A read or analysis that fails, and a role that
 * does not exist, are `unknown` with the reason, hence not approvable: never a failed diagnosis.
 */
import type { EscalationReader } from '../../ports/escalation-reader';
import {
  approvalRequirement,
  DEFAULT_APPROVAL_POLICY,
  type ApprovalPolicySettings,
  type ApprovalRule,
  type AssumedSettings,
} from '../approval/requirement';
import { analyseEscalation } from '../escalation/analyse';
import {
  unknownEscalation,
  type EscalationAnalysis,
  type EscalationInputs,
  type EscalationOptions,
} from '../escalation/model';
import type { ProposalTarget } from '../model';
import { accountOf } from '../iam/arn';
import { escalationTarget } from './target';

/** The approval settings a requirement is derived under, and whose they are. */
export interface ApprovalPolicy {
  settings: ApprovalPolicySettings;
  /** `deployment`: the deployed functions' settings; `defaults`: assumed (the offline CLI). */
  source: AssumedSettings['source'];
}

export type EscalationAnalyser = (inputs: EscalationInputs, options: EscalationOptions) => EscalationAnalysis;

export interface EscalationDependencies {
  reader: EscalationReader;
  approvalPolicy: ApprovalPolicy;
  /** ARN patterns of this deployment's own resources (access to them is `sensitive`). */
  ownResourceArns: readonly string[];
  /** The analysis; analyseEscalation unless a test gives another. */
  analyse?: EscalationAnalyser;
}

export interface Assessment {
  escalation: EscalationAnalysis;
  approval: ApprovalRule;
}

export { unknownEscalation };

function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return (typeof message === 'string' ? message : String(error)).replace(/\s+/g, ' ').trim();
}

/** The escalation analysis of "pass `roleArn`", granted on `target`. */
export async function analyseGrant(
  roleArn: string,
  target: ProposalTarget,
  deps: Pick<EscalationDependencies, 'reader' | 'ownResourceArns' | 'analyse'>,
): Promise<EscalationAnalysis> {
  if (target.type === 'permission-set') {
    // Only a set not read whole (or not changeable from here) reaches this: one read from Identity
    // Center is analysed as its reserved role (escalationTarget).
    return unknownEscalation(
      target.blastRadius === undefined
        ? `the target is the Identity Center permission set ${target.name}, whose assignments are not in the account data`
        : `the target is the Identity Center permission set ${target.name}, which is not changed from here: what the statement would add is not analysed`,
    );
  }
  let inputs: EscalationInputs;
  try {
    inputs = await deps.reader.readEscalationInputs(roleArn, target);
  } catch (error) {
    return unknownEscalation(`the account data could not be read: ${messageOf(error)}`);
  }
  if (inputs.role === null)
    return unknownEscalation(`the role ${roleArn} does not exist in the account data`);
  try {
    return (deps.analyse ?? analyseEscalation)(inputs, { ownResourceArns: deps.ownResourceArns });
  } catch (error) {
    return unknownEscalation(`the escalation analysis failed: ${messageOf(error)}`);
  }
}

/**
 * The proposal's escalation analysis and approval requirement. `policySourceArn`: the denied entity,
 * which a permission set read from Identity Center is analysed as (escalationTarget).
 */
export async function assessGrant(
  roleArn: string,
  target: ProposalTarget,
  deps: EscalationDependencies,
  policySourceArn: string | null = null,
): Promise<Assessment> {
  const escalation = await analyseGrant(roleArn, escalationTarget(target, policySourceArn), deps);
  const { settings, source } = deps.approvalPolicy;
  // The passed role's account is the denial's (a role of another account is never proposed on): a
  // sensitive account's requirement is stated raised in the message, as the approval will enforce it.
  return {
    escalation,
    approval: approvalRequirement(escalation, target, settings, source, accountOf(roleArn)),
  };
}

/** The offline CLI's: the default approval settings, said to be assumed, and no own resources known. */
export function defaultEscalationDependencies(reader: EscalationReader): EscalationDependencies {
  return {
    reader,
    approvalPolicy: { settings: DEFAULT_APPROVAL_POLICY, source: 'defaults' },
    ownResourceArns: [],
  };
}
