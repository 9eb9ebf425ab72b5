import { InvalidInputError } from '../../../lambda/core/errors';
import { readDiagnoseSettings } from '../../../lambda/handlers/diagnose/settings';

const LINK_KEY = 'arn:aws:kms:ap-northeast-1:123456789012:key/0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10';
const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
  TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:passrole-doctor',
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
  POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
};

describe('readDiagnoseSettings', () => {
  it('reads the environment, with 72 h proposals, 24 h reminders and both approval modes by default', () => {
    expect(readDiagnoseSettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      idempotencyTableName: 'idempotency',
      topicArn: ENV.TOPIC_ARN,
      proposalTtlHours: 72,
      renotifyAfterHours: 24,
      reviewBaseUrl: null,
      approvalMode: 'both',
      approvalPolicy: {
        approvalMode: 'both',
        approvers: [],
        allowAdminRoles: false,
        autoApprove: 'off',
        permissionSetPeopleLimit: 10,
      },
      ownResourceArns: [],
      linkMacKeyId: null,
      approvalFunctionName: null,
      organization: null,
      serviceName: 'passrole-doctor',
      metricsNamespace: 'PassRoleDoctor',
    });
    expect(
      readDiagnoseSettings({
        ...ENV,
        PROPOSAL_TTL_HOURS: '48',
        RENOTIFY_AFTER_HOURS: '6',
        REVIEW_BASE_URL: 'https://review.example.com',
        APPROVAL_MODE: 'link',
        LINK_MAC_KEY_ID: LINK_KEY,
      }),
    ).toMatchObject({
      proposalTtlHours: 48,
      renotifyAfterHours: 6,
      reviewBaseUrl: 'https://review.example.com',
      approvalMode: 'link',
      linkMacKeyId: LINK_KEY,
    });
  });

  it('reads the approval policy and the stack’s own resources', () => {
    expect(
      readDiagnoseSettings({
        ...ENV,
        APPROVAL_MODE: 'iam',
        APPROVERS: 'arn:aws:iam::123456789012:role/SecurityApprover',
        ALLOW_ADMIN_ROLES: 'true',
        AUTO_APPROVE: 'no-new-access',
        APPROVAL_FUNCTION_NAME: 'PassRoleDoctor-Approval',
        OWN_RESOURCE_ARNS: 'arn:aws:dynamodb:ap-northeast-1:123456789012:table/proposals',
      }),
    ).toMatchObject({
      approvalFunctionName: 'PassRoleDoctor-Approval',
      approvalMode: 'iam',
      approvalPolicy: {
        approvalMode: 'iam',
        approvers: ['arn:aws:iam::123456789012:role/SecurityApprover'],
        allowAdminRoles: true,
        autoApprove: 'no-new-access',
      },
      ownResourceArns: ['arn:aws:dynamodb:ap-northeast-1:123456789012:table/proposals'],
    });
  });

  it('needs the approval function to ask only when auto-approval is on', () => {
    const auto = { ...ENV, AUTO_APPROVE: 'no-new-access' };
    expect(() => readDiagnoseSettings(auto)).toThrow('APPROVAL_FUNCTION_NAME is not set');
    expect(() => readDiagnoseSettings({ ...auto, APPROVAL_FUNCTION_NAME: 'not a name' })).toThrow(
      "APPROVAL_FUNCTION_NAME is not a function name or ARN: 'not a name'",
    );
    expect(
      readDiagnoseSettings({
        ...auto,
        APPROVAL_FUNCTION_NAME: 'arn:aws:lambda:ap-northeast-1:123456789012:function:PassRoleDoctor-Approval',
      }).approvalFunctionName,
    ).toBe('arn:aws:lambda:ap-northeast-1:123456789012:function:PassRoleDoctor-Approval');
    // Off: a name left in the environment is not read, so nothing can be asked.
    expect(
      readDiagnoseSettings({ ...ENV, APPROVAL_FUNCTION_NAME: 'PassRoleDoctor-Approval' })
        .approvalFunctionName,
    ).toBeNull();
  });

  it('needs the link key only when messages carry links', () => {
    const links = { ...ENV, REVIEW_BASE_URL: 'https://review.example.com' };
    expect(() => readDiagnoseSettings(links)).toThrow(
      'LINK_MAC_KEY_ID is not set: review links (APPROVAL_MODE both) are signed with it',
    );
    expect(readDiagnoseSettings({ ...links, APPROVAL_MODE: 'iam' })).toMatchObject({
      approvalMode: 'iam',
      linkMacKeyId: null,
    });
  });

  it('names every problem in one error', () => {
    const read = () =>
      readDiagnoseSettings({
        ...ENV,
        PROPOSALS_TABLE_NAME: ' ',
        TOPIC_ARN: 'my-topic',
        PROPOSAL_TTL_HOURS: '1.5',
        RENOTIFY_AFTER_HOURS: '-1',
        REVIEW_BASE_URL: 'http://review.example.com',
        APPROVAL_MODE: 'email',
        APPROVERS: 'alice',
        ALLOW_ADMIN_ROLES: 'maybe',
        AUTO_APPROVE: 'yes',
        OWN_RESOURCE_ARNS: 'table',
        LINK_MAC_KEY_ID: 'my-secret',
        POWERTOOLS_METRICS_NAMESPACE: undefined,
      });
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(
      'diagnose function environment is invalid: PROPOSALS_TABLE_NAME is not set; ' +
        "TOPIC_ARN is not an SNS topic ARN: 'my-topic'; " +
        "PROPOSAL_TTL_HOURS must be a whole number of hours from 1 to 8760, got '1.5'; " +
        "RENOTIFY_AFTER_HOURS must be a whole number of hours from 1 to 8760, got '-1'; " +
        "REVIEW_BASE_URL must be an https URL, got 'http://review.example.com'; " +
        "APPROVAL_MODE must be link, iam or both, got 'email'; " +
        "APPROVERS: 'alice' is not an IAM or STS principal ARN pattern; " +
        "ALLOW_ADMIN_ROLES must be true or false, got 'maybe'; " +
        "AUTO_APPROVE must be off or no-new-access, got 'yes'; " +
        "OWN_RESOURCE_ARNS: 'table' is not an ARN pattern; " +
        "LINK_MAC_KEY_ID is not a KMS key or alias ARN: 'my-secret'; " +
        'POWERTOOLS_METRICS_NAMESPACE is not set',
    );
  });
});

describe('readDiagnoseSettings: organization mode', () => {
  const ORG = {
    ...ENV,
    ORGANIZATION_ID: 'o-abcdefghij',
    MEMBER_OUS: 'ou-ab12-workload1,r-ab12',
    MEMBER_EXTERNAL_ID: 'passrole-doctor-hub',
  };

  it('reads nothing of it without ORGANIZATION_ID', () => {
    expect(
      readDiagnoseSettings({ ...ENV, MEMBER_OUS: 'not an ou', CHANNELS_BY_OU: '[' }).organization,
    ).toBeNull();
  });

  it('reads the per-account policy', () => {
    expect(
      readDiagnoseSettings({
        ...ORG,
        EXCLUDED_ACCOUNTS: '111111111111',
        SENSITIVE_ACCOUNTS: '222222222222,333333333333',
        CHANNELS_BY_OU: JSON.stringify({
          'ou-ab12-workload1': 'arn:aws:sns:ap-northeast-1:123456789012:workloads',
        }),
      }).organization,
    ).toEqual({
      organizationId: 'o-abcdefghij',
      memberOus: ['ou-ab12-workload1', 'r-ab12'],
      externalId: 'passrole-doctor-hub',
      excludedAccounts: ['111111111111'],
      sensitiveAccounts: ['222222222222', '333333333333'],
      channelsByOu: { 'ou-ab12-workload1': 'arn:aws:sns:ap-northeast-1:123456789012:workloads' },
    });
  });

  it('names every problem at once', () => {
    let error: unknown;
    try {
      readDiagnoseSettings({
        ...ENV,
        ORGANIZATION_ID: 'o-abcdefghij',
        EXCLUDED_ACCOUNTS: '1234',
        CHANNELS_BY_OU: JSON.stringify({ 'ou-ab12-workload1': 'not-a-topic', nope: 'x' }),
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const message = (error as Error).message;
    expect(message).toContain('MEMBER_OUS is not set');
    expect(message).toContain('MEMBER_EXTERNAL_ID is not set');
    expect(message).toContain("EXCLUDED_ACCOUNTS items must be 12-digit account ids, got '1234'");
    expect(message).toContain(
      'CHANNELS_BY_OU maps ou-ab12-workload1 to something that is not an SNS topic ARN',
    );
    expect(message).toContain("CHANNELS_BY_OU keys must be OU or root ids, got 'nope'");
  });
});
