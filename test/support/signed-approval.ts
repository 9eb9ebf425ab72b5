/**
 * Signed decisions for tests: what the approval function (the only signer) attaches to a record it
 * approves, made here with a test key pair so the apply and reconcile tests build approved records
 * the way the product will. Signing here is synchronous (node:crypto over the same canonical bytes
 * and DER signatures LocalDecisionKeys and KMS produce), so record builders stay plain functions.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  DECISION_ENVELOPE_VERSION,
  envelopeBytes,
  type DecisionEnvelope,
  type SignedDecision,
} from '../../lambda/core/approval/signed-decision';
import type { EscalationFingerprint, EscalationInputs } from '../../lambda/core/escalation/model';
import { escalationFingerprint } from '../../lambda/core/escalation/fingerprint';
import { documentHash, type IncidentRecord } from '../../lambda/core/incident';
import type { PrincipalDetails, ProposalTarget, RoleDetails } from '../../lambda/core/model';
import type { DecisionSigner, DecisionVerifier } from '../../lambda/ports/decision-signer';
import type { EscalationReader } from '../../lambda/ports/escalation-reader';

export const TEST_DECISION_KEY_ID = 'test:decision-signing-key';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The verifier the apply step and the reconciler get in tests (the key of their own settings). */
export const testDecisionVerifier: DecisionVerifier = {
  keyId: TEST_DECISION_KEY_ID,
  verify: (message, signature) =>
    Promise.resolve(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature)),
};

export const testDecisionSigner: DecisionSigner = {
  keyId: TEST_DECISION_KEY_ID,
  sign: (message) => Promise.resolve(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' })),
};

/** An envelope signed with the test key, synchronously; `keyId` defaults to the test key's. */
export function signEnvelope(
  envelope: Omit<DecisionEnvelope, 'version' | 'keyId'> & { keyId?: string },
): SignedDecision {
  const full: DecisionEnvelope = {
    ...envelope,
    version: DECISION_ENVELOPE_VERSION,
    keyId: envelope.keyId ?? TEST_DECISION_KEY_ID,
  };
  const bytes = envelopeBytes(full);
  return {
    envelope: Buffer.from(bytes).toString('utf8'),
    signature: sign('sha256', bytes, { key: privateKey, dsaEncoding: 'der' }).toString('base64'),
  };
}

let decisions = 0;

export interface DecisionOptions {
  /** R's policies and the membership as the approver saw them. */
  fingerprint: EscalationFingerprint;
  decidedAt: Date;
  /** Default: the record's own expiry. */
  expiresAt?: Date;
  decisionId?: string;
  /** Fields to sign differently from the record (a decision for something else). */
  overrides?: Partial<Omit<DecisionEnvelope, 'version'>>;
}

/** The envelope the approval function would sign for `record` as it stands. */
export function envelopeFor(
  record: IncidentRecord,
  { fingerprint, decidedAt, expiresAt, decisionId, overrides = {} }: DecisionOptions,
): Omit<DecisionEnvelope, 'version' | 'keyId'> & { keyId?: string } {
  const proposal = record.proposal;
  if (proposal === null) throw new Error('no proposal to sign');
  const { type, name, arn } = proposal.target;
  decisions += 1;
  return {
    decisionId: decisionId ?? `decision-${record.id}-${decisions}`,
    proposalId: record.id,
    account: record.denial.account,
    documentHash: documentHash(proposal.document),
    target: { type, name, arn },
    policyName: proposal.policyName,
    escalationLevel: 'contained',
    rolePoliciesHash: fingerprint.rolePolicies,
    membershipHash: fingerprint.membership,
    approvers: [{ kind: 'link-holder', name: 'link holder', identity: 'link holder' }],
    decidedAt: decidedAt.toISOString(),
    expiresAt: (expiresAt ?? new Date(record.expiresAt)).toISOString(),
    ...overrides,
  };
}

/** `record` with a decision signed with the test key for it as it stands. */
export function withDecision(record: IncidentRecord, options: DecisionOptions): IncidentRecord {
  return { ...record, decision: signEnvelope(envelopeFor(record, options)) };
}

/** The envelope of a record's decision, parsed. */
export function envelopeOf(record: IncidentRecord): DecisionEnvelope {
  if (record.decision === null || record.decision === undefined) throw new Error('no decision');
  return JSON.parse(record.decision.envelope) as DecisionEnvelope;
}

// ---------------------------------------------------------------- what the apply step re-reads

/** An EscalationReader over inputs a test holds (and changes, to play a change in IAM). */
export class FakeEscalationReader implements EscalationReader {
  readonly reads: { roleArn: string; target: ProposalTarget }[] = [];
  failure: unknown = null;

  constructor(public inputs: EscalationInputs) {}

  async readEscalationInputs(roleArn: string, target: ProposalTarget): Promise<EscalationInputs> {
    this.reads.push({ roleArn, target });
    if (this.failure !== null) throw this.failure;
    return structuredClone(this.inputs);
  }

  fingerprint(): EscalationFingerprint {
    if (this.inputs.role === null) throw new Error('no role');
    return escalationFingerprint(this.inputs.role, this.inputs.gainers);
  }
}

/** A user as a gainer (only its ARN counts for the membership hash). */
export function gainer(arn: string): PrincipalDetails {
  return {
    kind: 'user',
    arn,
    name: arn.split('/').at(-1) ?? arn,
    path: '/',
    inlinePolicies: [],
    attachedPolicies: [],
    permissionsBoundary: null,
    groups: [],
  };
}

/** Escalation inputs of `role` and the given gainers. */
export function escalationInputs(
  accountId: string,
  role: RoleDetails | null,
  gainers: string[],
): EscalationInputs {
  return { accountId, role, gainers: gainers.map(gainer), trustingRoles: [], scps: null, notes: [] };
}
