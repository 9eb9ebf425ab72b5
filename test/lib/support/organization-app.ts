/**
 * An organization-mode app for the member-side tests: cdk.json's settings with an organization, the
 * member stacks (lib/organization/member-stacks.ts) and, standing in for the hub stack (the `hub`
 * scope), an empty stack with the hub's name and environment that receives the StackSet. cdk-nag is
 * added the way bin/app.ts adds it.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addMemberStacks, type MemberStacks } from '../../../lib/organization/member-stacks';
import { HUB_STACK_NAME } from '../../../lib/organization/names';
import {
  readSettings,
  type OrganizationModeSettings,
  type PassRoleDoctorSettings,
} from '../../../lib/settings';
import { cdkJsonContext, testOutdir } from './cdk-app';

export const HUB_ACCOUNT = '111111111111';
export const HUB_REGION = 'eu-west-1';
export const MEMBER_ACCOUNT = '222222222222';

/** The role region is deliberately not the first member region: it is the setting, not a default. */
export const ORGANIZATION: OrganizationModeSettings = {
  organizationId: 'o-a1b2c3d4e5',
  memberOus: ['ou-ab12-cdefgh12', 'ou-ab12-ijklmn34'],
  memberRegions: ['us-east-1', 'eu-west-1', 'eu-central-1'],
  memberRoleRegion: 'eu-west-1',
  hubAccountId: HUB_ACCOUNT,
  externalId: 'passrole-doctor-4c1f0e',
  excludedAccounts: ['333333333333', '444444444444'],
  sensitiveAccounts: ['555555555555'],
  channelsByOu: {},
};

export interface OrganizationAppOptions {
  readonly organization?: Partial<OrganizationModeSettings>;
  /** false: no hub stack (the member template and the management stacks only). */
  readonly withHub?: boolean;
  readonly hubRegion?: string;
  /** The settings' home region (the hub's region when there is no hub stack). @default HUB_REGION */
  readonly homeRegion?: string | null;
}

export interface OrganizationTestApp {
  readonly app: App;
  readonly outdir: string;
  readonly settings: PassRoleDoctorSettings;
  readonly hub: Stack | null;
  readonly members: MemberStacks;
}

export function buildOrganizationApp(options: OrganizationAppOptions = {}): OrganizationTestApp {
  const outdir = testOutdir();
  const app = new App({ context: cdkJsonContext(), outdir });
  const settings: PassRoleDoctorSettings = {
    ...readSettings((key) => app.node.tryGetContext(key)),
    homeRegion: options.homeRegion === undefined ? HUB_REGION : options.homeRegion,
    organization: { ...ORGANIZATION, ...options.organization },
  };
  const hub =
    options.withHub === false
      ? null
      : new Stack(app, HUB_STACK_NAME, {
          env: { account: HUB_ACCOUNT, region: options.hubRegion ?? HUB_REGION },
        });
  const members = addMemberStacks(app, settings, hub ?? undefined);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, outdir, settings, hub, members };
}
