/**
 * What a hub function may do outside its own account, in organization mode: assume exactly the
 * member roles it needs (any account of the organization, never another's: aws:ResourceOrgID), set
 * the approver as SourceIdentity where it writes, and read Organizations (names, OU path, SCPs) where
 * it diagnoses. The member roles trust these roles by their fixed names (HUB_ROLE_NAMES).
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ORGANIZATIONS_READ_ACTIONS } from '../../lambda/adapters/aws/organizations-reader';
import { iamArn } from '../../lambda/core/iam/arn';
import { MEMBER_ROLE_NAMES } from '../../lambda/settings/organization';

/** What HandlerFunction needs in organization mode. */
export interface HubFunctionOrganization {
  readonly organizationId: string;
  /** ORGANIZATION_ENV's variables, as environmentOf writes them. */
  readonly environment: Readonly<Record<string, string>>;
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
