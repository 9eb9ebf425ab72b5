/**
 * What a hub function may do outside its own account, in organization mode: assume exactly the
 * member roles it needs (any account of the organization, never another's: aws:ResourceOrgID), set
 * the approver as SourceIdentity where it writes, and read Organizations (names, OU path, SCPs) where
 * it diagnoses. The member roles trust these roles by their fixed names (HUB_ROLE_NAMES). With
 * Identity Center configured, also exactly its read role (diagnose, approval, apply) and apply role
 * (apply) in the account that administers it.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ORGANIZATIONS_READ_ACTIONS } from '../../lambda/adapters/aws/organizations-reader';
import { iamArn } from '../../lambda/core/iam/arn';
import { IDENTITY_CENTER_ROLE_NAMES } from '../../lambda/settings/identity-center';
import { MEMBER_ROLE_NAMES } from '../../lambda/settings/organization';
import { IDENTITY_CENTER_TRUSTED_HUB_ROLES } from './identity-center-roles';

/** What HandlerFunction needs in organization mode. */
export interface HubFunctionOrganization {
  readonly organizationId: string;
  /** ORGANIZATION_ENV's variables (and IDENTITY_CENTER_ENV's), as environmentOf writes them. */
  readonly environment: Readonly<Record<string, string>>;
  /** The account holding Identity Center's roles; absent: permission sets are advice only. */
  readonly identityCenter?: { readonly accountId: string };
}

/** The hub functions, as handler names (HandlerName). */
export type HubFunction = 'diagnose' | 'approval' | 'apply' | 'reconcile';

/**
 * Which member role each function assumes, and whether it reads Organizations. The diagnosis and the
 * approval's re-check read; the apply also writes (through the apply role). The reconciler only asks
 * the apply function to run again: it assumes no member role.
 */
export const HUB_FUNCTION_ACCESS: Readonly<
  Record<
    HubFunction,
    { readonly memberRoles: readonly ('read' | 'apply')[]; readonly organizations: boolean }
  >
> = {
  diagnose: { memberRoles: ['read'], organizations: true },
  approval: { memberRoles: ['read'], organizations: true },
  apply: { memberRoles: ['read', 'apply'], organizations: false },
  reconcile: { memberRoles: [], organizations: false },
};

/** Its reads of the organization itself (the management account, the root): no resource type, "*" only. */
export const ORGANIZATION_WIDE_READ_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
] as const satisfies readonly (typeof ORGANIZATIONS_READ_ACTIONS)[number][];

/**
 * The rest of what OrganizationsReader calls, scoped to the organization's accounts, OUs, root and
 * SCPs: derived from the reader's own list, so a call it adds is granted (or fails a test) here.
 */
export const ORGANIZATION_SCOPED_READ_ACTIONS: readonly string[] = ORGANIZATIONS_READ_ACTIONS.filter(
  (action) => !(ORGANIZATION_WIDE_READ_ACTIONS as readonly string[]).includes(action),
);

/** Why a hub function that reads Organizations has a "*" resource (for its cdk-nag acknowledgement). */
export const ORGANIZATION_WIDE_READS_REASON =
  'organizations:DescribeOrganization and ListRoots (the organization itself) publish no resource type';

/** A member role of any account (the member template creates it by this name in each). */
export function memberRoleArn(role: 'read' | 'apply'): string {
  return iamArn(Aws.PARTITION, '*', `role/${MEMBER_ROLE_NAMES[role]}`);
}

/**
 * The organization's accounts, OUs, root and SCPs (customer and AWS managed). The management
 * account's id is part of these ARNs and unknown here, hence `*` for it: the organization id pins them.
 */
export function organizationsResourceArns(
  organizationId: string,
  partition: string = Aws.PARTITION,
): string[] {
  const arn = (account: string, resource: string) => `arn:${partition}:organizations::${account}:${resource}`;
  return [
    arn('*', `account/${organizationId}/*`),
    arn('*', `ou/${organizationId}/ou-*`),
    arn('*', `root/${organizationId}/r-*`),
    arn('*', `policy/${organizationId}/service_control_policy/p-*`),
    arn('aws', 'policy/service_control_policy/p-*'),
  ];
}

/** The Identity Center roles `handler` assumes (the roles' own trust, read the other way). */
export function identityCenterRolesOf(handler: HubFunction): ('read' | 'apply')[] {
  return (['read', 'apply'] as const).filter((role) =>
    (IDENTITY_CENTER_TRUSTED_HUB_ROLES[role] as readonly string[]).includes(handler),
  );
}

/** Why the apply function reads DescribeOrganization with Identity Center (its cdk-nag reason). */
export const MANAGEMENT_ACCOUNT_READ_REASON =
  'organizations:DescribeOrganization (which account is the management account: a delegated Identity Center administrator never writes a set provisioned there) publishes no resource type';

/**
 * Exactly the Identity Center roles `handler` assumes, in `accountId`; the apply also sets the
 * approver as SourceIdentity, and reads DescribeOrganization (management or delegated
 * administration). Returns whether a "*" resource was added (the caller acknowledges it).
 */
export function allowIdentityCenterAccess(
  role: iam.Role,
  handler: HubFunction,
  organizationId: string,
  accountId: string,
): boolean {
  for (const icRole of identityCenterRolesOf(handler)) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: icRole === 'read' ? 'AssumeIdentityCenterReadRole' : 'AssumeIdentityCenterApplyRole',
        actions: icRole === 'read' ? ['sts:AssumeRole'] : ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        resources: [iamArn(Aws.PARTITION, accountId, `role/${IDENTITY_CENTER_ROLE_NAMES[icRole]}`)],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
  }
  if (handler !== 'apply' || HUB_FUNCTION_ACCESS[handler].organizations) return false;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadTheManagementAccount',
      actions: ['organizations:DescribeOrganization'],
      resources: ['*'],
    }),
  );
  return true;
}

export function allowHubAccess(role: iam.Role, handler: HubFunction, organizationId: string): void {
  const access = HUB_FUNCTION_ACCESS[handler];
  const inOrganization = { StringEquals: { 'aws:ResourceOrgID': organizationId } };
  const policy = Validations.of(role.node.findChild('DefaultPolicy'));
  for (const memberRole of access.memberRoles) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: memberRole === 'read' ? 'AssumeMemberReadRoles' : 'AssumeMemberApplyRoles',
        // SourceIdentity: the member's CloudTrail names the approver of each write.
        actions: memberRole === 'read' ? ['sts:AssumeRole'] : ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        resources: [memberRoleArn(memberRole)],
        conditions: inOrganization,
      }),
    );
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${MEMBER_ROLE_NAMES[memberRole]}]`,
      reason:
        `The ${MEMBER_ROLE_NAMES[memberRole]} role of whichever member account a denial comes from: one role ` +
        'name, in accounts of this organization only (aws:ResourceOrgID).',
    });
  }
  if (!access.organizations) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadOrganizationAccountsAndScps',
      actions: [...ORGANIZATION_SCOPED_READ_ACTIONS],
      resources: organizationsResourceArns(organizationId),
    }),
  );
  // Acknowledged with the function's other "*" resources (ORGANIZATION_WIDE_READS_REASON).
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadTheOrganization',
      actions: [...ORGANIZATION_WIDE_READ_ACTIONS],
      resources: ['*'],
    }),
  );
  for (const resource of organizationsResourceArns(organizationId, '<AWS::Partition>')) {
    policy.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason:
        "Organizations reads (name, OU path, SCPs) of any account, OU, root or SCP of this organization: the management account's id in these ARNs is not known to the hub.",
    });
  }
}
