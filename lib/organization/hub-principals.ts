/**
 * The hub's ARNs as a member template names them: built from the fixed names (names.ts) and the hub's
 * account and region, never looked up, because the member template is rolled out to accounts that
 * cannot see the hub stack. The partition is the member's own (`${AWS::Partition}`): an organization
 * never spans partitions.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { iamArn } from '../../lambda/core/iam/arn';
import { HUB_BUS_NAME, HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from './names';

export type HubRole = keyof typeof HUB_ROLE_NAMES;

/** Which hub functions assume which member role (the contract's trust decision). */
export const MEMBER_ROLE_TRUSTED_HUB_ROLES = {
  read: ['diagnose', 'approval', 'apply'],
  // The reconciler only re-invokes the apply function: it needs neither member role.
  apply: ['apply'],
} as const satisfies Record<'read' | 'apply', readonly HubRole[]>;

/** `arn:<partition>:iam::<hub>:role/PassRoleDoctorHub-<Function>`: the role path is `/`. */
export function hubRoleArn(hubAccountId: string, role: HubRole): string {
  return iamArn(Aws.PARTITION, hubAccountId, `role/${HUB_ROLE_NAMES[role]}`);
}

/**
 * The hub account as principal, admitted only for exactly `roles` (aws:PrincipalArn), from the
 * organization (aws:PrincipalOrgID) and, when given, with the external id (see member-roles.ts for
 * why the account and a PrincipalArn condition rather than the roles' ARNs as principals).
 */
export function hubRolesPrincipal(
  hubAccountId: string,
  organizationId: string,
  roles: readonly HubRole[],
  externalId: string | null,
): iam.IPrincipal {
  return new iam.PrincipalWithConditions(new iam.AccountPrincipal(hubAccountId), {
    StringEquals: {
      'aws:PrincipalArn': roles.map((role) => hubRoleArn(hubAccountId, role)),
      'aws:PrincipalOrgID': organizationId,
      ...(externalId === null ? {} : { 'sts:ExternalId': externalId }),
    },
  });
}

/** The hub's custom bus, where every member's forwarding rule puts its denials. */
export function hubBusArn(hubAccountId: string, hubRegion: string): string {
  return `arn:${Aws.PARTITION}:events:${hubRegion}:${hubAccountId}:event-bus/${HUB_BUS_NAME}`;
}

/** The forward role's name in one region: IAM names are global per account, rules are regional. */
export function forwardRoleName(region: string): string {
  return `${MEMBER_ROLE_NAMES.forward}-${region}`;
}

/**
 * The roles of a member account the member apply role never writes an inline policy to: the member
 * template's own (forward in every region, read, apply), when the hub account is itself a member the
 * hub stack's (its fixed-name function roles and the roles CloudFormation names after the stack), and
 * in the account administering Identity Center (a member too, or the management account with its
 * plain member stacks) Identity Center's read and apply roles: a PassRole grant written to the apply
 * role would widen the one role that writes permission sets. IAM resource paths, relative to the account.
 */
export const MEMBER_PROTECTED_ROLE_RESOURCES = [
  'role/PassRoleDoctorMember-*',
  'role/PassRoleDoctorHub-*',
  'role/PassRoleDoctorIdentityCenter-*',
] as const;
