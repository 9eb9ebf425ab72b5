import { InvalidInputError } from '../../../lambda/core/errors';
import { readApprovalSettings } from '../../../lambda/handlers/approval/settings';

const LINK_KEY = 'arn:aws:kms:ap-northeast-1:123456789012:key/0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10';
const KEY_ARN = 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  LINK_MAC_KEY_ID: LINK_KEY,
  APPLY_FUNCTION_NAME: 'passrole-doctor-apply',
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
  DECISION_SIGNING_KEY_ID: KEY_ARN,
};

describe('readApprovalSettings', () => {
  it('reads the environment, with both approval modes by default', () => {
    expect(readApprovalSettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      linkMacKeyId: LINK_KEY,
      applyFunctionName: 'passrole-doctor-apply',
      policy: {
        approvalMode: 'both',
        approvers: [],
        allowAdminRoles: false,
        autoApprove: 'off',
        permissionSetPeopleLimit: 10,
      },
      ownResourceArns: [],
      decisionSigningKeyId: KEY_ARN,
      organization: null,
      serviceName: 'passrole-doctor',
    });
    expect(readApprovalSettings({ ...ENV, APPROVAL_MODE: 'link' }).policy.approvalMode).toBe('link');
  });

  it('reads organization mode: the sensitive accounts go into the approval policy', () => {
    const settings = readApprovalSettings({
      ...ENV,
      ORGANIZATION_ID: 'o-a1b2c3d4e5',
      MEMBER_EXTERNAL_ID: 'passrole-doctor-hub',
      SENSITIVE_ACCOUNTS: '123456789012, 210987654321',
    });
    expect(settings.policy.sensitiveAccounts).toEqual(['123456789012', '210987654321']);
    expect(settings.organization).toMatchObject({ externalId: 'passrole-doctor-hub' });
  });

  it("reads who may approve what, and the stack's own resources", () => {
    const settings = readApprovalSettings({
      ...ENV,
      APPROVERS:
        ' arn:aws:iam::123456789012:user/alice , arn:aws:sts::123456789012:assumed-role/SecurityApprover/* ',
      ALLOW_ADMIN_ROLES: 'true',
      AUTO_APPROVE: 'no-new-access',
      PERMISSION_SET_PEOPLE_LIMIT: '3',
      OWN_RESOURCE_ARNS: 'arn:aws:dynamodb:*:123456789012:table/passrole-doctor-*',
    });
    expect(settings.policy).toEqual({
      approvalMode: 'both',
      approvers: [
        'arn:aws:iam::123456789012:user/alice',
        'arn:aws:sts::123456789012:assumed-role/SecurityApprover/*',
      ],
      allowAdminRoles: true,
      autoApprove: 'no-new-access',
      permissionSetPeopleLimit: 3,
    });
    expect(settings.ownResourceArns).toEqual(['arn:aws:dynamodb:*:123456789012:table/passrole-doctor-*']);
  });

  it('refuses approvers that are not principal ARN patterns, and unknown switches', () => {
    expect(() =>
      readApprovalSettings({
        ...ENV,
        APPROVERS: 'alice,arn:aws:s3:::bucket',
        ALLOW_ADMIN_ROLES: 'yes',
        AUTO_APPROVE: 'always',
        OWN_RESOURCE_ARNS: 'table',
        DECISION_SIGNING_KEY_ID: 'my-key',
      }),
    ).toThrow(
      "APPROVERS: 'alice' is not an IAM or STS principal ARN pattern; " +
        "APPROVERS: 'arn:aws:s3:::bucket' is not an IAM or STS principal ARN pattern; " +
        "ALLOW_ADMIN_ROLES must be true or false, got 'yes'; " +
        "AUTO_APPROVE must be off or no-new-access, got 'always'; " +
        "OWN_RESOURCE_ARNS: 'table' is not an ARN pattern; " +
        "DECISION_SIGNING_KEY_ID is not a KMS key ARN: 'my-key'",
    );
  });

  it('needs the link key unless only IAM-signed approvals are served', () => {
    const withoutKey = { ...ENV, LINK_MAC_KEY_ID: undefined };
    expect(() => readApprovalSettings(withoutKey)).toThrow(
      'LINK_MAC_KEY_ID is not set: review links (APPROVAL_MODE both) are checked with it',
    );
    expect(readApprovalSettings({ ...withoutKey, APPROVAL_MODE: 'iam' })).toMatchObject({
      policy: { approvalMode: 'iam' },
      linkMacKeyId: null,
    });
  });

  it('names every problem in one error', () => {
    const read = () =>
      readApprovalSettings({
        PROPOSALS_TABLE_NAME: '',
        LINK_MAC_KEY_ID: 'signing-key',
        APPROVAL_MODE: 'links',
      });
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(
      'approval function environment is invalid: PROPOSALS_TABLE_NAME is not set; ' +
        "LINK_MAC_KEY_ID is not a KMS key or alias ARN: 'signing-key'; " +
        'APPLY_FUNCTION_NAME is not set; ' +
        "APPROVAL_MODE must be link, iam or both, got 'links'; " +
        'DECISION_SIGNING_KEY_ID is not set; ' +
        'POWERTOOLS_SERVICE_NAME is not set',
    );
  });
});
