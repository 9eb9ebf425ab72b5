/**
 * cdk-nag 3 runs as a validation plugin at synth (Validations.of(app).addPlugins), not as an aspect:
 * its findings land in the assembly's validation-report.json rather than in stack annotations.
 */
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NO_CHANNEL_WARNING_ID } from '../../lib/passrole-remediation';
import {
  ALL_OPTIONS_CONTEXT,
  buildTestApp,
  synthesizeWithValidation,
  type TestAppOptions,
} from './support/cdk-app';

describe('validation at synth (cdk-nag AwsSolutions, CloudFormation validation)', () => {
  it.each<[string, TestAppOptions]>([
    ['the defaults (approvalMode both)', {}],
    ['approvalMode link', { context: { approvalMode: 'link' } }],
    ['approvalMode iam', { context: { approvalMode: 'iam' } }],
    ['every option', { context: ALL_OPTIONS_CONTEXT, defaultRegion: 'eu-west-1' }],
  ])('leaves no finding unacknowledged with %s', (_name, options) => {
    const { assembly, violations } = synthesizeWithValidation(buildTestApp(options));
    // The no-channel warning is meant (PassRoleRemediation's own test); every other finding is not.
    expect(violations.filter(({ rule }) => rule !== `Annotation::${NO_CHANNEL_WARNING_ID}`)).toEqual([]);
    expect(assembly).not.toBeNull();
  });

  it('reports the missing channel as a warning only, and synthesizes', () => {
    const { assembly, violations } = synthesizeWithValidation(buildTestApp());
    expect(violations).toEqual([
      expect.objectContaining({
        rule: `Annotation::${NO_CHANNEL_WARNING_ID}`,
        severity: 'warning',
        constructs: ['PassRoleDoctor/PassRoleRemediation'],
      }),
    ]);
    expect(assembly).not.toBeNull();
  });

  it('does report a finding nobody acknowledged (the check is live)', () => {
    const testApp = buildTestApp();
    new sqs.Queue(testApp.stacks.main, 'UnacknowledgedQueue', {
      encryption: sqs.QueueEncryption.UNENCRYPTED,
    });
    const { assembly, violations } = synthesizeWithValidation(testApp);
    expect(assembly).toBeNull();
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          plugin: 'AwsSolutions',
          rule: 'AwsSolutions-SQS4',
          constructs: ['PassRoleDoctor/UnacknowledgedQueue/Resource'],
        }),
      ]),
    );
  });
});
