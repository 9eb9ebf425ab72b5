/**
 * Identity Center's read and apply roles under attack (lib/organization/identity-center-roles.ts), as
 * the administering account gets them from PassRoleDoctor-IdentityCenter (intrinsics resolved),
 * evaluated with the local simulator (moto evaluates no trust or identity policy): who may assume
 * them (no external id, the diagnose or approval role for writes, outsiders, another hub role), and
 * what the apply role may do (an untagged set, deletes, assignments, managed policies). Then
 * separation of duties: an approver assigned the set through a group. Then the legitimate uses, so a
 * role that admits no one cannot pass.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { iamRefusal, type EligibilityFacts } from '../../lambda/core/approval/eligibility';
import { readIdentityCenterSeparation } from '../../lambda/core/approval/identity-center-separation';
import { unknownEscalation } from '../../lambda/core/escalation/model';
import type { IdentityCenterReader } from '../../lambda/ports/identity-center';
import {
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_ROLE_NAMES,
} from '../../lambda/settings/identity-center';
import { HUB_ROLE_NAMES } from '../../lib/organization/names';
import { IdentityCenterStack } from '../../lib/organization/identity-center-stack';
import { recordAttack } from './support/attack-results';
import { MEMBER_ACCOUNT, memberDeployments, memberRole } from './support/member-deployment';
import { IntrinsicResolver, type CfnTemplate, type Json } from './support/cfn-intrinsics';
import { evaluate, type AttackRequest } from './support/policy-evaluator';
import type { PolicyDocument } from './support/resource-policies';

const PART = 'identity-center-roles';
const HUB_ACCOUNT = '111122223333';
const MANAGEMENT = '999988887777';
const MEMBER = '222233334444';
const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const EXTERNAL_ID = 'passrole-doctor-7f3a9c';
const OTHER_ORGANIZATION = 'o-zzzzzzzzzz';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const PERMISSION_SET = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef';
const READ_ROLE = IDENTITY_CENTER_ROLE_NAMES.read;
const APPLY_ROLE = IDENTITY_CENTER_ROLE_NAMES.apply;

interface DeployedRole {
  arn: string;
  trust: PolicyDocument;
  policies: { name: string; document: PolicyDocument }[];
}

/** The stack as deployed in the administering account: each role's trust and inline policies. */
function deployedRoles(): Map<string, DeployedRole> {
  const stack = new IdentityCenterStack(new App(), 'PassRoleDoctor-IdentityCenter', {
    organization: { organizationId: ORGANIZATION_ID, hubAccountId: HUB_ACCOUNT, externalId: EXTERNAL_ID },
    identityCenter: {
      region: 'us-east-1',
      accountId: MANAGEMENT,
      managementAccountId: MANAGEMENT,
      instanceArn: null,
    },
  });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const resolver = new IntrinsicResolver(template, {
    account: MANAGEMENT,
    region: 'us-east-1',
    partition: 'aws',
    stackName: 'PassRoleDoctor-IdentityCenter',
  });
  const roles = new Map<string, DeployedRole>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = resource.Properties ?? {};
    const name = resolver.resolveString(properties['RoleName'] as Json, `${logicalId} RoleName`);
    const policies = resolver.resolve((properties['Policies'] ?? []) as Json) as unknown as {
      PolicyName: string;
      PolicyDocument: PolicyDocument;
    }[];
    roles.set(name, {
      arn: resolver.arnOf(logicalId),
      trust: resolver.resolve(properties['AssumeRolePolicyDocument'] as Json) as unknown as PolicyDocument,
      policies: policies.map((policy) => ({ name: policy.PolicyName, document: policy.PolicyDocument })),
    });
  }
  return roles;
}

let roles: Map<string, DeployedRole>;
beforeAll(() => {
  roles = deployedRoles();
});

function role(name: string): DeployedRole {
  const found = roles.get(name);
  if (found === undefined) throw new Error(`no role ${name}`);
  return found;
}

const ASSUME_ANYTHING: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }],
};

interface Caller {
  account: string;
  roleName: string;
  organizationId: string;
}
const hubRole = (roleName: string): Caller => ({
  account: HUB_ACCOUNT,
  roleName,
  organizationId: ORGANIZATION_ID,
});

interface AssumeAttempt {
  role: string;
  caller: Caller;
  action?: 'sts:AssumeRole' | 'sts:SetSourceIdentity';
  externalId?: string;
}

async function mayAssume(attempt: AssumeAttempt): Promise<boolean> {
  const { caller } = attempt;
  const request: AttackRequest = {
    principal: `arn:aws:sts::${caller.account}:assumed-role/${caller.roleName}/session`,
    action: attempt.action ?? 'sts:AssumeRole',
    resourceArn: role(attempt.role).arn,
    context: {
      'aws:PrincipalArn': `arn:aws:iam::${caller.account}:role/${caller.roleName}`,
      'aws:PrincipalAccount': caller.account,
      'aws:PrincipalOrgID': caller.organizationId,
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': 'AROAEXAMPLEROLEID:session',
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': '2026-12-07T06:00:00Z',
      ...(attempt.action === 'sts:SetSourceIdentity'
        ? { 'sts:SourceIdentity': 'alice@example.com' }
        : attempt.externalId === undefined
          ? {}
          : { 'sts:ExternalId': attempt.externalId }),
    },
  };
  const verdict = await evaluate({
    request,
    identityPolicies: [{ name: 'caller', document: ASSUME_ANYTHING }],
    resourcePolicy: role(attempt.role).trust,
  });
  return verdict.allowed;
}

interface CallAttempt {
  role: string;
  action: string;
  resourceArn: string;
  /** The permission set's managed tag value; undefined: the set has no such tag. */
  tag?: string;
}

async function mayCall(attempt: CallAttempt): Promise<boolean> {
  const session = role(attempt.role).arn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/');
  const verdict = await evaluate({
    request: {
      principal: `${session}/PassRoleDoctorHub-Apply`,
      action: attempt.action,
      resourceArn: attempt.resourceArn,
      context: {
        'aws:PrincipalArn': role(attempt.role).arn,
        'aws:PrincipalAccount': MANAGEMENT,
        'aws:PrincipalOrgID': ORGANIZATION_ID,
        'aws:PrincipalType': 'AssumedRole',
        'aws:userid': 'AROAEXAMPLEROLEID:PassRoleDoctorHub-Apply',
        'aws:SecureTransport': 'true',
        'aws:CurrentTime': '2026-12-07T06:00:00Z',
        ...(attempt.tag === undefined
          ? {}
          : { [`aws:ResourceTag/${IDENTITY_CENTER_MANAGED_TAG}`]: attempt.tag }),
      },
    },
    identityPolicies: role(attempt.role).policies,
  });
  return verdict.allowed;
}

const WITH_ID = { externalId: EXTERNAL_ID };

const ASSUME_ATTACKS: [string, AssumeAttempt][] = [
  [
    "assume the Identity Center read role as the hub's diagnose role without the external id",
    { role: READ_ROLE, caller: hubRole(HUB_ROLE_NAMES.diagnose) },
  ],
  [
    "assume the Identity Center apply role as the hub's apply role without the external id",
    { role: APPLY_ROLE, caller: hubRole(HUB_ROLE_NAMES.apply) },
  ],
  [
    "assume the Identity Center apply role as the hub's apply role with a wrong external id",
    { role: APPLY_ROLE, caller: hubRole(HUB_ROLE_NAMES.apply), externalId: 'guessed-external-id' },
  ],
  [
    "assume the Identity Center apply role as the hub's diagnose role (it reads, never writes)",
    { role: APPLY_ROLE, caller: hubRole(HUB_ROLE_NAMES.diagnose), ...WITH_ID },
  ],
  [
    "assume the Identity Center apply role as the hub's approval role (it decides, the apply writes)",
    { role: APPLY_ROLE, caller: hubRole(HUB_ROLE_NAMES.approval), ...WITH_ID },
  ],
  ...([READ_ROLE, APPLY_ROLE] as const).map((name): [string, AssumeAttempt] => [
    `assume ${name} as the hub's reconcile role`,
    { role: name, caller: hubRole(HUB_ROLE_NAMES.reconcile), ...WITH_ID },
  ]),
  [
    'assume the Identity Center apply role from an account outside the organization, with the external id',
    {
      role: APPLY_ROLE,
      caller: { account: '999999999999', roleName: HUB_ROLE_NAMES.apply, organizationId: OTHER_ORGANIZATION },
      ...WITH_ID,
    },
  ],
  [
    "assume the Identity Center read role as a member's role named like the hub's diagnose role",
    {
      role: READ_ROLE,
      caller: { account: MEMBER, roleName: HUB_ROLE_NAMES.diagnose, organizationId: ORGANIZATION_ID },
      ...WITH_ID,
    },
  ],
  [
    'assume the Identity Center apply role as another role of the hub account (an administrator)',
    { role: APPLY_ROLE, caller: hubRole('Administrator'), ...WITH_ID },
  ],
  [
    "set a source identity on the Identity Center apply role as the hub's diagnose role",
    { role: APPLY_ROLE, caller: hubRole(HUB_ROLE_NAMES.diagnose), action: 'sts:SetSourceIdentity' },
  ],
];

const CALL_ATTACKS: [string, CallAttempt][] = [
  ...(['sso:PutInlinePolicyToPermissionSet', 'sso:ProvisionPermissionSet'] as const).flatMap(
    (action): [string, CallAttempt][] => [
      [
        `${action} on a permission set without the managed tag`,
        { role: APPLY_ROLE, action, resourceArn: PERMISSION_SET },
      ],
      [
        `${action} on a permission set tagged ${IDENTITY_CENTER_MANAGED_TAG}=false`,
        { role: APPLY_ROLE, action, resourceArn: PERMISSION_SET, tag: 'false' },
      ],
      [
        `${action} through the read role, on a tagged set`,
        { role: READ_ROLE, action, resourceArn: PERMISSION_SET, tag: 'true' },
      ],
    ],
  ),
  ...[
    'sso:DeletePermissionSet',
    'sso:DeleteInlinePolicyFromPermissionSet',
    'sso:AttachManagedPolicyToPermissionSet',
    'sso:AttachCustomerManagedPolicyReferenceToPermissionSet',
    'sso:PutPermissionsBoundaryToPermissionSet',
    'sso:CreateAccountAssignment',
    'sso:DeleteAccountAssignment',
    'sso:UpdatePermissionSet',
    'sso:TagResource',
    'sso:UntagResource',
  ].map((action): [string, CallAttempt] => [
    `${action} on a tagged permission set through the apply role`,
    { role: APPLY_ROLE, action, resourceArn: PERMISSION_SET, tag: 'true' },
  ]),
  [
    'sso:CreateAccountAssignment in an account through the apply role',
    {
      role: APPLY_ROLE,
      action: 'sso:CreateAccountAssignment',
      resourceArn: `arn:aws:sso:::account/${MEMBER}`,
    },
  ],
];

describe("Identity Center's roles", () => {
  it.each(ASSUME_ATTACKS)('refuse: %s', async (name, attempt) => {
    const got = await mayAssume(attempt);
    recordAttack({ part: PART, name, escalated: got, forgedApplied: false });
    expect(got).toBe(false);
  });

  it.each(CALL_ATTACKS)('refuse: %s', async (name, attempt) => {
    const got = await mayCall(attempt);
    recordAttack({ part: PART, name, escalated: got, forgedApplied: false });
    expect(got).toBe(false);
  });

  const LEGITIMATE_ASSUMES: [string, AssumeAttempt][] = [
    ...(['diagnose', 'approval', 'apply'] as const).map((hub): [string, AssumeAttempt] => [
      `the hub's ${hub} role assumes the read role with the external id`,
      { role: READ_ROLE, caller: hubRole(HUB_ROLE_NAMES[hub]), ...WITH_ID },
    ]),
    ...(['sts:AssumeRole', 'sts:SetSourceIdentity'] as const).map((action): [string, AssumeAttempt] => [
      `the hub's apply role assumes the apply role (${action})`,
      { role: APPLY_ROLE, caller: hubRole(HUB_ROLE_NAMES.apply), action, ...WITH_ID },
    ]),
  ];
  it.each(LEGITIMATE_ASSUMES)('admit: %s', async (_name, attempt) => {
    expect(await mayAssume(attempt)).toBe(true);
  });

  const LEGITIMATE_CALLS: [string, CallAttempt][] = [
    ...(['sso:PutInlinePolicyToPermissionSet', 'sso:ProvisionPermissionSet'] as const).flatMap(
      (action): [string, CallAttempt][] => [
        [`${action} on a tagged set`, { role: APPLY_ROLE, action, resourceArn: PERMISSION_SET, tag: 'true' }],
        [`${action} on the instance`, { role: APPLY_ROLE, action, resourceArn: INSTANCE }],
      ],
    ),
    [
      'sso:ProvisionPermissionSet to an account',
      {
        role: APPLY_ROLE,
        action: 'sso:ProvisionPermissionSet',
        resourceArn: `arn:aws:sso:::account/${MEMBER}`,
      },
    ],
    [
      'sso:DescribePermissionSetProvisioningStatus through the apply role',
      { role: APPLY_ROLE, action: 'sso:DescribePermissionSetProvisioningStatus', resourceArn: INSTANCE },
    ],
    [
      'sso:GetInlinePolicyForPermissionSet through the read role, on an untagged set',
      { role: READ_ROLE, action: 'sso:GetInlinePolicyForPermissionSet', resourceArn: PERMISSION_SET },
    ],
    [
      'identitystore:ListGroupMembershipsForMember through the read role',
      {
        role: READ_ROLE,
        action: 'identitystore:ListGroupMembershipsForMember',
        resourceArn: 'arn:aws:identitystore:::user/u-1234',
      },
    ],
  ];
  it.each(LEGITIMATE_CALLS)('admit: %s', async (_name, attempt) => {
    expect(await mayCall(attempt)).toBe(true);
  });
});

describe("the member apply role, where it exists beside Identity Center's roles", () => {
  it.each(Object.values(IDENTITY_CENTER_ROLE_NAMES))(
    'refuse: the member apply role writes an inline policy to %s',
    async (name) => {
      const member = memberRole(memberDeployments(), 'PassRoleDoctorMember-Apply');
      const verdict = await evaluate({
        request: {
          principal: `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/PassRoleDoctorMember-Apply/PassRoleDoctorHub-Apply`,
          action: 'iam:PutRolePolicy',
          resourceArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/${name}`,
          context: {
            'aws:PrincipalArn': member.arn,
            'aws:PrincipalAccount': MEMBER_ACCOUNT,
            'aws:PrincipalOrgID': ORGANIZATION_ID,
            'aws:PrincipalType': 'AssumedRole',
            'aws:userid': 'AROAEXAMPLEROLEID:PassRoleDoctorHub-Apply',
            'aws:SecureTransport': 'true',
            'aws:CurrentTime': '2026-12-07T06:00:00Z',
          },
        },
        identityPolicies: member.policies,
      });
      recordAttack({
        part: PART,
        name: `the member apply role writes an inline policy to ${name}`,
        escalated: verdict.allowed,
        forgedApplied: false,
      });
      expect(verdict).toMatchObject({ allowed: false, deniedBy: 'explicit-deny' });
    },
  );
});

describe('separation of duties for a permission set', () => {
  const target = {
    type: 'permission-set' as const,
    name: 'Data_Engineers',
    arn: null,
    instanceArn: INSTANCE,
    permissionSetArn: PERMISSION_SET,
  };
  const approver = `arn:aws:sts::${HUB_ACCOUNT}:assumed-role/AWSReservedSSO_SecurityApprovers_9f8e7d6c5b4a3f2e/aiko`;
  const reader = (groupIds: string[] | Error): IdentityCenterReader => {
    const refuse = () => Promise.reject(new Error('not read here'));
    return {
      permissionSet: refuse,
      definition: refuse,
      provisionedAccounts: refuse,
      provisioningStatus: refuse,
      assignments: () =>
        Promise.resolve([
          {
            principalType: 'GROUP',
            principalId: 'g-data',
            displayName: 'data-engineers',
            memberCount: 40,
            memberNames: [],
          },
        ]),
      userMemberships: () =>
        groupIds instanceof Error
          ? Promise.reject(groupIds)
          : Promise.resolve({ userId: 'u-aiko', groupIds }),
    };
  };
  const factsWith = async (identityCenter: IdentityCenterReader): Promise<EligibilityFacts> => {
    const separation = await readIdentityCenterSeparation(identityCenter, target, MEMBER, [approver]);
    return {
      denial: {
        principalArn: `arn:aws:sts::${MEMBER}:assumed-role/AWSReservedSSO_Data_Engineers_0a1b2c3d4e5f6a7b/mei`,
        policySourceArn: null,
      },
      target,
      gainers: [],
      rule: {
        requires: 'iam-approver',
        reason: 'the set is assigned to many people',
        assumedSettings: {
          source: 'deployment',
          approvalMode: 'iam',
          approversConfigured: true,
          allowAdminRoles: false,
          autoApprove: 'off',
        },
      },
      analysis: unknownEscalation('not analysed here'),
      // The approver is listed: only separation of duties stands in the way.
      approvers: [`arn:aws:iam::${HUB_ACCOUNT}:role/AWSReservedSSO_SecurityApprovers_*`],
      autoApprove: 'off',
      approverAccount: HUB_ACCOUNT,
      ...(separation !== undefined ? { identityCenter: separation } : {}),
    };
  };

  it.each([
    ['self-approval through a group assigned the set', ['g-security', 'g-data']],
    ['approval by a user whose groups cannot be read', new Error('AccessDeniedException')],
  ] as const)('refuse: %s', async (name, groups) => {
    const refusal = iamRefusal(
      approver,
      null,
      await factsWith(reader(groups instanceof Error ? groups : [...groups])),
    );
    const got = refusal === null;
    recordAttack({ part: PART, name, escalated: got, forgedApplied: false });
    expect(refusal?.kind).toBe('self-approval');
  });

  it('admit: a listed approver in no group assigned the set', async () => {
    expect(iamRefusal(approver, null, await factsWith(reader(['g-security'])))).toBeNull();
  });
});
