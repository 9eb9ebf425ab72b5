/**
 * The requirement for a permission set: only a set read from Identity Center (definition hashed) is
 * approvable; its escalation level decides as for any target, and its blast radius raises a
 * one-approver grant to a listed IAM approver when it reaches more people than the limit, or an
 * unknown number.
 */
import {
  approvalRequirement,
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_PERMISSION_SET_PEOPLE_LIMIT,
  type ApprovalPolicySettings,
  type RequirementTarget,
} from '../../../lambda/core/approval/requirement';
import type { BlastRadius } from '../../../lambda/core/identity-center/model';
import { analysed } from '../../support/escalation';

const LISTED: ApprovalPolicySettings = {
  ...DEFAULT_APPROVAL_POLICY,
  approvers: ['arn:aws:iam::*:role/Approver'],
};
const radius = (people: number | null): BlastRadius => ({ people, accounts: 3, assignments: [] });
const set = (people: number | null): RequirementTarget => ({
  type: 'permission-set',
  blastRadius: radius(people),
  definitionHash: 'f'.repeat(64),
});

describe('approvalRequirement for a permission set', () => {
  it('not read from Identity Center: advice only, no one approves it (as before)', () => {
    const rule = approvalRequirement(analysed('none'), 'permission-set', LISTED, 'deployment');
    expect(rule.requires).toBe('not-approvable');
    expect(rule.reason).toBe(
      'the target is an Identity Center permission set: change it in Identity Center, not from here',
    );
  });

  it(`up to the limit (${DEFAULT_PERMISSION_SET_PEOPLE_LIMIT} people): the escalation level decides`, () => {
    const atLimit = set(DEFAULT_PERMISSION_SET_PEOPLE_LIMIT);
    expect(approvalRequirement(analysed('contained'), atLimit, LISTED, 'deployment').requires).toBe(
      'one-approver',
    );
    expect(approvalRequirement(analysed('sensitive'), atLimit, LISTED, 'deployment').requires).toBe(
      'iam-approver',
    );
  });

  it('more people than the limit: a listed IAM approver, said why', () => {
    const rule = approvalRequirement(analysed('none'), set(11), LISTED, 'deployment');
    expect(rule.requires).toBe('iam-approver');
    expect(rule.reason).toBe(
      'the grant adds no new access: one approver who does not gain it; the permission set reaches 11 people, more than 10: one listed IAM approver',
    );
  });

  it('an unknown number of people: a listed IAM approver; none listed: no one', () => {
    expect(approvalRequirement(analysed('none'), set(null), LISTED, 'deployment').requires).toBe(
      'iam-approver',
    );
    const rule = approvalRequirement(analysed('none'), set(null), DEFAULT_APPROVAL_POLICY, 'defaults');
    expect(rule.requires).toBe('not-approvable');
    expect(rule.reason).toContain('reaches an unknown number of people, which needs a listed IAM approver');
  });

  it('the limit is a setting', () => {
    const strict = { ...LISTED, permissionSetPeopleLimit: 1 };
    expect(approvalRequirement(analysed('none'), set(2), strict, 'deployment').requires).toBe('iam-approver');
  });

  it('never lowers: sensitive or admin grants keep their requirement; a sensitive account raises after', () => {
    expect(approvalRequirement(analysed('sensitive'), set(50), LISTED, 'deployment').requires).toBe(
      'iam-approver',
    );
    const sensitiveAccount = { ...LISTED, sensitiveAccounts: ['123456789012'] };
    expect(
      approvalRequirement(analysed('none'), set(50), sensitiveAccount, 'deployment', '123456789012').requires,
    ).toBe('two-approvers');
  });
});
