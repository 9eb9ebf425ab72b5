/**
 * The roles organization mode deploys, created in moto's accounts: the hub functions' roles (fixed
 * names, lib/organization/names.ts) in the hub account, and each member's read and apply roles as the
 * `members` template deploys them (trust and inline policies).
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../../../lib/organization/names';
import {
  APPLY_ROLE,
  HUB_ACCOUNT,
  MEMBER_ACCOUNT,
  memberDeployments,
  memberRole,
  ORGANIZATION,
  READ_ROLE,
  type MemberDeployment,
} from '../../../attacks/support/member-deployment';

/** The external id the member template was synthesized with (test/lib/support/organization-app.ts). */
export const EXTERNAL_ID = ORGANIZATION.externalId;

export type HubFunction = keyof typeof HUB_ROLE_NAMES;

/** Which hub functions each member role admits: read for three, apply for the apply function only. */
export const MEMBER_ROLE_ADMITS: Record<'read' | 'apply', readonly HubFunction[]> = {
  read: ['diagnose', 'approval', 'apply'],
  apply: ['apply'],
};

export function hubRoleArn(hubAccountId: string, fn: HubFunction): string {
  return `arn:aws:iam::${hubAccountId}:role/${HUB_ROLE_NAMES[fn]}`;
}

export function memberRoleArn(memberAccountId: string, kind: 'read' | 'apply'): string {
  return `arn:aws:iam::${memberAccountId}:role/${MEMBER_ROLE_NAMES[kind]}`;
}

export interface TrustSettings {
  hubAccountId: string;
  organizationId: string;
  externalId: string;
}

let deployments: MemberDeployment[] | null = null;

/**
 * The read and apply roles in one member account, with the trust and inline policies of the
 * `members` template as its stack instance deploys them (test/attacks/support/member-deployment.ts),
 * the template's example accounts and organization replaced by this run's.
 */
export async function createMemberRoles(
  iam: IAMClient,
  trust: TrustSettings,
  memberAccountId: string,
): Promise<void> {
  deployments ??= memberDeployments();
  const ours = (document: unknown): string =>
    JSON.stringify(document)
      .replaceAll(HUB_ACCOUNT, trust.hubAccountId)
      .replaceAll(MEMBER_ACCOUNT, memberAccountId)
      .replaceAll(ORGANIZATION.organizationId, trust.organizationId)
      .replaceAll(JSON.stringify(EXTERNAL_ID).slice(1, -1), trust.externalId);
  for (const name of [READ_ROLE, APPLY_ROLE]) {
    const role = memberRole(deployments, name);
    await iam.send(
      new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: ours(role.trust) }),
    );
    for (const policy of role.policies) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: policy.name,
          PolicyDocument: ours(policy.document),
        }),
      );
    }
  }
}

/** The hub functions' roles in the hub account (Lambda assumes them). */
export async function createHubRoles(iam: IAMClient): Promise<void> {
  for (const fn of Object.keys(HUB_ROLE_NAMES) as HubFunction[]) {
    const kinds = (['read', 'apply'] as const).filter((kind) => MEMBER_ROLE_ADMITS[kind].includes(fn));
    await iam.send(
      new CreateRoleCommand({
        RoleName: HUB_ROLE_NAMES[fn],
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    // The reconciler assumes no member role: its hub role gets no such policy.
    if (kinds.length === 0) continue;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: HUB_ROLE_NAMES[fn],
        PolicyName: 'AssumeMemberRoles',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: fn === 'apply' ? ['sts:AssumeRole', 'sts:SetSourceIdentity'] : 'sts:AssumeRole',
              Resource: kinds.map((kind) => `arn:aws:iam::*:role/${MEMBER_ROLE_NAMES[kind]}`),
            },
          ],
        }),
      }),
    );
  }
}

/** Deletes a role and its inline policies (a member whose stack instance is gone). */
export async function deleteRole(iam: IAMClient, roleName: string): Promise<void> {
  const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  for (const PolicyName of names)
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName }));
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}
