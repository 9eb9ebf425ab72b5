/**
 * A signed approval decision: what the approval function (the only signer) vouches for, in a form the
 * apply step and the reconciler verify before any IAM write. The database is not trusted: an item
 * written by anyone else carries no valid signature, and a signature covers exactly one proposal,
 * document, target, level and the role's policies and membership as analysed.
 */
import { canonicalJson } from '../incident';
import type { EscalationLevel } from '../escalation/model';
import type { ProposalTargetType } from '../model';
import type { DecisionSigner, DecisionVerifier } from '../../ports/decision-signer';

/** Who approved: an IAM caller (its ARN), a review-link holder, or the auto-approval rule. */
export interface DecisionApprover {
  kind: 'iam' | 'link-holder' | 'rule';
  /** The caller's ARN; 'link holder'; or the rule's name ('autoApprove: no-new-access'). */
  name: string;
  /**
   * The human behind it, for telling two approvals apart: the IAM user ARN, the Identity Center user
   * of an AWSReservedSSO_ session, or the role (sessions of one role are one approver).
   */
  identity: string;
}

export const DECISION_ENVELOPE_VERSION = 1;

/**
 * What a decision on an Identity Center permission set vouches for besides the document: the set, the
 * one account it is provisioned to, and the hash of its whole definition as analysed (the apply
 * refuses a set that hashes otherwise: someone else's unprovisioned edit would be pushed too).
 * Absent for IAM targets, so decisions signed before it existed verify unchanged.
 */
export interface PermissionSetClaim {
  instanceArn: string;
  permissionSetArn: string;
  /** The account ProvisionPermissionSet targets: the denial's, and no other. */
  accountId: string;
  /** definitionHash (core/identity-center/definition-hash.ts) of the set as analysed. */
  definitionHash: string;
}

export interface DecisionEnvelope {
  version: typeof DECISION_ENVELOPE_VERSION;
  /** One-time: the apply step writes IAM at most once per decision id. */
  decisionId: string;
  proposalId: string;
  account: string;
  documentHash: string;
  target: { type: ProposalTargetType; name: string; arn: string | null };
  policyName: string;
  escalationLevel: EscalationLevel;
  /** EscalationFingerprint.rolePolicies at decision time. */
  rolePoliciesHash: string;
  /** EscalationFingerprint.membership at decision time. */
  membershipHash: string;
  approvers: DecisionApprover[];
  /** ISO 8601. */
  decidedAt: string;
  /** ISO 8601: the apply step refuses the decision after this. */
  expiresAt: string;
  /** The signing key (its KMS ARN): lets the key be rotated by alias. */
  keyId: string;
  /** Permission-set targets only. */
  permissionSet?: PermissionSetClaim;
}

/** What the record stores: the exact signed bytes (canonical JSON) and the signature, base64. */
export interface SignedDecision {
  envelope: string;
  signature: string;
}

/** The bytes that are signed: canonical JSON, so equal envelopes sign identically. */
export function envelopeBytes(envelope: DecisionEnvelope): Uint8Array {
  return Buffer.from(canonicalJson(envelope), 'utf8');
}

export async function signDecision(
  signer: DecisionSigner,
  envelope: Omit<DecisionEnvelope, 'keyId' | 'version'>,
): Promise<SignedDecision> {
  const full: DecisionEnvelope = { ...envelope, version: DECISION_ENVELOPE_VERSION, keyId: signer.keyId };
  const bytes = envelopeBytes(full);
  const signature = await signer.sign(bytes);
  return {
    envelope: Buffer.from(bytes).toString('utf8'),
    signature: Buffer.from(signature).toString('base64'),
  };
}

export type DecisionCheck = { ok: true; envelope: DecisionEnvelope } | { ok: false; problem: string };

/**
 * Verifies the signature with the verifier's own key and parses the envelope. It does not compare the
 * envelope with the record: see checkDecisionAgainst (core/apply) for that.
 */
export async function verifySignedDecision(
  verifier: DecisionVerifier,
  signed: SignedDecision | null | undefined,
): Promise<DecisionCheck> {
  if (signed === null || signed === undefined) return { ok: false, problem: 'the approval is not signed' };
  if (typeof signed.envelope !== 'string' || typeof signed.signature !== 'string') {
    return { ok: false, problem: 'the signed decision is malformed' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(signed.envelope);
  } catch {
    return { ok: false, problem: 'the signed decision is not JSON' };
  }
  if (!isEnvelope(parsed)) return { ok: false, problem: 'the signed decision is not a decision envelope' };
  if (canonicalJson(parsed) !== signed.envelope) {
    return { ok: false, problem: 'the signed decision is not in canonical form' };
  }
  if (parsed.keyId !== verifier.keyId) {
    return { ok: false, problem: `the decision is signed with ${parsed.keyId}, not the trusted key` };
  }
  const signature = Buffer.from(signed.signature, 'base64');
  if (signature.length === 0 || signature.toString('base64') !== signed.signature) {
    return { ok: false, problem: 'the signature is not base64' };
  }
  const valid = await verifier.verify(Buffer.from(signed.envelope, 'utf8'), signature);
  return valid ? { ok: true, envelope: parsed } : { ok: false, problem: 'the signature does not verify' };
}

function isEnvelope(value: unknown): value is DecisionEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const strings = [
    'decisionId',
    'proposalId',
    'account',
    'documentHash',
    'policyName',
    'escalationLevel',
    'rolePoliciesHash',
    'membershipHash',
    'decidedAt',
    'expiresAt',
    'keyId',
  ];
  if (v['version'] !== DECISION_ENVELOPE_VERSION) return false;
  if (!strings.every((key) => typeof v[key] === 'string')) return false;
  const target = v['target'];
  if (typeof target !== 'object' || target === null) return false;
  const t = target as Record<string, unknown>;
  if (typeof t['type'] !== 'string' || typeof t['name'] !== 'string') return false;
  if (t['arn'] !== null && typeof t['arn'] !== 'string') return false;
  if (v['permissionSet'] !== undefined && !isPermissionSetClaim(v['permissionSet'])) return false;
  const approvers = v['approvers'];
  return (
    Array.isArray(approvers) &&
    approvers.every(
      (a: unknown) =>
        typeof a === 'object' &&
        a !== null &&
        typeof (a as Record<string, unknown>)['kind'] === 'string' &&
        typeof (a as Record<string, unknown>)['name'] === 'string' &&
        typeof (a as Record<string, unknown>)['identity'] === 'string',
    )
  );
}

function isPermissionSetClaim(value: unknown): value is PermissionSetClaim {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const claim = value as Record<string, unknown>;
  const keys = ['instanceArn', 'permissionSetArn', 'accountId', 'definitionHash'];
  return (
    Object.keys(claim).every((key) => keys.includes(key)) &&
    keys.every((key) => typeof claim[key] === 'string')
  );
}
