import { DEFAULT_APPROVAL_POLICY, approvalRequirement } from '../../../lambda/core/approval/requirement';
import type { EscalationAnalysis } from '../../../lambda/core/escalation/model';
import type { Diagnosis, Proposal } from '../../../lambda/core/model';
import { unknownEscalation } from '../../../lambda/core/proposal/assess-escalation';
import { toJsonReport } from '../../../lambda/core/render/json-report';

const PROPOSAL: Proposal = {
  target: {
    type: 'group',
    name: 'GlueAccess',
    arn: 'arn:aws:iam::123456789012:group/GlueAccess',
    memberCount: 2,
  },
  policyName: 'AllowPassEtlNightlyRuntimeToGlue',
  document: { Version: '2012-10-17', Statement: [] },
  verified: true,
  blockers: [],
  verificationContext: {},
  risk: [],
  commands: { apply: null, verify: 'aws iam simulate-principal-policy' },
};

function diagnosisWith(proposal: Proposal): Diagnosis {
  return {
    outcome: 'recorded',
    denial: null,
    verdict: 'implicitDeny',
    summary: 's',
    findings: [],
    proposal,
    reason: null,
  };
}

const ANALYSED: EscalationAnalysis = {
  kind: 'analysed',
  level: 'sensitive',
  comparedWith: 'arn:aws:iam::123456789012:user/kenji',
  gains: [
    {
      category: 'secrets',
      actions: ['secretsmanager:GetSecretValue'],
      policy: 'EtlRuntime',
      statement: 'ReadSecrets',
    },
  ],
  exposure: ['role etl-admin trusts etl-nightly-runtime'],
  fingerprint: { rolePolicies: 'a'.repeat(64), membership: 'b'.repeat(64) },
};

describe('the JSON report’s escalation and approval', () => {
  it('adds the level, the member compared, the gains, the exposure and who may approve (no fingerprint)', () => {
    const approval = approvalRequirement(ANALYSED, 'group', DEFAULT_APPROVAL_POLICY, 'defaults');
    const report = toJsonReport(diagnosisWith({ ...PROPOSAL, escalation: ANALYSED, approval }));
    const proposal = report.proposal as Record<string, unknown>;
    expect(Object.keys(proposal)).toEqual([
      'target',
      'policyName',
      'document',
      'verified',
      'blockers',
      'risk',
      'commands',
      'escalation',
      'approval',
      'blastRadius',
    ]);
    expect(proposal['blastRadius']).toBeNull();
    expect(proposal.escalation).toEqual({
      level: 'sensitive',
      comparedWith: 'arn:aws:iam::123456789012:user/kenji',
      gains: [
        {
          category: 'secrets',
          actions: ['secretsmanager:GetSecretValue'],
          policy: 'EtlRuntime',
          statement: 'ReadSecrets',
        },
      ],
      exposure: ['role etl-admin trusts etl-nightly-runtime'],
      reason: null,
    });
    expect(proposal.approval).toEqual({
      requires: 'not-approvable',
      reason: approval.reason,
      assumedSettings: {
        source: 'defaults',
        approvalMode: 'both',
        approversConfigured: false,
        allowAdminRoles: false,
        autoApprove: 'off',
      },
    });
  });

  it('says why an unknown escalation is unknown', () => {
    const escalation = unknownEscalation('the role does not exist');
    const approval = approvalRequirement(escalation, 'group', DEFAULT_APPROVAL_POLICY, 'deployment');
    const proposal = toJsonReport(diagnosisWith({ ...PROPOSAL, escalation, approval })).proposal as Record<
      string,
      unknown
    >;
    expect(proposal.escalation).toEqual({
      level: null,
      comparedWith: null,
      gains: [],
      exposure: [],
      reason: 'the role does not exist',
    });
    expect(proposal.approval).toMatchObject({ requires: 'not-approvable' });
  });

  it('gives null for both on a proposal made before the analysis existed', () => {
    const proposal = toJsonReport(diagnosisWith(PROPOSAL)).proposal as Record<string, unknown>;
    expect(proposal.escalation).toBeNull();
    expect(proposal.approval).toBeNull();
  });
});
