/**
 * The member template, the management account's stacks and the StackSet pass the checks every
 * template of the product passes: cdk-nag's AwsSolutions pack at synth (as bin/app.ts adds it), and
 * cfn-lint on the synthesized files (as `npm run cfn-lint` runs it: errors fail, and the only warning
 * allowed is the one the single-account templates have too).
 */
import { NO_CHANNEL_WARNING_ID } from '../../../lib/passrole-remediation';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { synthesizeWithValidation } from '../support/cdk-app';
import { buildOrganizationApp } from '../support/organization-app';

interface CfnLintMatch {
  Filename: string;
  Level: string;
  Rule: { Id: string };
  Message: string;
}

/**
 * iam:GetRequestAuthorizationDetails (IAM Toolbox, preview) is not in cfn-lint's action table yet;
 * the single-account diagnose role has the same warning.
 */
const KNOWN_WARNING = { rule: 'W3037', message: /^'getrequestauthorizationdetails' is not one of/ };

describe('validation of the member side', () => {
  it('leaves no cdk-nag finding unacknowledged (member template, management stacks, StackSet)', () => {
    const { assembly, violations } = synthesizeWithValidation(buildOrganizationApp());
    // The hub has no main channel here: its no-channel warning is meant (PassRoleRemediation's test).
    expect(violations.filter(({ rule }) => rule !== `Annotation::${NO_CHANNEL_WARNING_ID}`)).toEqual([]);
    expect(assembly).not.toBeNull();
  });

  it("does check the member template's own Stage (the check is live there)", () => {
    const testApp = buildOrganizationApp();
    new sqs.Queue(testApp.members.template.stack, 'UnacknowledgedQueue', {
      encryption: sqs.QueueEncryption.UNENCRYPTED,
    });
    const { violations } = synthesizeWithValidation(testApp);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'AwsSolutions-SQS4',
          constructs: ['PassRoleDoctorMemberTemplate/PassRoleDoctorMember/UnacknowledgedQueue/Resource'],
        }),
      ]),
    );
  });

  it('passes cfn-lint', () => {
    const testApp = buildOrganizationApp();
    const assembly = testApp.app.synth({ validateOnSynthesis: false });
    const memberAssembly = testApp.members.template.synth();
    const files = [
      ...assembly.stacks.map((stack) => stack.templateFullPath),
      ...memberAssembly.stacks.map((stack) => stack.templateFullPath),
    ];
    // The hub stand-in (with the StackSet), the management stacks, the StackSet's template.
    expect(files.map((file) => path.basename(file)).sort()).toEqual([
      'PassRoleDoctor-ManagementMember-eu-central-1.template.json',
      'PassRoleDoctor-ManagementMember-eu-west-1.template.json',
      'PassRoleDoctor-ManagementMember-us-east-1.template.json',
      'PassRoleDoctorHub.template.json',
      expect.stringMatching(/^PassRoleDoctorMemberTemplatePassRoleDoctorMember[0-9A-F]{8}\.template\.json$/),
    ]);

    const run = spawnSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8' });
    if (run.error !== undefined)
      throw new Error(`cfn-lint did not run (pip install cfn-lint): ${run.error.message}`);
    const matches = JSON.parse(run.stdout) as CfnLintMatch[];
    const unexpected = matches
      .filter((match) => !(match.Rule.Id === KNOWN_WARNING.rule && KNOWN_WARNING.message.test(match.Message)))
      .map((match) => `${path.basename(match.Filename)} ${match.Rule.Id} ${match.Message.slice(0, 200)}`);
    expect(unexpected).toEqual([]);
    // Errors set bit 1 or 2 of the exit code (npm run cfn-lint's `$? & 3`).
    expect((run.status ?? 255) & 3).toBe(0);
  });
});
