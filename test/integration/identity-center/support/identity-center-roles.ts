/**
 * The two roles the Identity Center stack deploys in the account that administers Identity Center
 * (IDENTITY_CENTER_ROLE_NAMES), created in moto as the team's contract describes them: the read role
 * trusted by the hub's diagnose, approval and apply roles, the apply role by the hub's apply role only
 * (with sts:SetSourceIdentity), each with aws:PrincipalArn exact, aws:PrincipalOrgID and the external
 * id, as the member roles' trust. The accounts proxy enforces these trusts as STS would.
 *
 * Written after the contract until the `icstack` engineer's stack is on main; then they should be
 * read from its synthesized template (as member-roles.ts reads the members template). The accounts
 * proxy enforces their trust; the provisioning fake their permissions (identity-center-authorization.ts).
 */
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_MANAGED_TAG_VALUE,
  IDENTITY_CENTER_ROLE_NAMES,
} from '../../../../lambda/settings/identity-center';
import { hubRoleArn, type HubFunction } from '../../organization/support/member-roles';

export const IDENTITY_CENTER_ROLE_ADMITS: Record<'read' | 'apply', readonly HubFunction[]> = {
  read: ['diagnose', 'approval', 'apply'],
  apply: ['apply'],
};

export function identityCenterRoleArn(accountId: string, kind: 'read' | 'apply'): string {
  return `arn:aws:iam::${accountId}:role/${IDENTITY_CENTER_ROLE_NAMES[kind]}`;
}

export interface IdentityCenterRoleTrust {
  hubAccountId: string;
  organizationId: string;
  externalId: string;
}

export async function createIdentityCenterRoles(
  iam: IAMClient,
  trust: IdentityCenterRoleTrust,
): Promise<void> {
  const principal = (kind: 'read' | 'apply', externalId: boolean): Record<string, unknown> => ({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${trust.hubAccountId}:root` },
    Condition: {
      StringEquals: {
        'aws:PrincipalArn': IDENTITY_CENTER_ROLE_ADMITS[kind].map((fn) => hubRoleArn(trust.hubAccountId, fn)),
        'aws:PrincipalOrgID': trust.organizationId,
        ...(externalId ? { 'sts:ExternalId': trust.externalId } : {}),
      },
    },
  });
  await iam.send(
    new CreateRoleCommand({
      RoleName: IDENTITY_CENTER_ROLE_NAMES.read,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ ...principal('read', true), Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: IDENTITY_CENTER_ROLE_NAMES.read,
      PolicyName: 'ReadIdentityCenter',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'sso:Describe*',
              'sso:List*',
              'sso:Get*',
              'identitystore:Describe*',
              'identitystore:List*',
              'identitystore:Get*',
            ],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: IDENTITY_CENTER_ROLE_NAMES.apply,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { ...principal('apply', true), Action: 'sts:AssumeRole' },
          { ...principal('apply', false), Action: 'sts:SetSourceIdentity' },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: IDENTITY_CENTER_ROLE_NAMES.apply,
      PolicyName: 'WriteManagedPermissionSets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          // The two writes authorize the permission set (tagged), the instance and, for the
          // provisioning, the account (Service Authorization Reference): the tag condition can only
          // scope the permission set, which is the only one of the three that carries the tag.
          {
            Sid: 'WriteManagedPermissionSets',
            Effect: 'Allow',
            Action: ['sso:PutInlinePolicyToPermissionSet', 'sso:ProvisionPermissionSet'],
            Resource: 'arn:aws:sso:::permissionSet/*',
            Condition: {
              StringEquals: {
                [`aws:ResourceTag/${IDENTITY_CENTER_MANAGED_TAG}`]: IDENTITY_CENTER_MANAGED_TAG_VALUE,
              },
            },
          },
          {
            Sid: 'OnTheInstanceAndAccounts',
            Effect: 'Allow',
            Action: ['sso:PutInlinePolicyToPermissionSet', 'sso:ProvisionPermissionSet'],
            Resource: ['arn:aws:sso:::instance/*', 'arn:aws:sso:::account/*'],
          },
          {
            Sid: 'ReadProvisioning',
            Effect: 'Allow',
            Action: ['sso:DescribePermissionSetProvisioningStatus', 'sso:DescribePermissionSet'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
}
