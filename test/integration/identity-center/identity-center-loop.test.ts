/**
 * The Identity Center loop on moto (issue 14): an iam:PassRole denial of an `AWSReservedSSO_` session
 * in member A is resolved to its permission set, proposed with its blast radius, approved, written to
 * the set, provisioned to member A only, read back in member A and verified; and the fault cases:
 * provisioning IN_PROGRESS then SUCCEEDED (resumed by a second run), FAILED with the rollback, a set
 * edited by someone else between proposal and apply, a set provisioned to the management account
 * while the hub is a delegated administrator, a set without the managed tag.
 *
 * Identity Center's steps moto lacks are the IdentityCenterProvisioningFake's (named, asserting that
 * every provisioning targets the denial's account); every hub call goes through the accounts proxy
 * with the session its function would have (Identity Center roles in the management account, member
 * roles in member A). The loop is the product's diagnose, approval and apply handlers with the SDK
 * Identity Center adapters (support/identity-center-loop.ts); the assertions are on what AWS would
 * hold and on the stored outcome.
 */
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AttachManagedPolicyToPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import { SsoAdminIdentityCenterReader } from '../../../lambda/adapters/aws/identity-center/sso-admin-reader';
import { sourceIdentityFor } from '../../../lambda/adapters/aws/organization/source-identity';
import { definitionHash } from '../../../lambda/core/identity-center/definition-hash';
import type { IdentityCenterAdministration } from '../../../lambda/core/identity-center/model';
import { RESERVED_INLINE_POLICY_NAME } from '../support/identity-center-provisioning-fake';
import { withLocalSimulator } from '../organization/support/hub-functions';
import { identityCenterRoleArn } from './support/identity-center-roles';
import {
  identityCenterDenial,
  productLoop,
  type IdentityCenterLoop,
  type LoopProposal,
} from './support/identity-center-loop';
import { startIdentityCenterOnMoto, type IdentityCenterOnMoto } from './support/identity-center-on-moto';
import {
  DATA_ENGINEERS_INLINE,
  DATA_ENGINEERS_GROUP,
  PEOPLE,
  type SeededPermissionSet,
} from './support/seed-identity-center';

/** The reviewer, an IAM user of the hub deciding on the IAM route. */
const APPROVER_NAME = 'security.lead';
const SERVICE = 'states.amazonaws.com';

describe('the Identity Center loop on moto: permission set proposed, approved, written, provisioned to one account, verified', () => {
  let world: IdentityCenterOnMoto;
  let management: string;
  let memberA: string;
  let memberB: string;

  beforeAll(async () => {
    world = await startIdentityCenterOnMoto();
    const { organization } = world.deployment;
    management = organization.managementAccountId;
    memberA = organization.memberA.id;
    memberB = organization.memberB.id;
  });

  afterAll(async () => {
    await world.stop();
  });

  beforeEach(async () => {
    // Every scenario starts from the seeded set, provisioned to member A.
    const { sso, instanceArn, sets } = world.identityCenter;
    await sso.send(
      new PutInlinePolicyToPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: sets.dataEngineers.arn,
        InlinePolicy: DATA_ENGINEERS_INLINE,
      }),
    );
    await world.fake.seedProvisioned(management, instanceArn, sets.dataEngineers.arn, memberA);
    world.fake.allowProvisioningTo(memberA);
    world.proxy.clearCalls();
  });

  afterEach(() => {
    // An apply that provisions anywhere but the denial's account fails here.
    expect(world.fake.violations).toEqual([]);
    expect(world.fake.unmodifiableRefusals).toEqual([]);
    expect(world.fake.accessDenials).toEqual([]);
  });

  const approverArn = () => `arn:aws:iam::${world.deployment.organization.hub.id}:user/${APPROVER_NAME}`;

  async function loopWith(
    administration: IdentityCenterAdministration = { kind: 'management', accountId: management },
    applyBudgetMs = 30_000,
    applyAdministration: IdentityCenterAdministration = administration,
  ): Promise<IdentityCenterLoop> {
    const loop = await productLoop(world, {
      administration,
      applyAdministration,
      approverArn: approverArn(),
      applyBudgetMs,
    });
    await loop.forgetIncidents();
    world.proxy.clearCalls();
    return loop;
  }

  const VERIFIED = { handler: 'applied-verified', status: 'verified', kind: 'verified', reason: null };

  /** The set's seeded inline policy with the proposal's statement appended. */
  const mergedWith = (proposal: LoopProposal) => ({
    ...(JSON.parse(DATA_ENGINEERS_INLINE) as object),
    Statement: [
      ...(JSON.parse(DATA_ENGINEERS_INLINE) as { Statement: unknown[] }).Statement,
      ...[proposal.document.Statement].flat(),
    ],
  });

  /** The set's definition hash as read now (the management account's own session). */
  async function analysedHash(set: SeededPermissionSet): Promise<string> {
    const { sso, identityStore, instanceArn } = world.identityCenter;
    const reader = new SsoAdminIdentityCenterReader(sso, identityStore, { instanceArn });
    return definitionHash(
      await reader.definition({ instanceArn, permissionSetArn: set.arn, name: set.name }),
    );
  }

  const reservedRoleName = (set: SeededPermissionSet, account: string) =>
    world.fake.reservedRoleName(set.name, set.arn, account);

  const denialThrough = (set: SeededPermissionSet, eventId: string) =>
    identityCenterDenial(world, set, eventId);

  async function proposed(
    loop: IdentityCenterLoop,
    set: SeededPermissionSet,
    eventId: string,
  ): Promise<LoopProposal> {
    const outcome = await loop.propose(denialThrough(set, eventId));
    if (outcome.kind !== 'proposed') throw new Error(`no proposal: ${JSON.stringify(outcome.record)}`);
    return outcome.proposal;
  }

  async function setInline(set: SeededPermissionSet): Promise<string | undefined> {
    return (
      await world.identityCenter.sso.send(
        new GetInlinePolicyForPermissionSetCommand({
          InstanceArn: world.identityCenter.instanceArn,
          PermissionSetArn: set.arn,
        }),
      )
    ).InlinePolicy;
  }

  async function reservedInline(set: SeededPermissionSet, account: string): Promise<string> {
    const answer = await world.deployment.clients(account).iam.send(
      new GetRolePolicyCommand({
        RoleName: reservedRoleName(set, account),
        PolicyName: RESERVED_INLINE_POLICY_NAME,
      }),
    );
    return decodeURIComponent(answer.PolicyDocument ?? '');
  }

  /** What the local simulator decides for member A's reserved role of `set` passing the role, as it is. */
  async function passDecisionInA(set: SeededPermissionSet): Promise<string> {
    const read = await withLocalSimulator((await world.functions.function('diagnose')).access).read(memberA);
    const roleArn = `arn:aws:iam::${memberA}:role${world.fake.reservedRolePath}${reservedRoleName(set, memberA)}`;
    const passed = world.identityCenter.passedRoleArn;
    const result = await read.simulator.simulate({
      policySourceArn: roleArn,
      action: 'iam:PassRole',
      resourceArn: passed,
      context: { 'iam:PassedToService': SERVICE },
      additionalPolicies: [],
      scope: read.accountReader.loadScope(roleArn, passed),
    });
    return result.decision;
  }

  /** The Identity Center writes the hub made, with the role and account they acted as. */
  const identityCenterWrites = () =>
    world.proxy.calls
      .filter((call) =>
        ['sso:PutInlinePolicyToPermissionSet', 'sso:ProvisionPermissionSet'].includes(call.operation),
      )
      .map((call) => [call.operation, call.account, call.roleArn]);

  it('runs the whole loop: resolve, propose with the blast radius, approve, write, provision to member A, read back, verify', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    const loop = await loopWith();
    const requestsBefore = world.fake.requests.length;
    const proposal = await proposed(loop, set, 'ic-whole-loop');
    const proposing = world.proxy.calls.slice();

    // Resolved by its whole name (`Data` is another set); the target as the contract names it.
    expect(proposal.target).toMatchObject({
      type: 'permission-set',
      name: 'Data_Engineers',
      arn: null,
      instanceArn: world.identityCenter.instanceArn,
      permissionSetArn: set.arn,
      provisionedAccounts: [memberA, memberB].sort(),
    });
    // Blast radius: the group's two people and the directly assigned user, named; two accounts.
    expect(proposal.blastRadius.people).toBe(3);
    expect(proposal.blastRadius.accounts).toBe(2);
    expect(
      proposal.blastRadius.assignments
        .map((assignment) => [
          assignment.principalType,
          assignment.displayName,
          assignment.memberCount,
          assignment.memberNames,
        ])
        .sort(),
    ).toEqual(
      [
        ['GROUP', DATA_ENGINEERS_GROUP, 2, [PEOPLE.liWei, PEOPLE.maria]],
        ['USER', PEOPLE.sam, 1, []],
      ].sort(),
    );
    // The statement names the exact role in member A; merged after what the set already had.
    expect(proposal.document.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: world.identityCenter.passedRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': SERVICE } },
      }),
    ]);
    // Verified as the set would be provisioned to member A with the change; the message names the set.
    expect(proposal.verified).toBe(true);
    expect(proposal.message).toContain('Data_Engineers');
    expect(proposal.target.definitionHash).toBe(await analysedHash(set));
    // Nothing was written by proposing.
    expect(identityCenterWrites()).toEqual([]);
    expect(world.fake.requests.length).toBe(requestsBefore);

    // Member A's reserved role, as it is, still cannot pass the role: the denial is real.
    expect(await passDecisionInA(set)).toBe('implicitDeny');

    const beforeApproval = world.proxy.calls.length;
    expect(await loop.approve(proposal.proposalId, approverArn())).toBe(200);
    const approving = world.proxy.calls.slice(beforeApproval);
    expect(await loop.apply(proposal.proposalId)).toEqual(VERIFIED);
    const applying = world.proxy.calls.slice(beforeApproval + approving.length);
    expect(await passDecisionInA(set)).toBe('allowed');

    // The set holds the statement merged after what it had; member A's reserved role got it by
    // provisioning, member B's not.
    const merged = await setInline(set);
    expect(JSON.parse(merged ?? '')).toEqual(mergedWith(proposal));
    expect(await reservedInline(set, memberA)).toBe(merged);
    expect(await reservedInline(set, memberB)).toBe(DATA_ENGINEERS_INLINE);
    const provisioned = world.fake.requests.slice(requestsBefore);
    expect(provisioned.map((request) => [request.accountId, request.state])).toEqual([
      [memberA, 'SUCCEEDED'],
    ]);
    // Written by the Identity Center apply role in the management account, and nothing else wrote.
    const applyRole = identityCenterRoleArn(management, 'apply');
    expect(identityCenterWrites()).toEqual([
      ['sso:PutInlinePolicyToPermissionSet', management, applyRole],
      ['sso:ProvisionPermissionSet', management, applyRole],
    ]);
    expect(
      world.proxy.calls.filter((call) => /^iam:(Put|Attach|Delete|Create|Update)/.test(call.operation)),
    ).toEqual([]);
    // Its session carries the approver, as the management account's CloudTrail will show.
    expect(world.proxy.sessions.find((session) => session.roleArn === applyRole)?.sourceIdentity).toBe(
      sourceIdentityFor(approverArn()),
    );

    // The figures of one loop, by function: calls per service, account and role.
    const figures = (calls: typeof proposing): string => {
      const byRole = new Map<string, number>();
      for (const call of calls) {
        const key = `${call.operation.split(':')[0] ?? ''} ${call.account} ${call.roleArn?.split('/').pop() ?? 'fixed keys'}`;
        byRole.set(key, (byRole.get(key) ?? 0) + 1);
      }
      return `${calls.length} calls (${[...byRole].map(([key, count]) => `${count} ${key}`).join('; ')})`;
    };
    console.log(
      `Identity Center loop on moto: diagnose ${figures(proposing)}; approval ${figures(approving)}; ` +
        `apply ${figures(applying)}; provisioning observations ${provisioned.map((request) => request.observations).join(',')}`,
    );

    // Another run (a Lambda retry, the reconciler) changes nothing.
    expect(await loop.apply(proposal.proposalId)).toMatchObject({
      handler: 'not-approved',
      kind: 'verified',
    });
    expect(world.fake.requests.length).toBe(requestsBefore + 1);
  });

  it('resumes a provisioning that stays IN_PROGRESS past one run, then SUCCEEDS', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    // 2 s of the apply's (virtual) time: two status reads a run, backing off 1 s then 2 s.
    const loop = await loopWith(undefined, 2_000);
    const proposal = await proposed(loop, set, 'ic-in-progress');
    expect(await loop.approve(proposal.proposalId, approverArn())).toBe(200);
    const requestsBefore = world.fake.requests.length;
    world.fake.scriptProvisioning({ inProgress: 3, outcome: 'SUCCEEDED' });

    // The record stays approved with the request id on it; the lease is given back for the next run.
    expect(await loop.apply(proposal.proposalId)).toEqual({
      handler: 'provisioning',
      status: 'approved',
      kind: null,
      reason: null,
    });
    const merged = await setInline(set);
    expect(JSON.parse(merged ?? '')).toEqual(mergedWith(proposal));
    expect(await reservedInline(set, memberA)).toBe(DATA_ENGINEERS_INLINE);

    expect(await loop.apply(proposal.proposalId)).toEqual(VERIFIED);
    expect(await reservedInline(set, memberA)).toBe(merged);
    // One provisioning, observed across both runs: the second run resumed it, never asked again.
    const provisioned = world.fake.requests.slice(requestsBefore);
    expect(provisioned.map((request) => [request.accountId, request.state, request.observations])).toEqual([
      [memberA, 'SUCCEEDED', 4],
    ]);
  });

  it('rolls back when provisioning FAILS: the previous inline policy is restored and provisioned again', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    const loop = await loopWith();
    const proposal = await proposed(loop, set, 'ic-failed');
    expect(await loop.approve(proposal.proposalId, approverArn())).toBe(200);
    const requestsBefore = world.fake.requests.length;
    world.fake.scriptProvisioning(
      { inProgress: 1, outcome: 'FAILED', failureReason: 'Rate exceeded' },
      { inProgress: 0, outcome: 'SUCCEEDED' },
    );

    const result = await loop.apply(proposal.proposalId);
    expect(result).toMatchObject({ handler: 'failed', status: 'failed', kind: 'failed' });
    expect(result.reason).toContain('Rate exceeded');
    expect(result.reason).toContain(
      `rolled back: the previous inline policy of permission set ${set.name} is restored and provisioned to account ${memberA} again`,
    );
    expect(await setInline(set)).toBe(DATA_ENGINEERS_INLINE);
    expect(await reservedInline(set, memberA)).toBe(DATA_ENGINEERS_INLINE);
    expect(
      world.fake.requests.slice(requestsBefore).map((request) => [request.accountId, request.state]),
    ).toEqual([
      [memberA, 'FAILED'],
      [memberA, 'SUCCEEDED'],
    ]);
  });

  it('refuses a set edited by someone else between proposal and apply, and writes nothing', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    const loop = await loopWith();
    const proposal = await proposed(loop, set, 'ic-edited');
    const { sso, instanceArn } = world.identityCenter;
    const edit = {
      InstanceArn: instanceArn,
      PermissionSetArn: set.arn,
      ManagedPolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess',
    };
    // Someone attaches a policy to the set in the console and does not provision it.
    await sso.send(new AttachManagedPolicyToPermissionSetCommand(edit));
    try {
      expect(await loop.approve(proposal.proposalId, approverArn())).toBe(200);
      const requestsBefore = world.fake.requests.length;
      const result = await loop.apply(proposal.proposalId);
      expect(result).toMatchObject({ handler: 'refused', kind: 'refused' });
      expect(result.reason).toContain('changed since it was analysed');
      expect(identityCenterWrites()).toEqual([]);
      expect(world.fake.requests.length).toBe(requestsBefore);
      expect(await setInline(set)).toBe(DATA_ENGINEERS_INLINE);
      // The hash the proposal carried is the set's as it was.
      expect(proposal.target.definitionHash).not.toBe(await analysedHash(set));
    } finally {
      await sso.send(new DetachManagedPolicyFromPermissionSetCommand(edit));
    }
  });

  it('proposes nothing automatic for a set provisioned to the management account when the hub is a delegated administrator, and says why', async () => {
    const set = world.identityCenter.sets.orgAuditors;
    const hub = world.deployment.organization.hub.id;
    const loop = await loopWith({ kind: 'delegated', accountId: hub, managementAccountId: management });
    const requestsBefore = world.fake.requests.length;
    const proposal = await proposed(loop, set, 'ic-delegated-diagnosis');
    expect(proposal.target.provisionedAccounts).toEqual([management, memberA].sort());
    // The diagnosis says why, as data (its words are render/identity-center.ts's).
    const { diagnosis } = proposal.record;
    expect('findings' in diagnosis ? diagnosis.findings : []).toContainEqual({
      kind: 'permission-set',
      permissionSet: set.name,
      account: memberA,
      state: { kind: 'management-account', managementAccountId: management, administratorAccountId: hub },
    });
    // The IAM route refuses to approve what cannot be applied: nothing reaches the apply.
    expect(await loop.approve(proposal.proposalId, approverArn())).toBe(400);
    expect(identityCenterWrites()).toEqual([]);
    expect(world.fake.requests.length).toBe(requestsBefore);
  });

  it('refuses, never tries, a set provisioned to the management account when the apply runs as a delegated administrator', async () => {
    const set = world.identityCenter.sets.orgAuditors;
    const hub = world.deployment.organization.hub.id;
    // Proposed while the management account administered Identity Center; administration was then
    // delegated to the hub before the apply ran.
    const loop = await loopWith({ kind: 'management', accountId: management }, undefined, {
      kind: 'delegated',
      accountId: hub,
      managementAccountId: management,
    });
    const proposal = await proposed(loop, set, 'ic-delegated');
    expect(proposal.target.provisionedAccounts).toEqual([management, memberA].sort());
    expect(await loop.approve(proposal.proposalId, approverArn())).toBe(200);
    const requestsBefore = world.fake.requests.length;
    const result = await loop.apply(proposal.proposalId);
    expect(result).toMatchObject({ handler: 'refused', kind: 'refused' });
    expect(result.reason).toContain(
      `is provisioned to the management account ${management}, and Identity Center is administered from the delegated administrator ${hub}, which may not change such a set: change it from the management account`,
    );
    expect(identityCenterWrites()).toEqual([]);
    expect(world.fake.requests.length).toBe(requestsBefore);
  });

  it('refuses a set without the managed tag, and writes nothing', async () => {
    const set = world.identityCenter.sets.untaggedAdmins;
    const loop = await loopWith();
    const proposal = await proposed(loop, set, 'ic-untagged');
    expect(await loop.approve(proposal.proposalId, approverArn())).toBe(200);
    const result = await loop.apply(proposal.proposalId);
    expect(result).toMatchObject({ handler: 'refused', kind: 'refused' });
    expect(result.reason).toContain('passrole-doctor:managed=true');
    expect(identityCenterWrites()).toEqual([]);
  });
});
