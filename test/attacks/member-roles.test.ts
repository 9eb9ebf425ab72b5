/**
 * Organization mode's member roles under attack: the read and apply roles' trust policies as a
 * member account gets them from the StackSet (member template resolved for one member account in its
 * role region), evaluated with the local simulator (moto evaluates no trust policy). Who tries to
 * assume them: a principal of an account outside the organization, the hub's own roles without or
 * with a wrong external id, a hub role the role does not trust, and a role of another account named
 * like the hub's. Then the legitimate uses, so a trust that admits no one cannot pass.
 */
import { recordAttack } from './support/attack-results';
import {
  APPLY_ROLE,
  HUB_ACCOUNT,
  MEMBER_ACCOUNT,
  memberDeployments,
  memberRole,
  ORGANIZATION,
  READ_ROLE,
  type MemberDeployment,
} from './support/member-deployment';
import { evaluate, type AttackRequest } from './support/policy-evaluator';
import type { PolicyDocument } from './support/resource-policies';
import { HUB_ROLE_NAMES } from '../../lib/organization/names';
import { forwardRoleName } from '../../lib/organization/hub-principals';

const PART = 'member-roles';
const OTHER_ORGANIZATION = 'o-zzzzzzzzzz';
/** An account of another organization, and one of ours that is not the hub. */
const OUTSIDER_ACCOUNT = '999999999999';
const OTHER_MEMBER_ACCOUNT = '333333333333';

/** Whatever the caller's own account lets it do: the attacker controls its identity policy. */
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
  organizationId: ORGANIZATION.organizationId,
});

interface Attempt {
  caller: Caller;
  action?: 'sts:AssumeRole' | 'sts:SetSourceIdentity';
  /** undefined: the request carries no external id. */
  externalId?: string;
}

function requestOf(attempt: Attempt, roleArn: string): AttackRequest {
  const { caller } = attempt;
  const roleArnOfCaller = `arn:aws:iam::${caller.account}:role/${caller.roleName}`;
  return {
    principal: `arn:aws:sts::${caller.account}:assumed-role/${caller.roleName}/session`,
    action: attempt.action ?? 'sts:AssumeRole',
    resourceArn: roleArn,
    context: {
      'aws:PrincipalArn': roleArnOfCaller,
      'aws:PrincipalAccount': caller.account,
      'aws:PrincipalOrgID': caller.organizationId,
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': `AROAEXAMPLEROLEID:session`,
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': '2026-12-07T06:00:00Z',
      // IAM evaluates sts:SetSourceIdentity within the AssumeRole call: the keys its own reference lists.
      ...(attempt.action === 'sts:SetSourceIdentity'
        ? { 'sts:SourceIdentity': 'alice@example.com' }
        : attempt.externalId === undefined
          ? {}
          : { 'sts:ExternalId': attempt.externalId }),
    },
  };
}

let deployments: MemberDeployment[];

beforeAll(() => {
  deployments = memberDeployments();
});

async function allowed(roleName: string, attempt: Attempt): Promise<boolean> {
  const role = memberRole(deployments, roleName);
  const verdict = await evaluate({
    request: requestOf(attempt, role.arn),
    identityPolicies: [{ name: 'caller', document: ASSUME_ANYTHING }],
    resourcePolicy: role.trust,
  });
  return verdict.allowed;
}

const WITH_EXTERNAL_ID = { externalId: ORGANIZATION.externalId };

interface MemberRoleAttack {
  name: string;
  role: string;
  attempt: Attempt;
}

const ATTACKS: MemberRoleAttack[] = [
  // The reconciler only re-invokes the apply function: a foothold there must not reach a member.
  ...([READ_ROLE, APPLY_ROLE] as const).map((role) => ({
    name: `the hub's reconcile role assumes ${role}`,
    role,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.reconcile), ...WITH_EXTERNAL_ID },
  })),
  {
    name: 'assume the member read role from an account outside the organization, with the external id',
    role: READ_ROLE,
    attempt: {
      caller: {
        account: OUTSIDER_ACCOUNT,
        roleName: HUB_ROLE_NAMES.diagnose,
        organizationId: OTHER_ORGANIZATION,
      },
      ...WITH_EXTERNAL_ID,
    },
  },
  {
    name: 'assume the member apply role from an account outside the organization, with the external id',
    role: APPLY_ROLE,
    attempt: {
      caller: {
        account: OUTSIDER_ACCOUNT,
        roleName: HUB_ROLE_NAMES.apply,
        organizationId: OTHER_ORGANIZATION,
      },
      ...WITH_EXTERNAL_ID,
    },
  },
  {
    name: "assume the member apply role as another member's role named like the hub's apply role",
    role: APPLY_ROLE,
    attempt: {
      caller: {
        account: OTHER_MEMBER_ACCOUNT,
        roleName: HUB_ROLE_NAMES.apply,
        organizationId: ORGANIZATION.organizationId,
      },
      ...WITH_EXTERNAL_ID,
    },
  },
  {
    name: "assume the member read role as the hub's diagnose role without the external id (confused deputy)",
    role: READ_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.diagnose) },
  },
  {
    name: "assume the member apply role as the hub's apply role with a wrong external id",
    role: APPLY_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.apply), externalId: 'guessed-external-id' },
  },
  {
    name: "assume the member apply role as the hub's diagnose role (it reads, never writes)",
    role: APPLY_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.diagnose), ...WITH_EXTERNAL_ID },
  },
  {
    name: "assume the member apply role as the hub's approval role (it decides, the apply writes)",
    role: APPLY_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.approval), ...WITH_EXTERNAL_ID },
  },
  {
    name: 'assume the member read role as another role of the hub account (an administrator)',
    role: READ_ROLE,
    attempt: { caller: hubRole('Administrator'), ...WITH_EXTERNAL_ID },
  },
  {
    name: 'assume the member apply role as another role of the hub account (an administrator)',
    role: APPLY_ROLE,
    attempt: { caller: hubRole('Administrator'), ...WITH_EXTERNAL_ID },
  },
  {
    name: "set a source identity on the member read role as the hub's diagnose role",
    role: READ_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.diagnose), action: 'sts:SetSourceIdentity' },
  },
  {
    name: "set a source identity on the member apply role as the hub's diagnose role",
    role: APPLY_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES.diagnose), action: 'sts:SetSourceIdentity' },
  },
  {
    name: 'set a source identity on the member apply role from an account outside the organization',
    role: APPLY_ROLE,
    attempt: {
      caller: {
        account: OUTSIDER_ACCOUNT,
        roleName: HUB_ROLE_NAMES.apply,
        organizationId: OTHER_ORGANIZATION,
      },
      action: 'sts:SetSourceIdentity',
    },
  },
];

const LEGITIMATE: MemberRoleAttack[] = [
  ...(['diagnose', 'approval', 'apply'] as const).map((role) => ({
    name: `the hub's ${role} role assumes the member read role with the external id`,
    role: READ_ROLE,
    attempt: { caller: hubRole(HUB_ROLE_NAMES[role]), ...WITH_EXTERNAL_ID },
  })),
  ...(['apply'] as const).flatMap((role) =>
    (['sts:AssumeRole', 'sts:SetSourceIdentity'] as const).map((action) => ({
      name: `the hub's ${role} role assumes the member apply role with the external id (${action})`,
      role: APPLY_ROLE,
      attempt: { caller: hubRole(HUB_ROLE_NAMES[role]), action, ...WITH_EXTERNAL_ID },
    })),
  ),
];

describe("a member's read and apply roles", () => {
  it('exist in the member role region only', () => {
    const withRoles = deployments
      .filter((deployment) => deployment.roles.has(READ_ROLE) && deployment.roles.has(APPLY_ROLE))
      .map((deployment) => deployment.region);
    expect(withRoles).toEqual([ORGANIZATION.memberRoleRegion]);
    // The forward role is in every region, under the region's name.
    for (const deployment of deployments) {
      expect(deployment.roles.has(forwardRoleName(deployment.region))).toBe(true);
    }
    expect(memberRole(deployments, READ_ROLE).arn).toBe(`arn:aws:iam::${MEMBER_ACCOUNT}:role/${READ_ROLE}`);
    // Their permissions, resolved for the member account (a moto harness can create the roles with them).
    expect(memberRole(deployments, READ_ROLE).policies.map((policy) => policy.name)).toEqual([
      'ReadForDiagnosis',
    ]);
    const apply = memberRole(deployments, APPLY_ROLE).policies;
    expect(apply.map((policy) => policy.name)).toEqual(['ApplyApprovedPolicies']);
    expect(JSON.stringify(apply)).toContain(`"arn:aws:iam::${MEMBER_ACCOUNT}:role/PassRoleDoctorMember-*"`);
  });

  it.each(ATTACKS.map((attack) => [attack.name, attack] as const))('refuse: %s', async (_name, attack) => {
    const got = await allowed(attack.role, attack.attempt);
    recordAttack({ part: PART, name: attack.name, escalated: got, forgedApplied: false });
    expect(got).toBe(false);
  });

  it.each(LEGITIMATE.map((use) => [use.name, use] as const))('admit: %s', async (_name, use) => {
    expect(await allowed(use.role, use.attempt)).toBe(true);
  });
});

describe("a member's forward role", () => {
  it('is assumed by EventBridge only, never by an AWS principal of any account', async () => {
    const deployment = deployments[0];
    if (deployment === undefined) throw new Error('no member region');
    const forward = deployment.roles.get(forwardRoleName(deployment.region));
    if (forward === undefined) throw new Error('no forward role');
    const attempts = [
      hubRole(HUB_ROLE_NAMES.diagnose),
      { account: MEMBER_ACCOUNT, roleName: 'developer', organizationId: ORGANIZATION.organizationId },
    ];
    for (const caller of attempts) {
      const verdict = await evaluate({
        request: requestOf({ caller, ...WITH_EXTERNAL_ID }, forward.arn),
        identityPolicies: [{ name: 'caller', document: ASSUME_ANYTHING }],
        resourcePolicy: forward.trust,
      });
      const name = `assume a member's forward role as ${caller.roleName} of ${caller.account}`;
      recordAttack({ part: PART, name, escalated: verdict.allowed, forgedApplied: false });
      expect(verdict.allowed).toBe(false);
    }
  });
});
