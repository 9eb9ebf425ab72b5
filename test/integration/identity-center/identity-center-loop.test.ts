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
 * roles in member A). The loop behind the seam is a CONTRACT STAND-IN until the product's pieces are
 * on main (support/identity-center-loop.ts); the assertions are on what AWS would hold.
 */
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AttachManagedPolicyToPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import passRoleDenial from '../../fixtures/cloudtrail/passrole/06-states-CreateStateMachine-IdentityCenter-AWSReservedSSO.json';
import { definitionHash } from '../../../lambda/core/identity-center/definition-hash';
import type { IdentityCenterAdministration } from '../../../lambda/core/identity-center/model';
import { RESERVED_INLINE_POLICY_NAME } from '../support/identity-center-provisioning-fake';
import { withLocalSimulator } from '../organization/support/hub-functions';
import { StandInIdentityCenterReader, StandInIdentityCenterWriter } from './support/contract-stand-in-ports';
import { identityCenterRoleArn } from './support/identity-center-roles';
import { standInLoop, type IdentityCenterLoop, type LoopProposal } from './support/identity-center-loop';
import { startIdentityCenterOnMoto, type IdentityCenterOnMoto } from './support/identity-center-on-moto';
import {
  DATA_ENGINEERS_INLINE,
  DATA_ENGINEERS_GROUP,
  PEOPLE,
  type SeededPermissionSet,
} from './support/seed-identity-center';

const APPROVER = 'security.lead';
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

  async function loopWith(
    administration: IdentityCenterAdministration = { kind: 'management', accountId: management },
    pollsPerRun = 5,
  ): Promise<IdentityCenterLoop> {
    const { instanceArn, identityStoreId } = world.identityCenter;
    const diagnose = await world.identityCenterSession('diagnose', 'read');
    const applyRead = await world.identityCenterSession('apply', 'read');
    const applyWrite = await world.identityCenterSession('apply', 'apply', APPROVER);
    return standInLoop({
      reader: new StandInIdentityCenterReader(
        diagnose.sso,
        diagnose.identityStore,
        instanceArn,
        identityStoreId,
      ),
      applyReader: new StandInIdentityCenterReader(
        applyRead.sso,
        applyRead.identityStore,
        instanceArn,
        identityStoreId,
      ),
      writer: new StandInIdentityCenterWriter(applyWrite.sso),
      administration,
      diagnoseAccess: withLocalSimulator((await world.functions.function('diagnose')).access),
      applyAccess: withLocalSimulator((await world.functions.function('apply')).access),
      pollsPerRun,
    });
  }

  const reservedRoleName = (set: SeededPermissionSet, account: string) =>
    world.fake.reservedRoleName(set.name, set.arn, account);

  /** The fixture's Step Functions denial, as it happened to li.wei's session of `set` in member A. */
  function denialThrough(set: SeededPermissionSet, eventId: string): Record<string, unknown> {
    const roleName = reservedRoleName(set, memberA);
    const roleArn = `arn:aws:iam::${memberA}:role${world.fake.reservedRolePath}${roleName}`;
    const sessionArn = `arn:aws:sts::${memberA}:assumed-role/${roleName}/${PEOPLE.liWei}`;
    const passed = world.identityCenter.passedRoleArn;
    const record = JSON.parse(JSON.stringify(passRoleDenial).replaceAll('123456789012', memberA)) as Record<
      string,
      Record<string, unknown>
    > &
      Record<string, unknown>;
    const identity = record.userIdentity as Record<string, unknown>;
    const context = identity.sessionContext as Record<string, Record<string, unknown>>;
    identity.arn = sessionArn;
    context.sessionIssuer = { ...context.sessionIssuer, arn: roleArn, userName: roleName };
    return {
      ...record,
      eventID: eventId,
      awsRegion: 'us-east-1',
      errorMessage: `User: ${sessionArn} is not authorized to perform: iam:PassRole on resource: ${passed} because no identity-based policy allows the iam:PassRole action`,
      requestParameters: { ...record.requestParameters, roleArn: passed },
    };
  }

  async function proposed(
    loop: IdentityCenterLoop,
    set: SeededPermissionSet,
    eventId: string,
  ): Promise<LoopProposal> {
    const outcome = await loop.propose(denialThrough(set, eventId));
    if (outcome.kind !== 'proposed') throw new Error(`no proposal: ${outcome.reason}`);
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
    expect(proposal.merge.alreadyPresent).toBe(false);
    expect(JSON.parse(proposal.merge.text)).toEqual({
      ...JSON.parse(DATA_ENGINEERS_INLINE),
      Statement: [
        ...(JSON.parse(DATA_ENGINEERS_INLINE) as { Statement: unknown[] }).Statement,
        ...[proposal.document.Statement].flat(),
      ],
    });
    expect(proposal.verification).toBe('allowed');
    // Nothing was written by proposing.
    expect(identityCenterWrites()).toEqual([]);
    expect(world.fake.requests.length).toBe(requestsBefore);

    // Member A's reserved role, as it is, still cannot pass the role: the denial is real.
    expect(await passDecisionInA(set)).toBe('implicitDeny');

    await loop.approve(proposal.proposalId, APPROVER);
    expect(await loop.apply(proposal.proposalId)).toEqual({ kind: 'verified', reason: null });
    expect(await passDecisionInA(set)).toBe('allowed');

    // The set holds the merged policy; member A's reserved role got it by provisioning, member B's not.
    expect(await setInline(set)).toBe(proposal.merge.text);
    expect(await reservedInline(set, memberA)).toBe(proposal.merge.text);
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
      APPROVER,
    );

    const byRole = new Map<string, number>();
    for (const call of world.proxy.calls) {
      const key = `${call.operation.split(':')[0] ?? ''} ${call.account} ${call.roleArn?.split('/').pop() ?? 'fixed keys'}`;
      byRole.set(key, (byRole.get(key) ?? 0) + 1);
    }
    console.log(
      `Identity Center loop on moto: ${[...byRole].map(([key, count]) => `${count} ${key}`).join('; ')}; ` +
        `provisioning observations ${provisioned.map((request) => request.observations).join(',')}`,
    );

    // Another run (a Lambda retry, the reconciler) changes nothing.
    expect(await loop.apply(proposal.proposalId)).toEqual({ kind: 'verified', reason: null });
    expect(world.fake.requests.length).toBe(requestsBefore + 1);
  });

  it('resumes a provisioning that stays IN_PROGRESS past one run, then SUCCEEDS', async () => {
    const set = world.identityCenter.sets.dataEngineers;
    const loop = await loopWith(undefined, 2);
    const proposal = await proposed(loop, set, 'ic-in-progress');
    await loop.approve(proposal.proposalId, APPROVER);
    const requestsBefore = world.fake.requests.length;
    world.fake.scriptProvisioning({ inProgress: 3, outcome: 'SUCCEEDED' });

    expect(await loop.apply(proposal.proposalId)).toEqual({ kind: 'in-progress', reason: null });
    expect(await setInline(set)).toBe(proposal.merge.text);
    expect(await reservedInline(set, memberA)).toBe(DATA_ENGINEERS_INLINE);

    expect(await loop.apply(proposal.proposalId)).toEqual({ kind: 'verified', reason: null });
    expect(await reservedInline(set, memberA)).toBe(proposal.merge.text);
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
    await loop.approve(proposal.proposalId, APPROVER);
    const requestsBefore = world.fake.requests.length;
    world.fake.scriptProvisioning(
      { inProgress: 1, outcome: 'FAILED', failureReason: 'Rate exceeded' },
      { inProgress: 0, outcome: 'SUCCEEDED' },
    );

    const result = await loop.apply(proposal.proposalId);
    expect(result.kind).toBe('failed');
    expect(result.reason).toContain('Rate exceeded');
    expect(result.reason).toContain('previous inline policy was restored and provisioned');
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
      await loop.approve(proposal.proposalId, APPROVER);
      const requestsBefore = world.fake.requests.length;
      const result = await loop.apply(proposal.proposalId);
      expect(result.kind).toBe('refused');
      expect(result.reason).toContain('changed since it was analysed');
      expect(identityCenterWrites()).toEqual([]);
      expect(world.fake.requests.length).toBe(requestsBefore);
      expect(await setInline(set)).toBe(DATA_ENGINEERS_INLINE);
      // The hash the proposal carried is the set's as it was.
      expect(proposal.target.definitionHash).not.toBe(
        definitionHash(
          await new StandInIdentityCenterReader(
            sso,
            world.identityCenter.identityStore,
            instanceArn,
            world.identityCenter.identityStoreId,
          ).definition({ instanceArn, permissionSetArn: set.arn, name: set.name }),
        ),
      );
    } finally {
      await sso.send(new DetachManagedPolicyFromPermissionSetCommand(edit));
    }
  });

  it('refuses, never tries, a set provisioned to the management account when the hub is a delegated administrator', async () => {
    const set = world.identityCenter.sets.orgAuditors;
    const loop = await loopWith({
      kind: 'delegated',
      accountId: world.deployment.organization.hub.id,
      managementAccountId: management,
    });
    const proposal = await proposed(loop, set, 'ic-delegated');
    expect(proposal.target.provisionedAccounts).toEqual([management, memberA].sort());
    await loop.approve(proposal.proposalId, APPROVER);
    const requestsBefore = world.fake.requests.length;
    const result = await loop.apply(proposal.proposalId);
    expect(result).toEqual({
      kind: 'refused',
      reason: `the permission set is provisioned to the management account ${management}; a delegated administrator cannot change it`,
    });
    expect(identityCenterWrites()).toEqual([]);
    expect(world.fake.requests.length).toBe(requestsBefore);
  });

  it('refuses a set without the managed tag, and writes nothing', async () => {
    const set = world.identityCenter.sets.untaggedAdmins;
    const loop = await loopWith();
    const proposal = await proposed(loop, set, 'ic-untagged');
    await loop.approve(proposal.proposalId, APPROVER);
    const result = await loop.apply(proposal.proposalId);
    expect(result.kind).toBe('refused');
    expect(result.reason).toContain('passrole-doctor:managed=true');
    expect(identityCenterWrites()).toEqual([]);
  });
});
