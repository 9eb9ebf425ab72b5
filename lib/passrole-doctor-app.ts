/**
 * Puts PassRole Doctor's stacks in an app: in single-account mode the main stack and one forwarder per
 * forwarding region; in organization mode the hub stack with the member StackSet in it, the member
 * template's own assembly, the management account's plain member stacks and, with
 * identityCenterRegion, the plain stack of Identity Center's roles in the account administering it.
 */
import type { App } from 'aws-cdk-lib';
import { ForwarderStack } from './forwarder-stack';
import { IDENTITY_CENTER_STACK_NAME, IdentityCenterStack } from './organization/identity-center-stack';
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
  /** Organization mode with identityCenterRegion: Identity Center's read and apply roles. */
  identityCenter: IdentityCenterStack | null;
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
    const identityCenter =
      organization.identityCenter === undefined || organization.identityCenter === null
        ? null
        : new IdentityCenterStack(app, IDENTITY_CENTER_STACK_NAME, {
            organization,
            identityCenter: organization.identityCenter,
          });
    return { main: hub, forwarders: [], members: addMemberStacks(app, settings, hub), identityCenter };
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
  return { main, forwarders, members: null, identityCenter: null };
}
