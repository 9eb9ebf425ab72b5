/**
 * Organization mode's member side of the app: the member template (its own Stage), the hub's
 * StackSet of it, and the management account's plain stacks of it, one per member region (StackSets
 * never deploy to the management account; deploy those with the management account's credentials:
 * `cdk deploy 'PassRoleDoctor-ManagementMember-*'`). The read and apply roles come with the stack in
 * the member role region only, as everywhere.
 */
import { Token, type App, type Stack } from 'aws-cdk-lib';
import { InvalidInputError } from '../../lambda/core/errors';
import type { OrganizationModeSettings, PassRoleDoctorSettings } from '../settings';
import { MemberStack, type MemberTemplateProps } from './member-stack';
import { MemberStackSet } from './member-stack-set';
import { MEMBER_TEMPLATE_STAGE_ID, MemberTemplate } from './member-template';
import { MANAGEMENT_MEMBER_STACK_NAME } from './names';

export function managementMemberStackName(region: string): string {
  return `${MANAGEMENT_MEMBER_STACK_NAME}-${region}`;
}

export interface MemberStacks {
  readonly template: MemberTemplate;
  /** The management account's stacks, by region (memberRegions' order). */
  readonly management: readonly MemberStack[];
  /** In the hub stack, when one was given. */
  readonly stackSet: MemberStackSet | null;
}

/**
 * Adds the member template and the management account's stacks to `app`, and the StackSet to
 * `hubStack` when given. The hub's region is the hub stack's (it must be concrete: every member
 * names the hub's bus by ARN), else the home region.
 */
export function addMemberStacks(app: App, settings: PassRoleDoctorSettings, hubStack?: Stack): MemberStacks {
  const organization = settings.organization;
  if (organization === null) {
    throw new InvalidInputError(
      'the member stacks need organization mode: set -c organizationId=o-... (and memberOus, memberRegions)',
      'cdk context organizationId',
    );
  }
  const member = memberTemplateProps(organization, hubRegionOf(settings, hubStack));
  const template = new MemberTemplate(app, MEMBER_TEMPLATE_STAGE_ID, member);
  const management = organization.memberRegions.map(
    (region) =>
      new MemberStack(app, managementMemberStackName(region), {
        env: { region },
        member,
        description:
          `PassRole Doctor member for the management account in ${region} (StackSets never deploy there)` +
          (region === member.memberRoleRegion ? ", with the hub's read and apply roles" : ''),
      }),
  );
  const stackSet =
    hubStack === undefined
      ? null
      : new MemberStackSet(hubStack, 'MemberStackSet', { organization, template });
  return { template, management, stackSet };
}

function memberTemplateProps(organization: OrganizationModeSettings, hubRegion: string): MemberTemplateProps {
  if (!organization.memberRegions.includes(organization.memberRoleRegion)) {
    throw new InvalidInputError(
      `memberRoleRegion: ${organization.memberRoleRegion} is not one of memberRegions (${organization.memberRegions.join(', ')}): no member would get the read and apply roles`,
      'cdk context memberRoleRegion',
    );
  }
  return {
    organizationId: organization.organizationId,
    hubAccountId: organization.hubAccountId,
    hubRegion,
    externalId: organization.externalId,
    memberRoleRegion: organization.memberRoleRegion,
  };
}

function hubRegionOf(settings: PassRoleDoctorSettings, hubStack: Stack | undefined): string {
  if (hubStack !== undefined && !Token.isUnresolved(hubStack.region)) return hubStack.region;
  if (settings.homeRegion !== null) return settings.homeRegion;
  throw new InvalidInputError(
    "organization mode needs the hub's region (every member names the hub's bus by ARN): set -c homeRegion=<region> or a default region (AWS_REGION or the profile)",
    'cdk context homeRegion',
  );
}
