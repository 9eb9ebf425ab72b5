/**
 * Organization mode with identityCenterRegion: the plain stack for the account that administers
 * Identity Center (the management account, or a delegated administrator), holding the hub's read and
 * apply roles there (identity-center-roles.ts). A plain stack because a service-managed StackSet
 * never deploys to the management account; deploy it with that account's credentials:
 * `cdk deploy PassRoleDoctor-IdentityCenter`. Like the member template: no assets, no bootstrap
 * needed (BootstraplessSynthesizer), no CDK metadata.
 */
import { BootstraplessSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { IdentityCenterSettings, OrganizationModeSettings } from '../settings';
import { IdentityCenterRoles } from './identity-center-roles';

export const IDENTITY_CENTER_STACK_NAME = 'PassRoleDoctor-IdentityCenter';

export interface IdentityCenterStackProps extends Omit<
  StackProps,
  'synthesizer' | 'analyticsReporting' | 'env'
> {
  readonly organization: Pick<OrganizationModeSettings, 'organizationId' | 'hubAccountId' | 'externalId'>;
  readonly identityCenter: IdentityCenterSettings;
}

export class IdentityCenterStack extends Stack {
  readonly roles: IdentityCenterRoles;

  constructor(scope: Construct, id: string, props: IdentityCenterStackProps) {
    const { organization, identityCenter, ...rest } = props;
    super(scope, id, {
      description:
        "PassRole Doctor: the hub's Identity Center read and apply roles (deploy with this account's credentials)",
      ...rest,
      // IAM is global; the region is the instance's, where the roles' sessions call sso-admin.
      env: { account: identityCenter.accountId, region: identityCenter.region },
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
    });
    this.roles = new IdentityCenterRoles(this, 'HubAccess', {
      organizationId: organization.organizationId,
      hubAccountId: organization.hubAccountId,
      externalId: organization.externalId,
      instanceArn: identityCenter.instanceArn,
    });
  }
}
