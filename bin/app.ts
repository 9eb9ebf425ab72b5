/**
 * The CDK app: `npx cdk synth` (npm run synth), `npx cdk deploy -c notificationEmails=a@example.com`,
 * or directly `CDK_OUTDIR=cdk.out tsx bin/app.ts` with cdk.json's context.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidInputError } from '../lambda/core/errors';
import { readCdkJsonContext } from '../lib/cdk-json-context';
import { HUB_BUS_NAME } from '../lib/organization/names';
import { addPassRoleDoctorStacks } from '../lib/passrole-doctor-app';
import { writeProtectionScp } from '../lib/protection-scp';
import { readSettings } from '../lib/settings';

try {
  // autoSynth off: a run stopped by bad settings must not leave an empty assembly behind.
  const app = new App({ context: readCdkJsonContext(), autoSynth: false });
  const settings = readSettings((key) => app.node.tryGetContext(key), {
    defaultRegion: process.env.CDK_DEFAULT_REGION,
    // Organization mode: the hub account, unless -c hubAccountId names it.
    defaultAccount: process.env.CDK_DEFAULT_ACCOUNT,
  });
  // Organization mode: `main` is the hub stack, with the member stacks beside it.
  const { main } = addPassRoleDoctorStacks(app, settings);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  // The SCP to attach from the organization (README: "The trust boundary"); too long for an output.
  writeProtectionScp(
    assembly.directory,
    main,
    settings.deployRoleArn,
    settings.organization === null ? undefined : HUB_BUS_NAME,
  );
} catch (error) {
  if (!(error instanceof InvalidInputError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
