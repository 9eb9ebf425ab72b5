/** Puts PassRole Doctor's stacks in an app: the main stack and one forwarder per forwarding region. */
import type { App } from 'aws-cdk-lib';
import { ForwarderStack } from './forwarder-stack';
import { PassRoleDoctorStack } from './passrole-doctor-stack';
import type { PassRoleRemediationProps } from './passrole-remediation';
import type { PassRoleDoctorSettings } from './settings';

export const MAIN_STACK_NAME = 'PassRoleDoctor';

export function forwarderStackName(region: string): string {
  return `${MAIN_STACK_NAME}-Forwarder-${region}`;
}

export interface PassRoleDoctorStacks {
  main: PassRoleDoctorStack;
  forwarders: ForwarderStack[];
}

export function addPassRoleDoctorStacks(
  app: App,
  settings: PassRoleDoctorSettings,
  remediation?: Partial<PassRoleRemediationProps>,
): PassRoleDoctorStacks {
  const description = 'PassRole Doctor: diagnoses iam:PassRole denials and proposes a verified fix';
  const main = new PassRoleDoctorStack(app, MAIN_STACK_NAME, {
    settings,
    remediation,
    description,
    // Environment-agnostic unless forwarders need to know where home is.
    env: settings.homeRegion === null ? undefined : { region: settings.homeRegion },
  });
  const homeRegion = settings.homeRegion;
  const forwarders =
    homeRegion === null
      ? []
      : settings.forwardFromRegions.map(
          (region) =>
            new ForwarderStack(app, forwarderStackName(region), {
              env: { region },
              homeRegion,
              description: `${description} (forwards denials from ${region} to ${homeRegion})`,
            }),
        );
  return { main, forwarders };
}
