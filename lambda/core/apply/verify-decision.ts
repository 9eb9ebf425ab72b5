/**
 * Whether an approved record carries a decision the approval function signed for exactly it. The
 * table is not trusted: anyone who can write an item could mark it approved. So before any IAM write
 * the apply step checks, with the key named in its own settings (never one named by the record):
 *
 *  1. the signature (verifySignedDecision: key id, canonical form, ECDSA over the envelope);
 *  2. that the envelope is this record's: proposal id, account, the hash of the record's document
 *     (recomputed), target type/name/ARN, policy name; and that it has not expired;
 *  3. that R's policies and the target's members are still what the approver saw: both re-read and
 *     fingerprinted, and compared with the hashes that were signed.
 *
 * The reconciler runs 1 and 2 (without the expiry: an expired decision is the apply's to refuse and
 * report) before it asks for an apply.
 */
import { verifySignedDecision, type DecisionEnvelope } from '../approval/signed-decision';
import { RetryRecordError } from '../errors';
import { escalationFingerprint } from '../escalation/fingerprint';
import type { EscalationInputs } from '../escalation/model';
import { documentHash, type IncidentRecord } from '../incident';
import type { DecisionVerifier } from '../../ports/decision-signer';
import type { EscalationReader } from '../../ports/escalation-reader';
import type { ProposalTarget } from '../model';
import { escalationTarget } from '../proposal/target';
import type { ApplyPlan } from './apply-gate';

export type DecisionVerification =
  | { ok: true; envelope: DecisionEnvelope }
  /** `unsigned`: no decision at all (approved before decisions were signed, or written by hand). */
  | { ok: false; problem: string; unsigned: boolean };

/** Why an approval without a signed decision is never applied, and what to do about it. */
export const UNSIGNED_APPROVAL_PROBLEM =
  'the approval carries no signed decision (approved before decisions were signed, or not by the approval function): it needs re-approval, and the next denial opens a new proposal to approve';

/** What in the envelope is not this record's, or null when it is all this record's. */
export function envelopeMismatch(envelope: DecisionEnvelope, record: IncidentRecord): string | null {
  if (envelope.proposalId !== record.id) {
    return `the decision is for proposal ${envelope.proposalId}, not ${record.id}`;
  }
  if (envelope.account !== record.denial.account) {
    return `the decision is for account ${envelope.account}, not ${record.denial.account}`;
  }
  const proposal = record.proposal;
  if (proposal === null) return 'the record holds no proposal';
  if (documentHash(proposal.document) !== envelope.documentHash) {
    return 'the policy document is not the one the decision approved';
  }
  const { type, name, arn } = proposal.target;
  const signed = envelope.target;
  if (signed.type !== type || signed.name !== name || signed.arn !== arn) {
    return `the decision approved ${signed.type} ${signed.name}, not ${type} ${name}`;
  }
  if (envelope.policyName !== proposal.policyName) {
    return `the decision approved the policy name ${envelope.policyName}, not ${proposal.policyName}`;
  }
  return permissionSetMismatch(envelope, record);
}

/**
 * A permission set's decision must name the set, the account and the definition the record holds; any
 * other target's decision names no set.
 */
function permissionSetMismatch(envelope: DecisionEnvelope, record: IncidentRecord): string | null {
  const target = record.proposal?.target;
  const claim = envelope.permissionSet;
  if (target?.type !== 'permission-set') {
    return claim === undefined ? null : `the decision approved permission set ${claim.permissionSetArn}`;
  }
  if (claim === undefined) return 'the decision names no permission set definition';
  if (claim.permissionSetArn !== target.permissionSetArn || claim.instanceArn !== target.instanceArn) {
    return `the decision approved permission set ${claim.permissionSetArn}, not ${target.permissionSetArn ?? 'an unread set'}`;
  }
  if (claim.accountId !== record.denial.account) {
    return `the decision provisions account ${claim.accountId}, not ${record.denial.account}`;
  }
  if (claim.definitionHash !== target.definitionHash) {
    return 'the permission set definition is not the one the decision approved';
  }
  return null;
}

/** Why the decision is past its expiry at `now`, or null while it holds. */
export function decisionExpiry(envelope: DecisionEnvelope, now: Date): string | null {
  const expiry = Date.parse(envelope.expiresAt);
  if (Number.isNaN(expiry)) return 'the decision has no valid expiry';
  return now.getTime() >= expiry ? `the decision expired at ${envelope.expiresAt}` : null;
}

/** Steps 1 and 2 without the expiry: the signature, and that it was signed for this record. */
export async function checkSignedRecord(
  verifier: DecisionVerifier,
  record: IncidentRecord,
): Promise<DecisionVerification> {
  if (record.decision === null || record.decision === undefined) {
    return { ok: false, problem: UNSIGNED_APPROVAL_PROBLEM, unsigned: true };
  }
  const check = await verifySignedDecision(verifier, record.decision);
  if (!check.ok) return { ok: false, problem: check.problem, unsigned: false };
  const mismatch = envelopeMismatch(check.envelope, record);
  return mismatch === null
    ? { ok: true, envelope: check.envelope }
    : { ok: false, problem: mismatch, unsigned: false };
}

export interface DecisionVerificationDependencies {
  /** The public key of DECISION_SIGNING_KEY_ID, the apply function's own setting. */
  decisionVerifier: DecisionVerifier;
  /** Re-reads R's policies and who gains the grant. */
  escalationReader: EscalationReader;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * All three steps, for a record that passed the apply gate (`plan`) and is about to be written. A
 * transient failure to re-read propagates (the run is retried); any other is a refusal.
 */
export async function verifyDecisionForWrite(
  deps: DecisionVerificationDependencies,
  record: IncidentRecord,
  plan: Pick<ApplyPlan, 'roleArn' | 'accountId'> & { target: ProposalTarget },
  now: Date,
): Promise<DecisionVerification> {
  const signed = await checkSignedRecord(deps.decisionVerifier, record);
  if (!signed.ok) return signed;
  const envelope = signed.envelope;
  const refuse = (problem: string): DecisionVerification => ({ ok: false, problem, unsigned: false });
  // The gate checked the record against the function's own account; the decision must name it too.
  if (envelope.account !== plan.accountId) {
    return refuse(`the decision is for account ${envelope.account}, not ${plan.accountId}`);
  }
  const expired = decisionExpiry(envelope, now);
  if (expired !== null) return refuse(expired);

  let inputs: EscalationInputs;
  try {
    // Who gains, read as the approval's re-check read it: a permission set as its reserved role.
    inputs = await deps.escalationReader.readEscalationInputs(
      plan.roleArn,
      escalationTarget(plan.target, record.denial.policySourceArn),
    );
  } catch (error) {
    if (error instanceof RetryRecordError) throw error;
    return refuse(`could not re-read ${plan.roleArn} and who gains the grant: ${messageOf(error)}`);
  }
  if (inputs.role === null) return refuse(`the role ${plan.roleArn} no longer exists`);
  const current = escalationFingerprint(inputs.role, inputs.gainers);
  if (current.rolePolicies !== envelope.rolePoliciesHash) {
    return refuse(`the policies of ${plan.roleArn} changed since the approval`);
  }
  if (current.membership !== envelope.membershipHash) {
    const who =
      plan.target.type === 'group' ? `the members of group ${plan.target.name}` : 'who gains the grant';
    return refuse(`${who} changed since the approval`);
  }
  return { ok: true, envelope };
}
