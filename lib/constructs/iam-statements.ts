/**
 * The IAM statements more than one role grants: the diagnosis's reads (the diagnose function; an
 * organization member's read role) and the apply's inline-policy writes and explicit denies (the
 * apply function; a member's apply role). One definition, so a member account's roles allow exactly
 * what the single-account functions do, in the account where they act.
 *
 * Resources name the account as `${AWS::AccountId}`: the account the role lives in.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { iamArn as iamArnIn } from '../../lambda/core/iam/arn';

/** An IAM ARN with the partition as a pseudo parameter (the cdk-nag finding ids read the same everywhere). */
function iamArn(account: string, resource: string): string {
  return iamArnIn(Aws.PARTITION, account, resource);
}

const inThisAccount = (...resources: string[]): string[] =>
  resources.map((resource) => iamArn(Aws.ACCOUNT_ID, resource));

/** The targeted IAM reads of users, groups and roles with their policies (TargetedAccountReader). */
export const ENTITY_READ_ACTIONS = [
  'iam:GetUser',
  'iam:ListGroupsForUser',
  'iam:ListUserPolicies',
  'iam:GetUserPolicy',
  'iam:ListAttachedUserPolicies',
  'iam:GetGroup',
  'iam:ListGroupPolicies',
  'iam:GetGroupPolicy',
  'iam:ListAttachedGroupPolicies',
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
] as const;

/** Every IAM read of the account's data the live reader makes (the diagnosis, the escalation analysis, the re-reads). */
export const ACCOUNT_AUTHORIZATION_READ_ACTIONS = [
  ...ENTITY_READ_ACTIONS,
  'iam:ListRoles',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
] as const;

/**
 * What TargetedAccountReader reads: the users, groups and roles of this account with their inline and
 * attached policies; iam:ListRoles (the roles whose trust names the passed role; "*": it is not scoped
 * to a role); GetPolicy/GetPolicyVersion on AWS managed and this account's policies. No
 * GetAccountAuthorizationDetails: the live path reads only what an incident involves.
 */
export function accountAuthorizationReadStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadAccountEntities',
      actions: [...ENTITY_READ_ACTIONS],
      resources: inThisAccount('user/*', 'group/*', 'role/*'),
    }),
    new iam.PolicyStatement({
      sid: 'ListRolesTrustingTheRole',
      actions: ['iam:ListRoles'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadManagedPolicies',
      actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      resources: [iamArn('aws', 'policy/*'), iamArn(Aws.ACCOUNT_ID, 'policy/*')],
    }),
  ];
}

/**
 * The diagnosis's reads beyond the account's authorization data: the instance profile an EC2 denial
 * names, simulating the denied principal, decoding EC2's authorization message (only the account
 * where the request was denied can) and AWS's own record of the denial (IAM Toolbox, preview).
 */
export function diagnosisReadStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadInstanceProfiles',
      // The role an EC2 denial passed through an instance profile (TargetedAccountReader).
      actions: ['iam:GetInstanceProfile'],
      resources: inThisAccount('instance-profile/*'),
    }),
    new iam.PolicyStatement({
      sid: 'SimulateAccountPrincipals',
      actions: ['iam:SimulatePrincipalPolicy', 'iam:GetContextKeysForPrincipalPolicy'],
      resources: inThisAccount('user/*', 'role/*', 'group/*'),
    }),
    new iam.PolicyStatement({
      sid: 'DecodeEc2AuthorizationMessages',
      // DecodeAuthorizationMessage has no resource type either.
      actions: ['sts:DecodeAuthorizationMessage'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAwsAuthorizationDetails',
      // AWS's own record of a denial (IAM Toolbox, preview): no resource type is published for it.
      actions: ['iam:GetRequestAuthorizationDetails'],
      resources: ['*'],
    }),
  ];
}

/** Every IAM action the apply is allowed, by the entity type it acts on. */
export const APPLY_IAM_WRITE_ACTIONS = {
  group: ['iam:PutGroupPolicy', 'iam:GetGroupPolicy'],
  user: ['iam:PutUserPolicy', 'iam:GetUserPolicy'],
  role: ['iam:PutRolePolicy', 'iam:GetRolePolicy'],
} as const;
export const APPLY_IAM_VERIFY_ACTIONS = ['iam:SimulatePrincipalPolicy'] as const;
export const APPLY_IAM_ACTIONS: readonly string[] = [
  ...Object.values(APPLY_IAM_WRITE_ACTIONS).flat(),
  ...APPLY_IAM_VERIFY_ACTIONS,
];
/** Denied on protected roles: every inline-policy write, whatever its entity. */
export const PROTECTED_ROLE_DENIED_ACTIONS = ['iam:Put*Policy'] as const;
/** Roles AWS creates and manages: Identity Center's permission-set roles, service-linked roles. */
export const AWS_MANAGED_ROLE_PATHS = ['role/aws-reserved/*', 'role/aws-service-role/*'] as const;

/**
 * The apply's writes: Put and Get of inline policies on the account's groups, users and roles, and
 * SimulatePrincipalPolicy on users and roles to verify the written policy took effect.
 */
export function inlinePolicyWriteStatements(): iam.PolicyStatement[] {
  return [
    ...Object.entries(APPLY_IAM_WRITE_ACTIONS).map(
      ([entity, actions]) =>
        new iam.PolicyStatement({
          sid: `WriteInlinePoliciesOf${entity[0]?.toUpperCase()}${entity.slice(1)}s`,
          actions: [...actions],
          resources: inThisAccount(`${entity}/*`),
        }),
    ),
    new iam.PolicyStatement({
      sid: 'VerifyByResimulating',
      actions: [...APPLY_IAM_VERIFY_ACTIONS],
      resources: inThisAccount('user/*', 'role/*'),
    }),
  ];
}

/** An explicit Deny of every inline-policy write on `roleArns` (more may be added to it later). */
export function denyInlinePolicyWrites(sid: string, roleArns: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    actions: [...PROTECTED_ROLE_DENIED_ACTIONS],
    resources: [...roleArns],
  });
}

/** The explicit Deny of inline-policy writes on the roles AWS manages, in this account. */
export function denyAwsManagedRoleWrites(): iam.PolicyStatement {
  return denyInlinePolicyWrites('NeverWriteAwsManagedRoles', inThisAccount(...AWS_MANAGED_ROLE_PATHS));
}
