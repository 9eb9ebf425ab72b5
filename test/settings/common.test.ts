import { APPROVAL_POLICY_ENV } from '../../lambda/settings/common';
import { readEnvironment, type Environment } from '../../lambda/settings/env';

const readApprovalPolicySettings = (env: Environment, problems: string[]) =>
  readEnvironment(APPROVAL_POLICY_ENV, env, problems);

describe('APPROVAL_POLICY_ENV', () => {
  it('defaults to both modes, no approvers, no admin roles, no auto-approval and no own resources', () => {
    const problems: string[] = [];
    expect(readApprovalPolicySettings({}, problems)).toEqual({
      approvalMode: 'both',
      approvers: [],
      allowAdminRoles: false,
      autoApprove: 'off',
      permissionSetPeopleLimit: 10,
      ownResourceArns: [],
    });
    expect(problems).toEqual([]);
  });

  it('reads approvers, admin roles, auto-approval and the stack’s own resources', () => {
    const problems: string[] = [];
    expect(
      readApprovalPolicySettings(
        {
          APPROVAL_MODE: 'iam',
          APPROVERS:
            ' arn:aws:iam::123456789012:role/SecurityApprover , arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Security_*/*,',
          ALLOW_ADMIN_ROLES: 'true',
          AUTO_APPROVE: 'no-new-access',
          PERMISSION_SET_PEOPLE_LIMIT: '0',
          OWN_RESOURCE_ARNS:
            'arn:aws:dynamodb:eu-west-1:123456789012:table/passrole-doctor-*,arn:aws:lambda:*:123456789012:function:PassRoleDoctor*',
        },
        problems,
      ),
    ).toEqual({
      approvalMode: 'iam',
      approvers: [
        'arn:aws:iam::123456789012:role/SecurityApprover',
        'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Security_*/*',
      ],
      allowAdminRoles: true,
      autoApprove: 'no-new-access',
      permissionSetPeopleLimit: 0,
      ownResourceArns: [
        'arn:aws:dynamodb:eu-west-1:123456789012:table/passrole-doctor-*',
        'arn:aws:lambda:*:123456789012:function:PassRoleDoctor*',
      ],
    });
    expect(problems).toEqual([]);
  });

  it('names every problem', () => {
    const problems: string[] = [];
    readApprovalPolicySettings(
      {
        APPROVAL_MODE: 'email',
        APPROVERS: 'alice,arn:aws:s3:::bucket',
        ALLOW_ADMIN_ROLES: 'yes',
        AUTO_APPROVE: 'always',
        PERMISSION_SET_PEOPLE_LIMIT: 'ten',
        OWN_RESOURCE_ARNS: 'table',
      },
      problems,
    );
    expect(problems).toEqual([
      "APPROVAL_MODE must be link, iam or both, got 'email'",
      "APPROVERS: 'alice' is not an IAM or STS principal ARN pattern",
      "APPROVERS: 'arn:aws:s3:::bucket' is not an IAM or STS principal ARN pattern",
      "ALLOW_ADMIN_ROLES must be true or false, got 'yes'",
      "AUTO_APPROVE must be off or no-new-access, got 'always'",
      "PERMISSION_SET_PEOPLE_LIMIT must be a whole number of people from 0 to 1000000, got 'ten'",
      "OWN_RESOURCE_ARNS: 'table' is not an ARN pattern",
    ]);
  });
});
