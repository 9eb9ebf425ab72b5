import type { Diagnosis, Proposal } from '../../../lambda/core/model';
import { minimalPassRoleDocument } from '../../../lambda/core/proposal/document';
import { renderTextReport, terminalSafe } from '../../../lambda/core/render/text-report';
import { denialOf } from '../../support/denials';
import {
  analysed,
  CASES,
  DEFAULT_SETTINGS,
  MEMBER,
  rule,
  unknownAnalysis,
  withCase,
  type CaseName,
} from './support/escalation-fixtures';

const ROLE = 'arn:aws:iam::123456789012:role/etl-runtime';

const proposal: Proposal = {
  target: {
    type: 'group',
    name: 'GlueAccess',
    arn: 'arn:aws:iam::123456789012:group/GlueAccess',
    memberCount: 2,
  },
  policyName: 'AllowPassEtlRuntimeToGlue',
  document: minimalPassRoleDocument(ROLE, 'glue.amazonaws.com', 'AllowPassEtlRuntimeToGlue'),
  verified: true,
  blockers: [],
  verificationContext: {},
  risk: [],
  commands: { apply: 'aws iam put-group-policy ...', verify: 'aws iam simulate-principal-policy ...' },
};

function report(change: Proposal): string {
  const diagnosis: Diagnosis = {
    outcome: 'recorded',
    denial: denialOf({}),
    verdict: 'implicitDeny',
    summary: 'mei may not pass etl-runtime',
    findings: [],
    proposal: change,
    reason: null,
  };
  return renderTextReport(diagnosis);
}

describe('terminal output', () => {
  it('shows control characters from events as escapes, keeping newlines', () => {
    expect(terminalSafe('role\u001b[2Jx\rY\nnext')).toBe('role\\u001b[2Jx\\u000dY\nnext');
  });
});

describe('the text report: what the grant adds and who may approve it', () => {
  it.each([
    ['none', 'none: the grant gives no one new access'],
    ['contained', 'contained: new access, none of it sensitive'],
    ['sensitive', 'sensitive: new access to IAM writes'],
    ['admin', 'admin: effectively everything (administrator access)'],
  ] as const)('tells a %s grant, the member compared with and the requirement', (name: CaseName, words) => {
    const text = report(withCase(proposal, name));
    expect(text).toContain(`  What it adds: ${words}\n    compared with: ${MEMBER}\n`);
    expect(text).toContain(`    why: ${CASES[name].approval.reason}`);
    expect(text).not.toContain('assuming the default approval settings');
  });

  it('lists each gain with its actions and where the role gets it, and the exposure', () => {
    const text = report(withCase(proposal, 'sensitive'));
    expect(text).toContain(
      [
        '    + IAM writes: iam:PutRolePolicy, iam:AttachRolePolicy [policy arn:aws:iam::aws:policy/IAMFullAccess, statement 0]',
        '    + other new access: s3:PutObject [policy etl-data, statement WriteStaging]',
        '    also reachable: role deploy-admin trusts it (sts:AssumeRole)',
        '  Approval: one IAM approver listed in approvers (a review link cannot approve it)',
      ].join('\n'),
    );
  });

  it('tells an unknown analysis with its reason, as not approvable', () => {
    const text = report(withCase(proposal, 'unknown'));
    expect(text).toContain('  What it adds: unknown, not approvable: the role etl-runtime could not be read');
    expect(text).toContain('  Approval: no one: it is not approvable');
  });

  it('says when it assumes the default approval settings, as the offline CLI does', () => {
    const text = report({
      ...withCase(proposal, 'sensitive'),
      approval: rule(
        'not-approvable',
        'the grant adds sensitive access, which only a listed IAM approver may approve, and none is configured',
        DEFAULT_SETTINGS,
      ),
    });
    expect(text).toContain(
      '    assuming the default approval settings: approvalMode both, no approvers listed, allowAdminRoles false, autoApprove off',
    );
  });

  it('says a proposal without an analysis is not analysed yet', () => {
    expect(report(proposal)).toContain(
      '  What it adds: not analysed yet (this proposal predates the escalation analysis)',
    );
  });

  it('shows control characters in gains, policy names and ARNs as escapes', () => {
    const text = report({
      ...proposal,
      escalation: analysed(
        'sensitive',
        [
          {
            category: 'secrets',
            actions: ['kms:\u001b[2JDecrypt'],
            policy: 'p\u001b]0;x\u0007',
            statement: null,
          },
        ],
        [],
        'arn:aws:iam::123456789012:user/\u001b[31mred',
      ),
      approval: rule('iam-approver', 'why\r'),
    });
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b|\u0007|\r/);
    expect(text).toContain('kms:\\u001b[2JDecrypt [policy p\\u001b]0;x\\u0007]');
    expect(text).toContain('compared with: arn:aws:iam::123456789012:user/\\u001b[31mred');
    expect(report({ ...proposal, escalation: unknownAnalysis('gone\u001b[2J') })).toContain('gone\\u001b[2J');
  });
});
