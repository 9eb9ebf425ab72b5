import { InvalidInputError } from '../../../lambda/core/errors';
import { readApprovalSettings } from '../../../lambda/handlers/approval/settings';

const LINK_KEY = 'arn:aws:kms:ap-northeast-1:123456789012:key/0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10';
const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  LINK_MAC_KEY_ID: LINK_KEY,
  APPLY_FUNCTION_NAME: 'passrole-doctor-apply',
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
};

describe('readApprovalSettings', () => {
  it('reads the environment, with both approval modes by default', () => {
    expect(readApprovalSettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      linkMacKeyId: LINK_KEY,
      applyFunctionName: 'passrole-doctor-apply',
      approvalMode: 'both',
      serviceName: 'passrole-doctor',
    });
    expect(readApprovalSettings({ ...ENV, APPROVAL_MODE: 'link' }).approvalMode).toBe('link');
  });

  it('needs the link key unless only IAM-signed approvals are served', () => {
    const withoutKey = { ...ENV, LINK_MAC_KEY_ID: undefined };
    expect(() => readApprovalSettings(withoutKey)).toThrow(
      'LINK_MAC_KEY_ID is not set: review links (APPROVAL_MODE both) are checked with it',
    );
    expect(readApprovalSettings({ ...withoutKey, APPROVAL_MODE: 'iam' })).toMatchObject({
      approvalMode: 'iam',
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
        'POWERTOOLS_SERVICE_NAME is not set',
    );
  });
});
