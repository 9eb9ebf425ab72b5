import { InvalidInputError } from '../../../lambda/core/errors';
import { readApprovalSettings } from '../../../lambda/handlers/approval/settings';

const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ApprovalSigningKey-AbCdEf';
const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  APPROVAL_SECRET_ARN: SECRET_ARN,
  APPLY_FUNCTION_NAME: 'passrole-doctor-apply',
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
};

describe('readApprovalSettings', () => {
  it('reads the environment, with both approval modes by default', () => {
    expect(readApprovalSettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      approvalSecretArn: SECRET_ARN,
      applyFunctionName: 'passrole-doctor-apply',
      approvalMode: 'both',
      serviceName: 'passrole-doctor',
    });
    expect(readApprovalSettings({ ...ENV, APPROVAL_MODE: 'link' }).approvalMode).toBe('link');
  });

  it('needs the link key unless only IAM-signed approvals are served', () => {
    const withoutKey = { ...ENV, APPROVAL_SECRET_ARN: undefined };
    expect(() => readApprovalSettings(withoutKey)).toThrow(
      'APPROVAL_SECRET_ARN is not set: review links (APPROVAL_MODE both) are checked with it',
    );
    expect(readApprovalSettings({ ...withoutKey, APPROVAL_MODE: 'iam' })).toMatchObject({
      approvalMode: 'iam',
      approvalSecretArn: null,
    });
  });

  it('names every problem in one error', () => {
    const read = () =>
      readApprovalSettings({
        PROPOSALS_TABLE_NAME: '',
        APPROVAL_SECRET_ARN: 'signing-key',
        APPROVAL_MODE: 'links',
      });
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(
      'approval function environment is invalid: PROPOSALS_TABLE_NAME is not set; ' +
        "APPROVAL_SECRET_ARN is not a Secrets Manager secret ARN: 'signing-key'; " +
        'APPLY_FUNCTION_NAME is not set; ' +
        "APPROVAL_MODE must be link, iam or both, got 'links'; " +
        'POWERTOOLS_SERVICE_NAME is not set',
    );
  });
});
