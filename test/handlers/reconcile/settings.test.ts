import { InvalidInputError } from '../../../lambda/core/errors';
import { readReconcileSettings } from '../../../lambda/handlers/reconcile/settings';

const ENV = {
  PROPOSALS_TABLE_NAME: 'proposals',
  APPLY_FUNCTION_NAME: 'PassRoleDoctor-ApplyFunction-AbC123',
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
  POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
};

describe('readReconcileSettings', () => {
  it('reads what the CDK construct sets, with defaults for the rest (5 minutes grace, 24 hours, 100)', () => {
    expect(readReconcileSettings(ENV)).toEqual({
      proposalsTableName: 'proposals',
      applyFunctionName: 'PassRoleDoctor-ApplyFunction-AbC123',
      reconcile: { graceMs: 300_000, announceWithinMs: 24 * 3_600_000, limitPerStatus: 100 },
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
      }),
    ).toEqual({
      proposalsTableName: 'proposals',
      applyFunctionName: 'arn:aws:lambda:ap-northeast-1:123456789012:function:apply',
      reconcile: { graceMs: 600_000, announceWithinMs: 72 * 3_600_000, limitPerStatus: 25 },
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
    expect(() => readReconcileSettings({ PROPOSALS_TABLE_NAME: 'proposals' })).toThrow(
      'reconciler function environment is invalid: APPLY_FUNCTION_NAME is not set',
    );
  });
});
