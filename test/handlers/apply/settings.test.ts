import { InvalidInputError } from '../../../lambda/core/errors';
import { readApplySettings } from '../../../lambda/handlers/apply/settings';

const DECISION_KEY = 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:passrole-doctor',
  PROTECTED_ROLE_ARNS:
    'arn:aws:iam::123456789012:role/PassRoleDoctor-Apply-1, arn:aws:iam::123456789012:role/svc/PassRoleDoctor-Diagnose-2',
  VERIFY_TIMEOUT_SECONDS: '120',
  DECISION_SIGNING_KEY_ID: DECISION_KEY,
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
  POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
};

describe('readApplySettings', () => {
  it('reads what the CDK construct sets, with defaults for the rest', () => {
    expect(readApplySettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      topicArn: ENV.TOPIC_ARN,
      eventBusName: 'default',
      protectedRoleArns: [
        'arn:aws:iam::123456789012:role/PassRoleDoctor-Apply-1',
        'arn:aws:iam::123456789012:role/svc/PassRoleDoctor-Diagnose-2',
      ],
      allowedTargetTypes: ['group', 'user', 'role'],
      verifyTimeoutMs: 120_000,
      accountId: null,
      reviewBaseUrl: null,
      decisionSigningKeyId: DECISION_KEY,
      organization: null,
      serviceName: 'passrole-doctor',
      metricsNamespace: 'PassRoleDoctor',
    });
  });

  it('reads organization mode: the external id and the excluded and sensitive accounts', () => {
    const hub = {
      ...ENV,
      ORGANIZATION_ID: 'o-a1b2c3d4e5',
      MEMBER_EXTERNAL_ID: 'passrole-doctor-hub',
      EXCLUDED_ACCOUNTS: '210987654321',
      SENSITIVE_ACCOUNTS: '123456789012',
    };
    expect(readApplySettings(hub).organization).toEqual({
      externalId: 'passrole-doctor-hub',
      excludedAccounts: ['210987654321'],
      sensitiveAccounts: ['123456789012'],
    });
    expect(() => readApplySettings({ ...hub, MEMBER_EXTERNAL_ID: undefined })).toThrow(
      /MEMBER_EXTERNAL_ID is not set: the member roles require it/,
    );
  });

  it('takes the optional settings', () => {
    expect(
      readApplySettings({
        ...ENV,
        EVENT_BUS_NAME: 'ops',
        ALLOWED_TARGET_TYPES: 'group, group,role',
        VERIFY_TIMEOUT_SECONDS: '30',
        ACCOUNT_ID: '123456789012',
        REVIEW_BASE_URL: 'https://abc.execute-api.ap-northeast-1.amazonaws.com',
        PROTECTED_ROLE_ARNS: '',
      }),
    ).toMatchObject({
      eventBusName: 'ops',
      allowedTargetTypes: ['group', 'role'],
      verifyTimeoutMs: 30_000,
      accountId: '123456789012',
      reviewBaseUrl: 'https://abc.execute-api.ap-northeast-1.amazonaws.com',
      protectedRoleArns: [],
    });
  });

  it('names every problem in one error', () => {
    const read = () =>
      readApplySettings({
        TOPIC_ARN: 'passrole-doctor',
        PROTECTED_ROLE_ARNS: 'arn:aws:iam::123456789012:user/mei',
        ALLOWED_TARGET_TYPES: 'group,permission-set',
        VERIFY_TIMEOUT_SECONDS: '2m',
        ACCOUNT_ID: '1234',
        REVIEW_BASE_URL: 'http://insecure.example.com',
        DECISION_SIGNING_KEY_ID: 'alias/decisions',
      });
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(
      "apply function environment is invalid: PROPOSALS_TABLE_NAME is not set; TOPIC_ARN is not an SNS topic ARN: 'passrole-doctor'; " +
        "PROTECTED_ROLE_ARNS holds 'arn:aws:iam::123456789012:user/mei', not a role ARN; " +
        "ALLOWED_TARGET_TYPES holds 'permission-set': use group, user and/or role; " +
        "VERIFY_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 600, got '2m'; " +
        "ACCOUNT_ID must be 12 digits, got '1234'; REVIEW_BASE_URL must be an https URL, got 'http://insecure.example.com'; " +
        "DECISION_SIGNING_KEY_ID is not a KMS key or alias ARN: 'alias/decisions'",
    );
  });

  it('needs the decision signing key: no approval is applied unverified', () => {
    expect(() => readApplySettings({ ...ENV, DECISION_SIGNING_KEY_ID: ' ' })).toThrow(
      'apply function environment is invalid: DECISION_SIGNING_KEY_ID is not set: every approval is verified with it before IAM is written',
    );
  });

  it('takes an alias ARN, as the envelope names it', () => {
    const alias = 'arn:aws:kms:ap-northeast-1:123456789012:alias/passrole-doctor/decisions';
    expect(readApplySettings({ ...ENV, DECISION_SIGNING_KEY_ID: alias }).decisionSigningKeyId).toBe(alias);
  });
});
