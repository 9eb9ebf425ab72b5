/**
 * The two roles the hub acts through in the account that administers Identity Center (fixed names,
 * IDENTITY_CENTER_ROLE_NAMES), trusted as the member roles are (hub-principals.ts hubRolesPrincipal:
 * the hub account, aws:PrincipalArn exact, aws:PrincipalOrgID, sts:ExternalId).
 *
 * - Read: sso-admin's reads of the instance, its permission sets, their provisioning and assignments,
 *   and identitystore's reads of users, groups and memberships. Trusted by the hub's diagnose,
 *   approval and apply roles.
 * - Apply: PutInlinePolicyToPermissionSet and ProvisionPermissionSet, and the provisioning status.
 *   Nothing else (no deletes, no assignments, no managed policies). Trusted by the hub's apply role only.
 *
 * sso-admin authorizes each action on several resources, every one of which needs an Allow: the
 * instance and the permission set (and, for assignments and provisioning, the target account). The
 * managed tag (aws:ResourceTag) exists on permission sets only, so it conditions the permission set
 * statement alone; the instance and account statements name the two write actions without it, and a
 * write still needs the tagged permission set's Allow. sso ARNs carry no account: an instance of
 * this account is the only one its sessions can reach.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  IDENTITY_CENTER_READ_ACTIONS,
  IDENTITY_CENTER_WRITE_ACTIONS,
} from '../../lambda/adapters/aws/identity-center/actions';
import { nameOf } from '../../lambda/core/iam/arn';
import {
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_MANAGED_TAG_VALUE,
  IDENTITY_CENTER_ROLE_NAMES,
} from '../../lambda/settings/identity-center';
import { hubRolesPrincipal, type HubRole } from './hub-principals';

/** Which hub functions assume which Identity Center role. */
export const IDENTITY_CENTER_TRUSTED_HUB_ROLES = {
  read: ['diagnose', 'approval', 'apply'],
  apply: ['apply'],
} as const satisfies Record<keyof typeof IDENTITY_CENTER_ROLE_NAMES, readonly HubRole[]>;

type ReadAction = (typeof IDENTITY_CENTER_READ_ACTIONS)[number];

/** ListInstances has no resource type: its own statement, on "*". */
export const SSO_FIND_INSTANCE_ACTION = 'sso:ListInstances' satisfies ReadAction;

/**
 * sso-admin's reads the IdentityCenterReader makes, derived from the adapter's own list
 * (adapters/aws/identity-center/actions.ts): a call the reader adds is granted here, or a test fails.
 */
export const SSO_READ_ACTIONS: readonly ReadAction[] = IDENTITY_CENTER_READ_ACTIONS.filter(
  (action) => action.startsWith('sso:') && action !== SSO_FIND_INSTANCE_ACTION,
);

/** identitystore's reads: names, group sizes and members, an approver's own memberships. */
export const IDENTITY_STORE_READ_ACTIONS: readonly ReadAction[] = IDENTITY_CENTER_READ_ACTIONS.filter(
  (action) => action.startsWith('identitystore:'),
);

/** The only writes (the writer's list): the set's inline policy, and its provisioning to one account. */
export const SSO_WRITE_ACTIONS = IDENTITY_CENTER_WRITE_ACTIONS;

/** The apply polls its provisioning request (an instance resource only): one of the reader's actions. */
export const SSO_APPLY_STATUS_ACTIONS = [
  'sso:DescribePermissionSetProvisioningStatus',
] as const satisfies readonly ReadAction[];

export interface IdentityCenterRolesProps {
  readonly organizationId: string;
  readonly hubAccountId: string;
  readonly externalId: string;
  /** The instance (its ARN); null for every instance of this account (an account has one). */
  readonly instanceArn: string | null;
}

/** The sso ARNs of the instance, its permission sets and the accounts it provisions to. */
export function ssoResourceArns(instanceArn: string | null, partition: string = Aws.PARTITION) {
  const instanceId = instanceArn === null ? '*' : nameOf(instanceArn);
  return {
    instance: `arn:${partition}:sso:::instance/${instanceId}`,
    permissionSets: `arn:${partition}:sso:::permissionSet/${instanceId}/*`,
    accounts: `arn:${partition}:sso:::account/*`,
  };
}

export class IdentityCenterRoles extends Construct {
  readonly readRole: iam.Role;
  readonly applyRole: iam.Role;

  constructor(scope: Construct, id: string, props: IdentityCenterRolesProps) {
    super(scope, id);
    const trusted = (role: keyof typeof IDENTITY_CENTER_TRUSTED_HUB_ROLES, externalId: string | null) =>
      hubRolesPrincipal(
        props.hubAccountId,
        props.organizationId,
        IDENTITY_CENTER_TRUSTED_HUB_ROLES[role],
        externalId,
      );
    const sso = ssoResourceArns(props.instanceArn);
    const store = (resource: string) => `arn:${Aws.PARTITION}:identitystore:::${resource}`;

    this.readRole = new iam.Role(this, 'ReadRole', {
      roleName: IDENTITY_CENTER_ROLE_NAMES.read,
      description: "PassRole Doctor hub: reads Identity Center's permission sets, assignments and users",
      assumedBy: trusted('read', props.externalId),
      inlinePolicies: {
        ReadPermissionSets: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'FindTheInstance',
              actions: [SSO_FIND_INSTANCE_ACTION],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'ReadPermissionSets',
              actions: [...SSO_READ_ACTIONS],
              resources: [sso.instance, sso.permissionSets, sso.accounts],
            }),
            new iam.PolicyStatement({
              sid: 'ReadUsersAndGroups',
              actions: [...IDENTITY_STORE_READ_ACTIONS],
              resources: [
                `arn:${Aws.PARTITION}:identitystore::${Aws.ACCOUNT_ID}:identitystore/*`,
                store('user/*'),
                store('group/*'),
                store('membership/*'),
              ],
            }),
          ],
        }),
      },
    });

    this.applyRole = new iam.Role(this, 'ApplyRole', {
      roleName: IDENTITY_CENTER_ROLE_NAMES.apply,
      description: `PassRole Doctor hub: writes and provisions approved inline policies of permission sets tagged ${IDENTITY_CENTER_MANAGED_TAG}=${IDENTITY_CENTER_MANAGED_TAG_VALUE}`,
      assumedBy: trusted('apply', props.externalId),
      inlinePolicies: {
        WriteTaggedPermissionSets: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'WriteTaggedPermissionSets',
              actions: [...SSO_WRITE_ACTIONS],
              resources: [sso.permissionSets],
              conditions: {
                StringEquals: {
                  [`aws:ResourceTag/${IDENTITY_CENTER_MANAGED_TAG}`]: IDENTITY_CENTER_MANAGED_TAG_VALUE,
                },
              },
            }),
            new iam.PolicyStatement({
              sid: 'OnTheInstance',
              actions: [...SSO_WRITE_ACTIONS, ...SSO_APPLY_STATUS_ACTIONS],
              resources: [sso.instance],
            }),
            new iam.PolicyStatement({
              sid: 'ProvisionToAnAccount',
              actions: ['sso:ProvisionPermissionSet'],
              resources: [sso.accounts],
            }),
          ],
        }),
      },
    });
    // As the member apply role: the apply sets SourceIdentity to the approver, so this account's
    // CloudTrail names who decided each write (see member-roles.ts on why without the external id).
    this.applyRole.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:SetSourceIdentity'], principals: [trusted('apply', null)] }),
    );
    this.acknowledgeFindings(props.instanceArn === null ? null : nameOf(props.instanceArn));
  }

  /** @param instanceId null for every instance of the account. */
  private acknowledgeFindings(instanceId: string | null): void {
    const anyInstance = instanceId === null;
    const read = Validations.of(this.readRole);
    const apply = Validations.of(this.applyRole);
    read.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sso:ListInstances has no resource type: IAM only accepts "*" (it finds the instance).',
    });
    const instance = instanceId ?? '*';
    for (const role of [read, apply]) {
      role.acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sso:::permissionSet/${instance}/*]`,
          reason:
            "Whichever permission set a denial comes from; the apply role's writes require the set to carry " +
            `${IDENTITY_CENTER_MANAGED_TAG}=${IDENTITY_CENTER_MANAGED_TAG_VALUE} (aws:ResourceTag).`,
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sso:::account/*]',
          reason:
            'Assignments are listed, and the set provisioned, in whichever account the denial happened in (the code provisions that one account only).',
        },
      );
      if (anyInstance) {
        role.acknowledge({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sso:::instance/*]',
          reason:
            'The instance of this account (an account has one; its ARN names no account): set identityCenterInstanceArn to name it.',
        });
      }
    }
    for (const resource of ['identitystore/*', 'user/*', 'group/*', 'membership/*']) {
      const account = resource === 'identitystore/*' ? '<AWS::AccountId>' : '';
      read.acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:identitystore::${account}:${resource}]`,
        reason:
          "Read-only: the names and sizes of whichever users and groups a set is assigned to, and an approver's memberships (separation of duties).",
      });
    }
  }
}
