/**
 * Puts PassRole Doctor's stacks in an app: in single-account mode the main stack and one forwarder per
 * forwarding region; in organization mode the hub stack with the member StackSet in it, the member
 * template's own assembly, and the management account's plain member stacks.
 */
import type { App } from 'aws-cdk-lib';
import { ForwarderStack } from './forwarder-stack';
import { addMemberStacks, type MemberStacks } from './organization/member-stacks';
import { HUB_STACK_NAME } from './organization/names';
import { PassRoleDoctorStack } from './passrole-doctor-stack';
import type { PassRoleRemediationProps } from './passrole-remediation';
import type { PassRoleDoctorSettings } from './settings';

export const MAIN_STACK_NAME = 'PassRoleDoctor';

export function forwarderStackName(region: string): string {
  return `${MAIN_STACK_NAME}-Forwarder-${region}`;
}

export interface PassRoleDoctorStacks {
  /** The single-account stack, or in organization mode the hub stack. */
  main: PassRoleDoctorStack;
  forwarders: ForwarderStack[];
  /** Organization mode: the member template, its StackSet and the management account's stacks. */
  members: MemberStacks | null;
}

export function addPassRoleDoctorStacks(
  app: App,
  settings: PassRoleDoctorSettings,
  remediation?: Partial<PassRoleRemediationProps>,
): PassRoleDoctorStacks {
  const description = 'PassRole Doctor: diagnoses iam:PassRole denials and proposes a verified fix';
  const organization = settings.organization;
  if (organization !== null) {
    const hub = new PassRoleDoctorStack(app, HUB_STACK_NAME, {
      settings,
      remediation,
      description: `${description} (organization hub for ${organization.organizationId})`,
      // The member template names this account and region (the bus and the roles its roles trust),
      // so the hub is never environment-agnostic: cdk deploy refuses other credentials' account.
      env: { account: organization.hubAccountId, region: settings.homeRegion ?? undefined },
    });
    return { main: hub, forwarders: [], members: addMemberStacks(app, settings, hub) };
  }
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
  return { main, forwarders, members: null };
}
