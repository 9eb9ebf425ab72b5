/**
 * The roles organization mode deploys, created in moto's accounts: the hub functions' roles (fixed
 * names, lib/organization/names.ts) in the hub account, and each member's read and apply roles with
 * the trust the team agreed (TEAM13 contract): the HUB ACCOUNT as principal, with aws:PrincipalArn
 * naming exactly the hub roles that may assume it, aws:PrincipalOrgID and sts:ExternalId; the apply
 * role also allows sts:SetSourceIdentity. Their permissions list the same actions as the functions'
 * own roles (lib/constructs/); moto enforces no identity policy, so they document what the member
 * template grants until the `members` template's policies replace them here.
 */
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../../../../lambda/core/model';
import { APPLY_IAM_ACTIONS } from '../../../../lib/constructs/apply-function';
import { ACCOUNT_AUTHORIZATION_READ_ACTIONS } from '../../../../lib/constructs/handler-function';
import { HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../../../lib/organization/names';

export const EXTERNAL_ID = 'passrole-doctor-org-loop-external-id';

export type HubFunction = keyof typeof HUB_ROLE_NAMES;

/** Which hub functions each member role admits (contract: read for all four, apply for two). */
export const MEMBER_ROLE_ADMITS: Record<'read' | 'apply', readonly HubFunction[]> = {
  read: ['diagnose', 'approval', 'apply', 'reconcile'],
  apply: ['apply', 'reconcile'],
};

export const MEMBER_READ_ACTIONS = [
  ...ACCOUNT_AUTHORIZATION_READ_ACTIONS,
  'iam:GetInstanceProfile',
  'iam:SimulatePrincipalPolicy',
  'iam:GetRequestAuthorizationDetails',
  'sts:DecodeAuthorizationMessage',
] as const;

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

/**
 * AssumeRole: the hub account, only the admitted hub roles, only from the organization, only with the
 * external id. The apply role's sts:SetSourceIdentity is a statement of its own without sts:ExternalId:
 * the Service Authorization Reference lists sts:ExternalId for sts:AssumeRole only, so a simulator
 * following it (iam-simulate) treats that key as absent for sts:SetSourceIdentity and denies. The same
 * request must still pass the AssumeRole statement, external id included.
 */
export function memberTrustPolicy(kind: 'read' | 'apply', trust: TrustSettings): PolicyDocument {
  const principal = { AWS: `arn:aws:iam::${trust.hubAccountId}:root` };
  const principalArn = {
    'aws:PrincipalArn': MEMBER_ROLE_ADMITS[kind].map((fn) => hubRoleArn(trust.hubAccountId, fn)),
  };
  const statements: PolicyDocument['Statement'] = [
    {
      Sid: 'HubFunctionsOfThisOrganization',
      Effect: 'Allow',
      Principal: principal,
      Action: 'sts:AssumeRole',
      Condition: {
        ArnEquals: principalArn,
        StringEquals: { 'aws:PrincipalOrgID': trust.organizationId, 'sts:ExternalId': trust.externalId },
      },
    },
  ];
  if (kind === 'apply') {
    statements.push({
      Sid: 'HubApproverAsSourceIdentity',
      Effect: 'Allow',
      Principal: principal,
      Action: 'sts:SetSourceIdentity',
      Condition: { ArnEquals: principalArn, StringEquals: { 'aws:PrincipalOrgID': trust.organizationId } },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The read and apply roles in one member account. */
export async function createMemberRoles(iam: IAMClient, trust: TrustSettings): Promise<void> {
  const permissions: Record<'read' | 'apply', PolicyDocument> = {
    read: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: [...MEMBER_READ_ACTIONS], Resource: '*' }],
    },
    apply: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: [...MEMBER_READ_ACTIONS, ...APPLY_IAM_ACTIONS], Resource: '*' }],
    },
  };
  for (const kind of ['read', 'apply'] as const) {
    await iam.send(
      new CreateRoleCommand({
        RoleName: MEMBER_ROLE_NAMES[kind],
        AssumeRolePolicyDocument: JSON.stringify(memberTrustPolicy(kind, trust)),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: MEMBER_ROLE_NAMES[kind],
        PolicyName: 'MemberAccess',
        PolicyDocument: JSON.stringify(permissions[kind]),
      }),
    );
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
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: HUB_ROLE_NAMES[fn],
        PolicyName: 'AssumeMemberRoles',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action:
                fn === 'apply' || fn === 'reconcile'
                  ? ['sts:AssumeRole', 'sts:SetSourceIdentity']
                  : 'sts:AssumeRole',
              Resource: kinds.map((kind) => `arn:aws:iam::*:role/${MEMBER_ROLE_NAMES[kind]}`),
            },
          ],
        }),
      }),
    );
  }
}
