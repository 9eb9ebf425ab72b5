import { InvalidInputError } from '../../../lambda/core/errors';
import { readReconcileSettings } from '../../../lambda/handlers/reconcile/settings';

const DECISION_KEY = 'arn:aws:kms:ap-northeast-1:123456789012:key/0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10';
const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  APPLY_FUNCTION_NAME: 'PassRoleDoctor-ApplyFunction-AbC123',
  DECISION_SIGNING_KEY_ID: DECISION_KEY,
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
  POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
};

describe('readReconcileSettings', () => {
  it('reads what the CDK construct sets, with defaults for the rest (5 minutes grace, 24 hours, 100)', () => {
    expect(readReconcileSettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      applyFunctionName: 'PassRoleDoctor-ApplyFunction-AbC123',
      reconcile: { graceMs: 300_000, announceWithinMs: 24 * 3_600_000, limitPerStatus: 100 },
      decisionSigningKeyId: DECISION_KEY,
      serviceName: 'passrole-doctor',
      metricsNamespace: 'PassRoleDoctor',
    });
  });

  it('takes the optional settings, and the Powertools names default when unset', () => {
    expect(
      readReconcileSettings({
        PROPOSALS_TABLE_NAME: ' proposals ',
        APPLY_FUNCTION_NAME: 'arn:aws:lambda:ap-northeast-1:123456789012:function:apply',
        RECONCILE_GRACE_SECONDS: '600',
        ANNOUNCE_WITHIN_HOURS: '72',
        LIMIT_PER_STATUS: '25',
        DECISION_SIGNING_KEY_ID: DECISION_KEY,
      }),
    ).toEqual({
      proposalsTableName: 'proposals',
      applyFunctionName: 'arn:aws:lambda:ap-northeast-1:123456789012:function:apply',
      reconcile: { graceMs: 600_000, announceWithinMs: 72 * 3_600_000, limitPerStatus: 25 },
      decisionSigningKeyId: DECISION_KEY,
      serviceName: 'passrole-doctor',
      metricsNamespace: 'PassRoleDoctor',
    });
  });

  it.each([
    'apply',
    'arn:aws:lambda:us-east-1:123456789012:function:apply',
    'arn:aws:lambda:us-east-1:123456789012:function:apply:live',
    'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:apply',
  ])('accepts the apply function as %s', (name) => {
    expect(readReconcileSettings({ ...ENV, APPLY_FUNCTION_NAME: name }).applyFunctionName).toBe(name);
  });

  it('treats blank optional values as unset', () => {
    expect(
      readReconcileSettings({
        ...ENV,
        RECONCILE_GRACE_SECONDS: ' ',
        ANNOUNCE_WITHIN_HOURS: '',
        LIMIT_PER_STATUS: '',
      }).reconcile,
    ).toEqual({ graceMs: 300_000, announceWithinMs: 24 * 3_600_000, limitPerStatus: 100 });
  });

  it.each([
    ['RECONCILE_GRACE_SECONDS', '59', 'seconds from 60 to 86400'],
    ['RECONCILE_GRACE_SECONDS', '86401', 'seconds from 60 to 86400'],
    ['ANNOUNCE_WITHIN_HOURS', '0', 'hours from 1 to 720'],
    ['ANNOUNCE_WITHIN_HOURS', '721', 'hours from 1 to 720'],
    ['LIMIT_PER_STATUS', '0', 'records from 1 to 1000'],
    ['LIMIT_PER_STATUS', '1001', 'records from 1 to 1000'],
    ['LIMIT_PER_STATUS', '2.5', 'records from 1 to 1000'],
  ])('refuses %s=%s (out of range or not whole)', (name, value, range) => {
    expect(() => readReconcileSettings({ ...ENV, [name]: value })).toThrow(
      `reconciler function environment is invalid: ${name} must be a whole number of ${range}, got '${value}'`,
    );
  });

  it('names every problem in one error', () => {
    const read = () =>
      readReconcileSettings({
        APPLY_FUNCTION_NAME: 'apply function',
        RECONCILE_GRACE_SECONDS: '5m',
        ANNOUNCE_WITHIN_HOURS: '-1',
        LIMIT_PER_STATUS: 'all',
        DECISION_SIGNING_KEY_ID: DECISION_KEY,
      });
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow(
      'reconciler function environment is invalid: PROPOSALS_TABLE_NAME is not set; ' +
        "APPLY_FUNCTION_NAME is not a function name or ARN: 'apply function'; " +
        "RECONCILE_GRACE_SECONDS must be a whole number of seconds from 60 to 86400, got '5m'; " +
        "ANNOUNCE_WITHIN_HOURS must be a whole number of hours from 1 to 720, got '-1'; " +
        "LIMIT_PER_STATUS must be a whole number of records from 1 to 1000, got 'all'",
    );
  });

  it('says when the apply function is not set', () => {
    expect(() =>
      readReconcileSettings({ PROPOSALS_TABLE_NAME: 'proposals', DECISION_SIGNING_KEY_ID: DECISION_KEY }),
    ).toThrow('reconciler function environment is invalid: APPLY_FUNCTION_NAME is not set');
  });

  it('needs the decision signing key: approved records are asked for only when their decision verifies', () => {
    expect(() => readReconcileSettings({ ...ENV, DECISION_SIGNING_KEY_ID: undefined })).toThrow(
      'reconciler function environment is invalid: DECISION_SIGNING_KEY_ID is not set: approved proposals are asked for only when their signed decision verifies with it',
    );
    expect(() => readReconcileSettings({ ...ENV, DECISION_SIGNING_KEY_ID: 'my-key' })).toThrow(
      "DECISION_SIGNING_KEY_ID is not a KMS key or alias ARN: 'my-key'",
    );
  });
});
