/**
 * A decision on a permission set signs the set, the account it is provisioned to and the definition
 * hash as analysed; decisions on IAM targets carry no such claim and verify as before.
 */
import { decisionEnvelope } from '../../../lambda/core/approval/decision-envelope';
import { verifySignedDecision } from '../../../lambda/core/approval/signed-decision';
import { envelopeMismatch } from '../../../lambda/core/apply/verify-decision';
import type { AnalysedEscalation } from '../../../lambda/core/approval/decision-envelope';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { proposalRecord } from '../../adapters/support/proposal-records';
import { envelopeOf, signEnvelope, testDecisionVerifier } from '../../support/signed-approval';

const SET_ARN = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-abcdef0123456789';
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const HASH = 'c'.repeat(64);

const ANALYSIS = {
  kind: 'analysed',
  level: 'contained',
  fingerprint: { rolePolicies: 'r'.repeat(64), membership: 'm'.repeat(64) },
} as unknown as AnalysedEscalation;

function permissionSetRecord(): IncidentRecord & {
  proposal: NonNullable<IncidentRecord['proposal']>;
  documentHash: string;
} {
  const record = proposalRecord();
  if (record.proposal === null || record.documentHash === null) throw new Error('no proposal');
  return {
    ...record,
    documentHash: record.documentHash,
    proposal: {
      ...record.proposal,
      target: {
        type: 'permission-set',
        name: 'Data_Engineer',
        arn: null,
        memberCount: null,
        instanceArn: INSTANCE_ARN,
        permissionSetArn: SET_ARN,
        definitionHash: HASH,
      },
    },
  };
}

function envelopeOfRecord(record: ReturnType<typeof permissionSetRecord>) {
  return decisionEnvelope({
    record,
    analysis: ANALYSIS,
    approvers: [{ kind: 'iam', name: 'arn:aws:iam::111111111111:user/alice', identity: 'alice' }],
    decisionId: 'd-1',
    decidedAt: new Date('2026-06-18T00:00:00Z'),
  });
}

describe('the permission set claim', () => {
  it('is signed for a set read from Identity Center: the set, the denial account, the definition hash', async () => {
    const record = permissionSetRecord();
    const envelope = envelopeOfRecord(record);
    expect(envelope.permissionSet).toEqual({
      instanceArn: INSTANCE_ARN,
      permissionSetArn: SET_ARN,
      accountId: record.denial.account,
      definitionHash: HASH,
    });
    const signed = signEnvelope(envelope);
    const check = await verifySignedDecision(testDecisionVerifier, signed);
    expect(check.ok).toBe(true);
    expect(envelopeMismatch(envelopeOf({ ...record, decision: signed }), record)).toBeNull();
  });

  it('is absent for an IAM target, whose decisions verify as before', async () => {
    const record = proposalRecord();
    if (record.proposal === null || record.documentHash === null) throw new Error('no proposal');
    const envelope = decisionEnvelope({
      record: { ...record, proposal: record.proposal, documentHash: record.documentHash },
      analysis: ANALYSIS,
      approvers: [],
      decisionId: 'd-2',
      decidedAt: new Date('2026-06-18T00:00:00Z'),
    });
    expect('permissionSet' in envelope).toBe(false);
    expect((await verifySignedDecision(testDecisionVerifier, signEnvelope(envelope))).ok).toBe(true);
  });

  it('is refused on an IAM target’s record (a set’s decision copied onto it)', () => {
    const record = proposalRecord();
    const envelope = signEnvelope({
      ...envelopeOfRecord(permissionSetRecord()),
      target: { type: 'group', name: 'GlueAccess', arn: record.proposal?.target.arn ?? null },
    });
    const parsed = envelopeOf({ ...record, decision: envelope });
    expect(
      envelopeMismatch({ ...parsed, target: { ...parsed.target, ...record.proposal?.target } }, record),
    ).toBe(`the decision approved permission set ${SET_ARN}`);
  });

  it('makes an envelope with a malformed claim no decision envelope', async () => {
    const envelope = envelopeOfRecord(permissionSetRecord());
    for (const permissionSet of [
      { ...envelope.permissionSet, accountId: 123 },
      { ...envelope.permissionSet, extra: 'x' },
      'arn',
    ]) {
      const signed = signEnvelope({ ...envelope, permissionSet } as unknown as typeof envelope);
      expect(await verifySignedDecision(testDecisionVerifier, signed)).toEqual({
        ok: false,
        problem: 'the signed decision is not a decision envelope',
      });
    }
  });
});
