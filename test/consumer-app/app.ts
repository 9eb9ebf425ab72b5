/**
 * A consumer's CDK app, as the README shows it: no cdk.json (so none of passrole-doctor's feature
 * flags), the construct from the installed package, in a stack of the consumer's own. .ci/run copies
 * this directory into a scratch directory, installs the packed tarball, compiles and synthesizes it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { PassRoleRemediation, type PassRoleRemediationProps } from 'passrole-doctor';

const app = new App();
const stack = new Stack(app, 'ConsumerStack');
const props: PassRoleRemediationProps = {
  notificationEmails: ['security-team@example.com'],
  createTrail: true,
};
new PassRoleRemediation(stack, 'PassRoleRemediation', props);
app.synth();
