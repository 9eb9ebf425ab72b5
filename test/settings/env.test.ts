import { readApplySettings } from '../../lambda/handlers/apply/settings';
import { readDiagnoseSettings } from '../../lambda/handlers/diagnose/settings';
import { readReconcileSettings } from '../../lambda/handlers/reconcile/settings';
import { APPLY_ENV } from '../../lambda/settings/apply';
import { POWERTOOLS_ENV } from '../../lambda/settings/common';
import { DIAGNOSE_AUTO_APPROVE_ENV, DIAGNOSE_ENV } from '../../lambda/settings/diagnose';
import { environmentOf, readEnvironment, wholeNumber } from '../../lambda/settings/env';
import { RECONCILE_ENV } from '../../lambda/settings/reconcile';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10';
const POWERTOOLS = environmentOf(POWERTOOLS_ENV, {
  serviceName: 'passrole-doctor',
  metricsNamespace: 'PassRoleDoctor',
  logLevel: 'INFO',
});

describe('a function environment spec', () => {
  it('writes numbers, flags and lists as text and leaves undefined values out', () => {
    const spec = {
      hours: wholeNumber('HOURS', { fallback: 72, min: 1, max: 8760, unit: 'hours' }),
      ...DIAGNOSE_AUTO_APPROVE_ENV,
    };
    expect(environmentOf(spec, { hours: 48, approvalFunctionName: undefined })).toEqual({ HOURS: '48' });
  });

  it('reads back what the diagnose construct writes', () => {
    const environment = {
      ...environmentOf(DIAGNOSE_ENV, {
        proposalsTableName: 'proposals',
        idempotencyTableName: 'idempotency',
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:passrole-doctor',
        proposalTtlHours: 48,
        renotifyAfterHours: 6,
        reviewBaseUrl: 'https://review.example.com',
        approvalMode: 'link',
        approvers: ['arn:aws:iam::123456789012:role/SecurityApprover'],
        allowAdminRoles: true,
        autoApprove: 'no-new-access',
        permissionSetPeopleLimit: 25,
        ownResourceArns: [
          'arn:aws:sns:eu-west-1:123456789012:passrole-doctor',
          'arn:aws:kms:*:123456789012:key/*',
        ],
        linkMacKeyId: KEY,
      }),
      ...environmentOf(DIAGNOSE_AUTO_APPROVE_ENV, { approvalFunctionName: 'PassRoleDoctor-Approval' }),
      ...POWERTOOLS,
    };
    expect(readDiagnoseSettings(environment)).toMatchObject({
      proposalTtlHours: 48,
      renotifyAfterHours: 6,
      approvalPolicy: {
        approvalMode: 'link',
        approvers: ['arn:aws:iam::123456789012:role/SecurityApprover'],
        allowAdminRoles: true,
        autoApprove: 'no-new-access',
        permissionSetPeopleLimit: 25,
      },
      ownResourceArns: [
        'arn:aws:sns:eu-west-1:123456789012:passrole-doctor',
        'arn:aws:kms:*:123456789012:key/*',
      ],
      approvalFunctionName: 'PassRoleDoctor-Approval',
    });
  });

  it('gives the handlers the defaults the constructs write when left alone', () => {
    const problems: string[] = [];
    expect(readEnvironment({ ttl: DIAGNOSE_ENV.proposalTtlHours }, {}, problems)).toEqual({ ttl: 72 });
    expect(readEnvironment({ limit: DIAGNOSE_ENV.permissionSetPeopleLimit }, {}, problems)).toEqual({
      limit: 10,
    });
    const apply = readApplySettings({
      ...environmentOf(APPLY_ENV, {
        proposalsTableName: 'proposals',
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:passrole-doctor',
        eventBusName: 'passrole-doctor',
        protectedRoleArns: ['arn:aws:iam::123456789012:role/PassRoleDoctor-Apply'],
        allowedTargetTypes: undefined,
        verifyTimeoutSeconds: APPLY_ENV.verifyTimeoutSeconds.fallback,
        accountId: undefined,
        reviewBaseUrl: undefined,
        decisionSigningKeyId: KEY,
      }),
    });
    expect(apply).toMatchObject({ verifyTimeoutMs: 120_000, allowedTargetTypes: ['group', 'user', 'role'] });
    const reconcile = readReconcileSettings(
      environmentOf(RECONCILE_ENV, {
        proposalsTableName: 'proposals',
        applyFunctionName: 'PassRoleDoctor-Apply',
        graceSeconds: undefined,
        announceWithinHours: undefined,
        limitPerStatus: undefined,
        decisionSigningKeyId: KEY,
      }),
    );
    // Longer than the apply function's timeout (the verification window plus two minutes).
    expect(reconcile.reconcile.graceMs).toBe((120 + 120 + 60) * 1000);
    expect(problems).toEqual([]);
  });
});
