import { approvableTarget } from '../../../lambda/core/approval/approvable-target';
import { linkMayApproveProposal } from '../../../lambda/core/render/escalation-labels';
import type { Proposal, ProposalTarget } from '../../../lambda/core/model';
import { CASES } from '../render/support/escalation-fixtures';

const READ: ProposalTarget = {
  type: 'permission-set',
  name: 'Data_Engineer',
  arn: null,
  memberCount: null,
  instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef',
  definitionHash: 'a'.repeat(64),
};

describe('approvableTarget', () => {
  it('approves IAM targets and a permission set read from Identity Center', () => {
    expect(approvableTarget({ type: 'role' })).toBe(true);
    expect(approvableTarget(READ)).toBe(true);
  });

  it.each(['instanceArn', 'permissionSetArn', 'definitionHash'] as const)(
    'keeps a permission set without %s as advice',
    (field) => {
      const { [field]: _dropped, ...rest } = READ;
      expect(approvableTarget(rest)).toBe(false);
    },
  );
});

describe('linkMayApproveProposal uses it', () => {
  const base: Pick<Proposal, 'escalation' | 'approval'> = CASES.contained;

  it('a permission set read from Identity Center, analysed, one approver: the link may approve', () => {
    expect(linkMayApproveProposal({ ...base, target: READ })).toBe(true);
  });

  it('a permission set known by name only: the link may not', () => {
    const { definitionHash: _hash, ...byName } = READ;
    expect(linkMayApproveProposal({ ...base, target: byName })).toBe(false);
  });
});
