import { applyProposal, APPLY_ACTOR, MAX_APPLY_ATTEMPTS } from '../../../lambda/core/apply/apply-proposal';
import { AwsCallError, SimulationError, TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { decodeApplyOutcome, type ApplyOutcome } from '../../../lambda/core/apply/outcome';
import type { PolicyDocument } from '../../../lambda/core/model';
import { chatbotNotificationProblems } from '../../../lambda/core/render/message';
import {
  ACCOUNT,
  only,
  applyWorld,
  approved,
  diagnosedSeedRecord,
  EARLIER_WRITE_AT,
  leftBehind,
  PROPOSAL_ID,
  SETTINGS,
  withDocument,
  withTarget,
  writtenBefore,
  type ApplyWorld,
} from './seed-apply';

/** The seed's verification assumed MFA present: every outcome says so. */
const VERIFIED_WITH_MFA =
  'allowed with MFA present (assumed by the simulation: the denied request did not have it)';

const SEED_TARGET = {
  type: 'group',
  name: 'GlueAccess',
  arn: 'arn:aws:iam::123456789012:group/GlueAccess',
  memberCount: 2,
} as const;

let seed: IncidentRecord;
let seedApproved: IncidentRecord;

beforeAll(async () => {
  seed = await diagnosedSeedRecord();
  seedApproved = approved(seed);
});

function statuses(world: ApplyWorld): string[] {
  return (world.store.peek(PROPOSAL_ID)?.history ?? []).map((event) => event.status);
}

describe('applying the seed proposal', () => {
  it('writes the group policy once, reads it back, re-simulates allowed and records verified', async () => {
    const world = applyWorld(seedApproved);
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result.kind).toBe('applied-verified');
    expect(world.writer.puts).toHaveLength(1);
    // Read first (nothing there), then the read-back of the write.
    expect(world.writer.gets).toHaveLength(2);
    expect(world.writer.puts[0]).toMatchObject({
      target: { type: 'group', name: 'GlueAccess' },
      policyName: 'AllowPassEtlNightlyRuntimeToGlue',
      document: seed.proposal?.document,
    });
    // IAM (the snapshot) now holds exactly the approved document.
    await expect(world.iam.getInlinePolicy(SEED_TARGET, 'AllowPassEtlNightlyRuntimeToGlue')).resolves.toEqual(
      seed.proposal?.document,
    );

    const stored = world.store.peek(PROPOSAL_ID);
    expect(stored?.status).toBe('verified');
    expect(statuses(world)).toEqual(['approved', 'applied', 'verified']);
    expect(stored?.history.slice(1).map((event) => event.actor)).toEqual([APPLY_ACTOR, APPLY_ACTOR]);
    expect(stored?.outcome).toEqual({
      kind: 'verified',
      reason: null,
      readBackMatches: true,
      verification: 'allowed',
      blockers: [],
      attempts: 1,
      appliedAt: '2026-06-17T03:00:05.000Z',
      finishedAt: '2026-06-17T03:00:05.000Z',
    });
    expect(world.time.sleeps).toEqual([]);
  });

  it('verifies with the proposal’s context (MFA met) and without the document as an additional policy', async () => {
    const world = applyWorld(seedApproved);
    await applyProposal(PROPOSAL_ID, world.deps);
    expect(world.simulator.requests).toEqual([
      {
        policySourceArn: `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
        action: 'iam:PassRole',
        resourceArn: `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`,
        context: seed.proposal?.verificationContext,
        additionalPolicies: [],
      },
    ]);
    expect(seed.proposal?.verificationContext['aws:MultiFactorAuthPresent']).toBe('true');
    expect(seed.denial.context['aws:MultiFactorAuthPresent']).toBe('false');
  });

  it('publishes the outcome in the proposal’s Chatbot thread and emits Proposal Applied', async () => {
    const world = applyWorld(seedApproved);
    await applyProposal(PROPOSAL_ID, world.deps);

    expect(world.notifier.messages).toHaveLength(1);
    const message = only(world.notifier.messages);
    expect(message.chatbot.metadata.threadId).toBe(seed.incidentKey);
    expect(message.chatbot.content.title).toBe(
      `:white_check_mark: applied and verified: ${VERIFIED_WITH_MFA}`,
    );
    expect(message.text).toContain('applied and verified: allowed');
    expect(message.email.split('\n')[0]).toBe(`applied and verified: ${VERIFIED_WITH_MFA}`);
    expect(chatbotNotificationProblems(message.chatbot)).toEqual([]);

    expect(world.events.events).toEqual([
      {
        detailType: 'Proposal Applied',
        detail: {
          proposalId: PROPOSAL_ID,
          incidentKey: seed.incidentKey,
          account: ACCOUNT,
          target: {
            type: 'group',
            name: 'GlueAccess',
            arn: `arn:aws:iam::${ACCOUNT}:group/GlueAccess`,
          },
          policyName: 'AllowPassEtlNightlyRuntimeToGlue',
          principalArn: `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`,
          service: 'glue.amazonaws.com',
          status: 'verified',
          policyWritten: true,
          reason: null,
          verification: { decision: 'allowed', blockers: [], attempts: 1 },
          documentSha256: seed.documentHash,
        },
      },
    ]);
  });

  it('does nothing on a redelivery once applied: the record is no longer approved', async () => {
    const world = applyWorld(seedApproved);
    await applyProposal(PROPOSAL_ID, world.deps);
    const again = await applyProposal(PROPOSAL_ID, world.deps);
    expect(again).toEqual({ kind: 'not-approved', status: 'verified' });
    expect(world.writer.puts).toHaveLength(1);
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toHaveLength(1);
  });
});

describe('nothing to do', () => {
  it.each(['pending', 'rejected', 'verified', 'not-verified', 'failed'] as const)(
    'a record in status %s without an outcome of the apply’s is left alone',
    async (status) => {
      const world = applyWorld({ ...seedApproved, status });
      await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({ kind: 'not-approved', status });
      expect(world.writer.puts).toEqual([]);
      expect(world.store.transitions()).toEqual([]);
      expect(world.notifier.messages).toEqual([]);
      expect(world.events.events).toEqual([]);
      expect(world.store.calls.map((call) => call.method)).toEqual(['get']);
    },
  );

  it('an unknown proposal id is left alone', async () => {
    const world = applyWorld(seedApproved);
    await expect(applyProposal('p-unknown', world.deps)).resolves.toEqual({
      kind: 'not-approved',
      status: null,
    });
    expect(world.writer.puts).toEqual([]);
  });

  it('another invocation holding the apply lease means busy, and no write', async () => {
    const world = applyWorld(seedApproved);
    const now = world.time.clock();
    expect(await world.store.claimApply(PROPOSAL_ID, now, new Date(now.getTime() + 60_000))).toEqual({
      kind: 'claimed',
      attempt: 1,
    });
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({ kind: 'busy' });
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('approved');
    expect(world.notifier.messages).toEqual([]);
  });

  it('once that lease has expired, the proposal is applied', async () => {
    const world = applyWorld(seedApproved);
    const now = world.time.clock();
    await world.store.claimApply(PROPOSAL_ID, now, new Date(now.getTime() + 60_000));
    world.time.advance(60_001);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
  });
});

describe('refusals: nothing is written, the record fails with the reason', () => {
  const other = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

  const cases: [string, () => IncidentRecord, Partial<typeof SETTINGS>, RegExp][] = [
    [
      'the stored document was tampered with after approval (hash mismatch)',
      () =>
        withDocument(seedApproved, (statement) => (statement['Resource'] = other('admin')), {
          rehash: false,
        }),
      {},
      /^the policy document is not the one approved: its SHA-256 is [0-9a-f]{64}, the approved one [0-9a-f]{64}$/,
    ],
    [
      'a document that is not the minimal shape (a second action)',
      () =>
        withDocument(seedApproved, (statement) => (statement['Action'] = ['iam:PassRole', 'iam:GetRole'])),
      {},
      /^the policy document is not the minimal iam:PassRole grant: Action must be exactly iam:PassRole$/,
    ],
    [
      'a wildcard resource',
      () => withDocument(seedApproved, (statement) => (statement['Resource'] = other('*'))),
      {},
      /Resource must be one role ARN without wildcards$/,
    ],
    [
      'a role in another account',
      () =>
        withDocument(
          seedApproved,
          (statement) => (statement['Resource'] = 'arn:aws:iam::210987654321:role/etl-nightly-runtime'),
        ),
      {},
      /the role is not in account 123456789012$/,
    ],
    [
      'a passed role that is one of the stack’s own',
      () =>
        withDocument(
          seedApproved,
          (statement) => (statement['Resource'] = other('PassRoleDoctor-ApplyFunctionRole-1A2B3C')),
        ),
      {},
      /pass arn:aws:iam::123456789012:role\/PassRoleDoctor-ApplyFunctionRole-1A2B3C, one of this stack's own roles$/,
    ],
    [
      'a target role that is one of the stack’s own (matched by name, whatever its path and case)',
      () =>
        withTarget(seedApproved, {
          type: 'role',
          name: 'passroledoctor-applyfunctionrole-1a2b3c',
          arn: other('some/path/passroledoctor-applyfunctionrole-1a2b3c'),
          memberCount: null,
        }),
      {},
      /^the target arn:aws:iam::123456789012:role\/some\/path\/passroledoctor-applyfunctionrole-1a2b3c is one of this stack's own roles$/,
    ],
    [
      'a principal that is one of the stack’s own roles',
      () => ({
        ...seedApproved,
        denial: {
          ...seedApproved.denial,
          policySourceArn: other('PassRoleDoctor-DiagnoseFunctionRole-4D5E6F'),
        },
      }),
      {},
      /^the principal .* is one of this stack's own roles$/,
    ],
    [
      'a target under /aws-reserved/',
      () =>
        withTarget(seedApproved, {
          type: 'role',
          name: 'AWSReservedSSO_DataEngineer_0123456789abcdef',
          arn: other('aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEngineer_0123456789abcdef'),
          memberCount: null,
        }),
      {},
      /is under \/aws-reserved\/: AWS manages it, it is never edited$/,
    ],
    [
      'a target under /aws-service-role/',
      () =>
        withTarget(seedApproved, {
          type: 'role',
          name: 'AWSServiceRoleForAutoScaling',
          arn: other('aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'),
          memberCount: null,
        }),
      {},
      /is under \/aws-service-role\//,
    ],
    [
      'a principal that is a service-linked role (/aws-service-role/)',
      () => ({
        ...seedApproved,
        denial: {
          ...seedApproved.denial,
          policySourceArn: other('aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'),
        },
      }),
      {},
      /^the principal .* is under \/aws-service-role\//,
    ],
    [
      'a permission-set target',
      () =>
        withTarget(seedApproved, {
          type: 'permission-set',
          name: 'DataEngineer',
          arn: null,
          memberCount: null,
        }),
      {},
      // Known by name only (not read from Identity Center): advice, never applied.
      /^the permission set DataEngineer was not read from Identity Center when proposed: there is no definition to compare, so it is not applied$/,
    ],
    [
      'a target type the deployment does not allow',
      () =>
        withTarget(seedApproved, {
          type: 'user',
          name: 'mei.tanaka',
          arn: `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
          memberCount: 1,
        }),
      { allowedTargetTypes: ['group'] },
      /^user targets are not allowed here \(allowed: group\)$/,
    ],
    [
      'a target ARN that names another entity than the target',
      () =>
        withTarget(seedApproved, {
          type: 'group',
          name: 'GlueAccess',
          arn: `arn:aws:iam::${ACCOUNT}:group/Admins`,
          memberCount: 2,
        }),
      {},
      /does not name group GlueAccess$/,
    ],
  ];

  it.each(cases)('%s', async (_name, record, settings, reason) => {
    const world = applyWorld(record(), { settings: { ...SETTINGS, ...settings } });
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result.kind).toBe('refused');
    if (result.kind !== 'refused') return;
    expect(result.reason).toMatch(reason);
    expect(world.writer.puts).toEqual([]);
    expect(world.simulator.requests).toEqual([]);
    expect(world.store.calls.map((call) => call.method)).toEqual([
      'get',
      'transition',
      'markResultPublished',
    ]);
    const stored = world.store.peek(PROPOSAL_ID);
    expect(stored?.status).toBe('failed');
    // What went out is noted: a later run does not send it again.
    expect(stored).toMatchObject({ resultMessageAt: expect.any(String), resultEventAt: expect.any(String) });
    expect(stored?.history.at(-1)?.detail).toBe(`refused: ${result.reason}`);
    expect(world.notifier.messages[0]?.chatbot.content.title).toMatch(/^:no_entry_sign: refused: /);
    expect(world.notifier.messages[0]?.chatbot.metadata.threadId).toBe(seedApproved.incidentKey);
    expect(world.events.events[0]?.detail).toMatchObject({
      status: 'failed',
      policyWritten: false,
      verification: null,
      reason: result.reason,
    });
  });

  it('uses the configured account, not the record’s, to judge the document', async () => {
    const world = applyWorld(seedApproved, { settings: { ...SETTINGS, accountId: '210987654321' } });
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/not in account 210987654321/),
    });
  });

  it('when two invocations refuse the same record, only the one that moved it reports', async () => {
    const tampered = withDocument(seedApproved, (statement) => (statement['Resource'] = other('x')), {
      rehash: false,
    });
    const world = applyWorld(tampered);
    const results = await Promise.all([
      applyProposal(PROPOSAL_ID, world.deps),
      applyProposal(PROPOSAL_ID, world.deps),
    ]);
    expect(results.map((result) => result.kind).sort()).toEqual(['decided-elsewhere', 'refused']);
    expect(world.notifier.messages).toHaveLength(1);
  });
});

describe('after the write', () => {
  it('a read-back that differs from the approved document fails the proposal', async () => {
    const world = applyWorld(seedApproved);
    world.writer.readBackOverride = (stored) =>
      stored && { ...stored, Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] };
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'failed',
      policyWritten: true,
      reason:
        'IAM holds a different document under AllowPassEtlNightlyRuntimeToGlue on group GlueAccess after the write',
      outcome: { readBackMatches: false, verification: null, appliedAt: '2026-06-17T03:00:05.000Z' },
    });
    expect(world.writer.puts).toHaveLength(1);
    expect(world.simulator.requests).toEqual([]);
    expect(statuses(world)).toEqual(['approved', 'failed']);
    expect(world.notifier.messages[0]?.chatbot.content.title).toMatch(
      /^:x: failed: IAM holds a different document/,
    );
  });

  it('a record moved behind the lease while writing: reported as failed, nothing more stored or written', async () => {
    const world = applyWorld(seedApproved);
    const put = world.writer.putInlinePolicy.bind(world.writer);
    world.writer.putInlinePolicy = async (...args) => {
      await put(...args);
      // Someone changes the record directly in the table while IAM is being written.
      world.store.put({ ...seedApproved, status: 'failed' });
    };
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'failed',
      policyWritten: true,
      recorded: false,
      reason:
        'AllowPassEtlNightlyRuntimeToGlue was written on group GlueAccess, but the proposal left approved meanwhile (now failed): the outcome is not recorded',
    });
    expect(world.writer.puts).toHaveLength(1);
    expect(world.simulator.requests).toEqual([]);
    expect(world.store.transitions().map((request) => request.to)).toEqual(['applied']);
    expect(world.notifier.messages).toHaveLength(1);
  });

  it('a read-back that finds nothing fails the proposal too', async () => {
    const world = applyWorld(seedApproved);
    world.writer.readBackOverride = () => null;
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/^IAM holds no such policy under/),
    });
  });

  it('a write IAM refuses fails the proposal, is never retried in the run, and nothing propagates', async () => {
    const world = applyWorld(seedApproved);
    world.writer.putError = new AwsCallError(
      'Access denied: iam:PutGroupPolicy on group GlueAccess is not allowed',
    );
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'failed',
      policyWritten: false,
      reason:
        'could not write the policy: Access denied: iam:PutGroupPolicy on group GlueAccess is not allowed',
    });
    expect(world.writer.puts).toHaveLength(1);
    // Only the read before the write: no read-back of a refused write.
    expect(world.writer.gets).toHaveLength(1);
    expect(statuses(world)).toEqual(['approved', 'failed']);
  });

  it('verifies once IAM has propagated the change: denied for three attempts, then allowed', async () => {
    const world = applyWorld(seedApproved, { staleReads: 3 });
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'applied-verified',
      outcome: { verification: 'allowed', attempts: 4 },
    });
    expect(world.time.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(world.simulator.requests).toHaveLength(4);
    expect(world.writer.puts).toHaveLength(1);
    expect(world.store.peek(PROPOSAL_ID)?.history.at(-1)).toMatchObject({
      status: 'verified',
      detail: 'allowed after 4 simulations',
      at: '2026-06-17T03:00:12.000Z',
    });
  });

  it('a deny the simulation cannot see: allowed by the simulation, still not verified', async () => {
    const hidden = 'explicit deny in service control policy p-1 that errorMessage names, not visible here';
    const proposal = seedApproved.proposal;
    if (proposal === null || proposal === undefined) throw new Error('the seed has a proposal');
    const world = applyWorld({
      ...seedApproved,
      proposal: { ...proposal, verified: false, blockers: [hidden], unverifiable: [hidden] },
    });
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'applied-not-verified',
      blockers: [hidden],
      outcome: { kind: 'not-verified', verification: 'allowed', blockers: [hidden] },
    });
    expect(statuses(world)).toEqual(['approved', 'applied', 'not-verified']);
    expect(world.store.peek(PROPOSAL_ID)?.history.at(-1)?.detail).toBe(
      `allowed by the simulation, which cannot see: ${hidden}`,
    );
  });

  it('never allowed within the timeout: not-verified with what still blocks, backing off up to the cap', async () => {
    const world = applyWorld(seedApproved, { staleReads: Number.POSITIVE_INFINITY });
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'applied-not-verified',
      blockers: ['no policy allows it'],
      outcome: {
        readBackMatches: true,
        verification: 'implicitDeny',
        blockers: ['no policy allows it'],
        attempts: 11,
      },
    });
    expect(world.time.sleeps).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000, 16_000, 16_000, 16_000,
    ]);
    const waited = world.time.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeLessThanOrEqual(SETTINGS.verifyTimeoutMs);
    expect(statuses(world)).toEqual(['approved', 'applied', 'not-verified']);
    expect(world.store.peek(PROPOSAL_ID)?.history.at(-1)?.detail).toBe('still blocked: no policy allows it');
    const message = only(world.notifier.messages);
    expect(message.chatbot.content.title).toBe(':warning: applied, NOT verified: no policy allows it');
    expect(message.email.split('\n')[0]).toBe('applied, NOT verified: no policy allows it');
    expect(world.events.events[0]?.detail).toMatchObject({
      status: 'not-verified',
      policyWritten: true,
      verification: { decision: 'implicitDeny', blockers: ['no policy allows it'], attempts: 11 },
    });
  });

  it('retries a throttled simulator like a denial', async () => {
    const world = applyWorld(seedApproved);
    world.simulator.failures = [new TransientAwsError('SimulatePrincipalPolicy failed (Throttling)')];
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'applied-verified',
      outcome: { attempts: 2 },
    });
    expect(world.time.sleeps).toEqual([1_000]);
  });

  it('a simulator that cannot evaluate after the write throws: the record stays applied, the lease is given back, the next run verifies without writing', async () => {
    const world = applyWorld(seedApproved);
    const cannot = new SimulationError('IAM has no entity to simulate');
    world.simulator.failures = [cannot];
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toBe(cannot);
    expect(statuses(world)).toEqual(['approved', 'applied']);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({ applyLeaseUntil: null, applyAttempts: 1 });
    expect(world.store.calls.at(-1)?.method).toBe('releaseApply');
    expect(world.notifier.messages).toEqual([]);
    expect(world.events.events).toEqual([]);

    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'applied-verified',
      outcome: { appliedAt: '2026-06-17T03:00:05.000Z' },
    });
    expect(statuses(world)).toEqual(['approved', 'applied', 'verified']);
    expect(world.writer.puts).toHaveLength(1);
    expect(world.notifier.messages).toHaveLength(1);
  });

  it('a store failure after the write throws: the record stays approved, the lease is given back, the next run finds the write and does not repeat it', async () => {
    const world = applyWorld(seedApproved);
    const throttled = new TransientAwsError('DynamoDB throttled');
    world.store.failNext('transition', throttled);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toBe(throttled);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      status: 'approved',
      applyLeaseUntil: null,
      applyAttempts: 1,
    });
    expect(world.writer.puts).toHaveLength(1);
    expect(world.notifier.messages).toEqual([]);

    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
    expect(world.writer.puts).toHaveLength(1);
    expect(statuses(world)).toEqual(['approved', 'applied', 'verified']);
    expect(world.notifier.messages).toHaveLength(1);
  });

  it('a read-back that throws propagates after the lease is given back; the next run reads, finds the document and does not write again', async () => {
    const world = applyWorld(seedApproved);
    const get = world.writer.getInlinePolicy.bind(world.writer);
    const unreadable = new AwsCallError('iam:GetGroupPolicy failed (ServiceFailure)');
    // The read before the write answers; the read-back after it throws.
    let reads = 0;
    world.writer.getInlinePolicy = async (...args) => {
      if (++reads === 2) throw unreadable;
      return get(...args);
    };
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toBe(unreadable);
    expect(world.writer.puts).toHaveLength(1);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({ status: 'approved', applyLeaseUntil: null });
    expect(world.store.transitions()).toEqual([]);

    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
    expect(world.writer.puts).toHaveLength(1);
  });

  it('a transient refusal of the write propagates (nothing decided), and the next run writes', async () => {
    const world = applyWorld(seedApproved);
    const throttled = new TransientAwsError('iam:PutGroupPolicy failed (Throttling)');
    world.writer.putError = throttled;
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toBe(throttled);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({ status: 'approved', applyLeaseUntil: null });
    expect(world.store.transitions()).toEqual([]);
    expect(world.notifier.messages).toEqual([]);

    world.writer.putError = null;
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
    // The refused attempt and the write of the second run (which looked first and found nothing).
    expect(world.writer.puts).toHaveLength(2);
  });

  it('the error that stopped the run is the one thrown, even when giving the lease back fails too', async () => {
    const world = applyWorld(seedApproved);
    const cannot = new SimulationError('IAM has no entity to simulate');
    world.simulator.failures = [cannot];
    world.store.failNext('releaseApply', new TransientAwsError('DynamoDB throttled'));
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toBe(cannot);
    expect(world.store.calls.at(-1)?.method).toBe('releaseApply');
  });

  it('a refused write whose failure cannot be stored propagates: nothing is announced, the record stays approved', async () => {
    const world = applyWorld(seedApproved);
    world.writer.putError = new AwsCallError('Access denied: iam:PutGroupPolicy');
    const throttled = new TransientAwsError('DynamoDB throttled');
    world.store.failNext('transition', throttled);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toBe(throttled);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({ status: 'approved', applyLeaseUntil: null });
    expect(world.notifier.messages).toEqual([]);
    expect(world.events.events).toEqual([]);
  });

  it('a refused write on a record someone else decided meanwhile: theirs is the word, nothing goes out', async () => {
    const world = applyWorld(seedApproved);
    world.writer.putInlinePolicy = async () => {
      world.store.put({ ...seedApproved, status: 'failed' });
      throw new AwsCallError('Access denied: iam:PutGroupPolicy');
    };
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({
      kind: 'decided-elsewhere',
      status: 'failed',
    });
    expect(world.notifier.messages).toEqual([]);
    expect(world.events.events).toEqual([]);
  });

  it('a message or event that cannot be published leaves the change applied and verified', async () => {
    const world = applyWorld(seedApproved);
    const snsDown = new TransientAwsError('sns:Publish failed');
    const eventsDown = new AwsCallError('events:PutEvents failed');
    world.deps.notifier = { publish: () => Promise.reject(snsDown) };
    world.deps.events = { publish: () => Promise.reject(eventsDown) };
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({ kind: 'applied-verified', recorded: true });
    const failures = result.kind === 'applied-verified' ? result.publishFailures : [];
    expect(failures).toHaveLength(2);
    expect(failures).toContainEqual({ channel: 'message', error: snsDown });
    expect(failures).toContainEqual({ channel: 'event', error: eventsDown });
    // Nothing went out: nothing is noted, and the next run sends both.
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      status: 'verified',
      resultMessageAt: null,
      resultEventAt: null,
    });
    expect(world.store.calls.map((call) => call.method)).not.toContain('markResultPublished');
    expect(world.writer.puts).toHaveLength(1);
  });
});

describe('resuming where an earlier run stopped', () => {
  it('an applied record (written, not yet verified) is verified and settled without touching the policy', async () => {
    const record = leftBehind(seedApproved, { attempts: 1, appliedAt: EARLIER_WRITE_AT });
    const world = applyWorld(record);
    await writtenBefore(world, record);
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'applied-verified',
      recorded: true,
      publishFailures: [],
      outcome: {
        readBackMatches: true,
        verification: 'allowed',
        attempts: 1,
        appliedAt: EARLIER_WRITE_AT.toISOString(),
        finishedAt: '2026-06-17T03:00:05.000Z',
      },
    });
    expect(world.writer.puts).toEqual([]);
    expect(world.writer.gets).toEqual([]);
    expect(world.simulator.requests).toHaveLength(1);
    expect(statuses(world)).toEqual(['approved', 'applied', 'verified']);
    expect(world.store.peek(PROPOSAL_ID)?.applyAttempts).toBe(2);
    expect(only(world.notifier.messages).chatbot.content.title).toBe(
      `:white_check_mark: applied and verified: ${VERIFIED_WITH_MFA}`,
    );
    expect(only(world.events.events).detail).toMatchObject({ status: 'verified', policyWritten: true });
  });

  it('an applied record whose lease another invocation holds is busy', async () => {
    const record = {
      ...leftBehind(seedApproved, { attempts: 1, appliedAt: EARLIER_WRITE_AT }),
      applyLeaseUntil: '2026-06-17T03:05:00.000Z',
    };
    const world = applyWorld(record);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({ kind: 'busy' });
    expect(world.simulator.requests).toEqual([]);
    expect(world.store.transitions()).toEqual([]);
  });

  it('a later attempt on an approved record reads IAM first and does not write a document IAM already holds', async () => {
    const record = leftBehind(seedApproved, { attempts: 1 });
    const world = applyWorld(record);
    await writtenBefore(world, record);
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'applied-verified',
      outcome: { readBackMatches: true, appliedAt: '2026-06-17T03:00:05.000Z' },
    });
    expect(world.writer.puts).toEqual([]);
    expect(world.writer.gets).toHaveLength(1);
    expect(statuses(world)).toEqual(['approved', 'applied', 'verified']);
    expect(world.notifier.messages).toHaveLength(1);
  });

  it('a later attempt on an approved record writes once when IAM does not hold the document', async () => {
    const world = applyWorld(leftBehind(seedApproved, { attempts: 1 }));
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
    expect(world.writer.puts).toHaveLength(1);
    // Read first (nothing there), then the read-back of the write.
    expect(world.writer.gets).toHaveLength(2);
  });

  it(`gives up past ${MAX_APPLY_ATTEMPTS} attempts: failed, nothing written or simulated, the channel told`, async () => {
    const world = applyWorld(leftBehind(seedApproved, { attempts: MAX_APPLY_ATTEMPTS }));
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    const reason = `gave up after ${MAX_APPLY_ATTEMPTS} attempts that did not finish (see the apply function's logs)`;

    expect(result).toMatchObject({
      kind: 'failed',
      reason,
      policyWritten: false,
      recorded: true,
      publishFailures: [],
    });
    expect(world.writer.puts).toEqual([]);
    expect(world.writer.gets).toEqual([]);
    expect(world.simulator.requests).toEqual([]);
    expect(statuses(world)).toEqual(['approved', 'failed']);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      applyAttempts: MAX_APPLY_ATTEMPTS + 1,
      resultMessageAt: expect.any(String),
      resultEventAt: expect.any(String),
    });
    expect(world.store.peek(PROPOSAL_ID)?.history.at(-1)?.detail).toBe(reason);
    expect(only(world.notifier.messages).chatbot.content.title).toMatch(
      /^:x: failed: gave up after 6 attempts/,
    );
    expect(only(world.events.events).detail).toMatchObject({ status: 'failed', reason });
  });

  it(`still applies on attempt ${MAX_APPLY_ATTEMPTS}`, async () => {
    const world = applyWorld(leftBehind(seedApproved, { attempts: MAX_APPLY_ATTEMPTS - 1 }));
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
    expect(world.writer.puts).toHaveLength(1);
  });

  it('gives up on an applied record too, from applied, without simulating', async () => {
    const record = leftBehind(seedApproved, { attempts: MAX_APPLY_ATTEMPTS, appliedAt: EARLIER_WRITE_AT });
    const world = applyWorld(record);
    await writtenBefore(world, record);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'failed',
      policyWritten: true,
      reason: expect.stringMatching(/^gave up after 6 attempts/),
    });
    expect(world.simulator.requests).toEqual([]);
    expect(world.writer.puts).toEqual([]);
    expect(statuses(world)).toEqual(['approved', 'applied', 'failed']);
    expect(world.notifier.messages).toHaveLength(1);
    // The channel and the event say the policy is in IAM: it is.
    expect(only(world.events.events).detail).toMatchObject({ policyWritten: true });
    expect(only(world.notifier.messages).email).toContain('The policy was written to IAM');
  });

  it('an applied record that no longer passes the checks fails from applied, without a lease or a simulation', async () => {
    const world = applyWorld(leftBehind(seedApproved, { attempts: 1, appliedAt: EARLIER_WRITE_AT }), {
      settings: { ...SETTINGS, accountId: '210987654321' },
    });
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'failed',
      policyWritten: true,
      reason: expect.stringMatching(/^no longer passes the apply checks: .*not in account 210987654321/),
    });
    expect(world.store.claims).toEqual([]);
    expect(world.simulator.requests).toEqual([]);
    expect(statuses(world)).toEqual(['approved', 'applied', 'failed']);
    expect(only(world.events.events).detail).toMatchObject({ policyWritten: true });
  });
});

describe('announcing an outcome that did not all go out', () => {
  const VERIFIED_OUTCOME: ApplyOutcome = {
    kind: 'verified',
    reason: null,
    readBackMatches: true,
    verification: 'allowed',
    blockers: [],
    attempts: 1,
    appliedAt: EARLIER_WRITE_AT.toISOString(),
    finishedAt: '2026-06-17T03:00:02.000Z',
  };
  const SENT_BEFORE = '2026-06-17T03:00:03.000Z';

  /** A record the apply function decided at 03:00:02, with what went out of its outcome then. */
  function decided(
    status: 'verified' | 'not-verified' | 'failed',
    detail: string,
    outcome: ApplyOutcome,
    sent: { message?: boolean; event?: boolean } = {},
  ): IncidentRecord {
    const record = leftBehind(seedApproved, { attempts: 1, appliedAt: EARLIER_WRITE_AT });
    return {
      ...record,
      status,
      outcome,
      history: [...record.history, { status, actor: APPLY_ACTOR, at: '2026-06-17T03:00:02.000Z', detail }],
      resultMessageAt: sent.message === true ? SENT_BEFORE : null,
      resultEventAt: sent.event === true ? SENT_BEFORE : null,
    };
  }

  it('a verified record whose outcome never went out: one message, one event, both noted; then nothing', async () => {
    const record = decided('verified', 'allowed after 1 simulation', VERIFIED_OUTCOME);
    const world = applyWorld(record);
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toEqual({
      kind: 'announced',
      status: 'verified',
      record,
      recorded: true,
      publishFailures: [],
    });
    expect(only(world.notifier.messages).chatbot.content.title).toBe(
      `:white_check_mark: applied and verified: ${VERIFIED_WITH_MFA}`,
    );
    expect(only(world.events.events).detail).toMatchObject({
      status: 'verified',
      policyWritten: true,
      verification: { decision: 'allowed', blockers: [], attempts: 1 },
    });
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      status: 'verified',
      resultMessageAt: '2026-06-17T03:00:05.000Z',
      resultEventAt: '2026-06-17T03:00:05.000Z',
    });
    // No lease, no move, no IAM: it was decided already.
    expect(world.store.calls.map((call) => call.method)).toEqual(['get', 'markResultPublished']);
    expect(world.writer.gets).toEqual([]);
    expect(world.simulator.requests).toEqual([]);

    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({
      kind: 'not-approved',
      status: 'verified',
    });
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toHaveLength(1);
  });

  it('sends only the event when the message went out already', async () => {
    const world = applyWorld(
      decided('verified', 'allowed after 1 simulation', VERIFIED_OUTCOME, { message: true }),
    );
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'announced',
      publishFailures: [],
    });
    expect(world.notifier.messages).toEqual([]);
    expect(only(world.events.events).detail).toMatchObject({ status: 'verified' });
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      resultMessageAt: SENT_BEFORE,
      resultEventAt: '2026-06-17T03:00:05.000Z',
    });
  });

  it('sends only the message when the event went out already', async () => {
    const world = applyWorld(
      decided('verified', 'allowed after 1 simulation', VERIFIED_OUTCOME, { event: true }),
    );
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'announced' });
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      resultMessageAt: '2026-06-17T03:00:05.000Z',
      resultEventAt: SENT_BEFORE,
    });
  });

  it('tells a refusal from a failure, and a not-verified outcome with what still blocks, from the record', async () => {
    const nothingWritten: ApplyOutcome = {
      ...VERIFIED_OUTCOME,
      readBackMatches: false,
      verification: null,
      attempts: 0,
      appliedAt: null,
    };
    const refusedWorld = applyWorld(
      decided('failed', 'refused: the role is not in account 123456789012', {
        ...nothingWritten,
        kind: 'refused',
        reason: 'the role is not in account 123456789012',
      }),
    );
    await applyProposal(PROPOSAL_ID, refusedWorld.deps);
    expect(only(refusedWorld.notifier.messages).chatbot.content.title).toBe(
      ':no_entry_sign: refused: the role is not in account 123456789012',
    );
    expect(only(refusedWorld.events.events).detail).toMatchObject({
      status: 'failed',
      policyWritten: false,
      reason: 'the role is not in account 123456789012',
    });

    const failedWorld = applyWorld(
      decided('failed', 'could not write the policy: Access denied', {
        ...nothingWritten,
        kind: 'failed',
        reason: 'could not write the policy: Access denied',
      }),
    );
    await applyProposal(PROPOSAL_ID, failedWorld.deps);
    expect(only(failedWorld.notifier.messages).chatbot.content.title).toBe(
      ':x: failed: could not write the policy: Access denied',
    );

    const blocked: ApplyOutcome = {
      ...VERIFIED_OUTCOME,
      kind: 'not-verified',
      verification: 'implicitDeny',
      blockers: ['no policy allows it'],
      attempts: 11,
    };
    const blockedWorld = applyWorld(decided('not-verified', 'still blocked: no policy allows it', blocked));
    await applyProposal(PROPOSAL_ID, blockedWorld.deps);
    expect(only(blockedWorld.notifier.messages).chatbot.content.title).toBe(
      ':warning: applied, NOT verified: no policy allows it',
    );
  });

  it('tells a refusal of the previous release, known only by its history entry’s words, as before', async () => {
    const { kind: _kind, reason: _reason, ...stored } = VERIFIED_OUTCOME;
    const legacy = { ...stored, readBackMatches: false, verification: null, attempts: 0, appliedAt: null };
    const detail = 'refused: the role is not in account 123456789012';
    const record = decided('failed', detail, VERIFIED_OUTCOME);
    const outcome = decodeApplyOutcome(legacy, record);
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'the role is not in account 123456789012' });
    const world = applyWorld({ ...record, outcome });
    await applyProposal(PROPOSAL_ID, world.deps);
    expect(only(world.notifier.messages).chatbot.content.title).toBe(
      ':no_entry_sign: refused: the role is not in account 123456789012',
    );
    expect(only(world.events.events).detail).toMatchObject({
      status: 'failed',
      policyWritten: false,
      reason: 'the role is not in account 123456789012',
    });
  });

  it('a message that failed on the run that decided goes out on the next, alone', async () => {
    const world = applyWorld(seedApproved);
    const publish = world.notifier.publish.bind(world.notifier);
    const snsDown = new TransientAwsError('sns:Publish failed');
    world.notifier.publish = () => Promise.reject(snsDown);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'applied-verified',
      publishFailures: [{ channel: 'message', error: snsDown }],
    });
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({
      resultMessageAt: null,
      resultEventAt: expect.any(String),
    });

    world.notifier.publish = publish;
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'announced',
      status: 'verified',
      publishFailures: [],
    });
    expect(only(world.notifier.messages).chatbot.content.title).toBe(
      `:white_check_mark: applied and verified: ${VERIFIED_WITH_MFA}`,
    );
    expect(world.events.events).toHaveLength(1);
    expect(world.writer.puts).toHaveLength(1);
  });

  it('noting what went out failing is a publish failure on the record channel; the next run sends it again', async () => {
    const world = applyWorld(seedApproved);
    const throttled = new TransientAwsError('DynamoDB throttled');
    world.store.failNext('markResultPublished', throttled);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'applied-verified',
      recorded: true,
      publishFailures: [{ channel: 'record', error: throttled }],
    });
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toHaveLength(1);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({ resultMessageAt: null, resultEventAt: null });

    // Not noted, so not known to have gone out: at least once, not at most once.
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'announced' });
    expect(world.notifier.messages).toHaveLength(2);
    expect(world.events.events).toHaveLength(2);
  });
});

describe('before the write', () => {
  it('a transient store failure propagates (the caller retries: nothing has changed)', async () => {
    const world = applyWorld(seedApproved);
    world.store.failNext('get', new TransientAwsError('DynamoDB throttled'));
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toThrow(TransientAwsError);
    world.store.failNext('claimApply', new TransientAwsError('DynamoDB throttled'));
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toThrow(TransientAwsError);
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('approved');
  });
});

describe('concurrency', () => {
  it('two simultaneous applies of one proposal write IAM exactly once', async () => {
    const world = applyWorld(seedApproved);
    const results = await Promise.all([
      applyProposal(PROPOSAL_ID, world.deps),
      applyProposal(PROPOSAL_ID, world.deps),
    ]);
    expect(results.map((result) => result.kind).sort()).toEqual(['applied-verified', 'busy']);
    expect(world.writer.puts).toHaveLength(1);
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toHaveLength(1);
  });

  it('twenty simultaneous applies still write once', async () => {
    const world = applyWorld(seedApproved);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => applyProposal(PROPOSAL_ID, world.deps)),
    );
    expect(results.filter((result) => result.kind === 'applied-verified')).toHaveLength(1);
    expect(world.writer.puts).toHaveLength(1);
  });
});

describe('a same-named policy already on the target', () => {
  const NAME = 'AllowPassEtlNightlyRuntimeToGlue';
  const OTHERS: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::123456789012:role/etl_nightly_runtime',
        Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
      },
    ],
  };

  it('holding a different document: refused before any write, reported, the other policy left as it was', async () => {
    const world = applyWorld(seedApproved);
    await world.iam.putInlinePolicy(SEED_TARGET, NAME, OTHERS);
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    const reason = `a different policy named ${NAME} is already on group GlueAccess: it would be replaced`;

    expect(result).toMatchObject({ kind: 'refused', reason, recorded: true, publishFailures: [] });
    expect(world.writer.puts).toEqual([]);
    await expect(world.iam.getInlinePolicy(SEED_TARGET, NAME)).resolves.toEqual(OTHERS);
    expect(statuses(world)).toEqual(['approved', 'failed']);
    expect(world.store.peek(PROPOSAL_ID)?.history.at(-1)?.detail).toBe(`refused: ${reason}`);
    expect(world.simulator.requests).toEqual([]);
    expect(only(world.events.events).detail).toMatchObject({
      status: 'failed',
      policyWritten: false,
      reason,
    });
    expect(only(world.notifier.messages)).toBeDefined();
  });

  it('holding a different document on a later attempt: refused too, saying it changed since', async () => {
    const world = applyWorld(leftBehind(seedApproved, { attempts: 1 }));
    await world.iam.putInlinePolicy(SEED_TARGET, NAME, OTHERS);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({
      kind: 'refused',
      reason: `a different policy named ${NAME} is already on group GlueAccess (it changed since an earlier attempt): it would be replaced`,
    });
    expect(world.writer.puts).toEqual([]);
  });

  it('holding exactly the document: not written again, verified', async () => {
    const world = applyWorld(seedApproved);
    await writtenBefore(world, seedApproved);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toMatchObject({ kind: 'applied-verified' });
    expect(world.writer.puts).toEqual([]);
    expect(world.writer.gets).toHaveLength(1);
  });
});
