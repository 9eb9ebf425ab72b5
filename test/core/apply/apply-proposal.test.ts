import { applyProposal, APPLY_ACTOR } from '../../../lambda/core/apply/apply-proposal';
import { AwsCallError, SimulationError, TransientAwsError } from '../../../lambda/core/errors';
import type { ProposalRecord } from '../../../lambda/core/incident';
import { chatbotNotificationProblems } from '../../../lambda/core/render/message';
import {
  ACCOUNT,
  only,
  applyWorld,
  approved,
  diagnosedSeedRecord,
  PROPOSAL_ID,
  SETTINGS,
  withDocument,
  withTarget,
  type ApplyWorld,
} from './seed-apply';

const SEED_TARGET = {
  type: 'group',
  name: 'GlueAccess',
  arn: 'arn:aws:iam::123456789012:group/GlueAccess',
  memberCount: 2,
} as const;

let seed: ProposalRecord;
let seedApproved: ProposalRecord;

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
    expect(message.chatbot.content.title).toBe(':white_check_mark: applied and verified: allowed');
    expect(message.text).toContain('applied and verified: allowed');
    expect(message.email.split('\n')[0]).toBe('applied and verified: allowed');
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
  it.each(['pending', 'rejected', 'applied', 'verified', 'not-verified', 'failed'] as const)(
    'a record in status %s is left alone',
    async (status) => {
      const world = applyWorld({ ...seedApproved, status });
      await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({ kind: 'not-approved', status });
      expect(world.writer.puts).toEqual([]);
      expect(world.store.transitions()).toEqual([]);
      expect(world.notifier.messages).toEqual([]);
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
    expect(await world.store.claimApply(PROPOSAL_ID, now, new Date(now.getTime() + 60_000))).toBe(true);
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

  const cases: [string, () => ProposalRecord, Partial<typeof SETTINGS>, RegExp][] = [
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
      /^the target is the permission set DataEngineer: Identity Center manages it, add the policy there$/,
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
    expect(world.store.calls.map((call) => call.method)).toEqual(['get', 'transition']);
    const stored = world.store.peek(PROPOSAL_ID);
    expect(stored?.status).toBe('failed');
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
    expect(results.map((result) => result.kind).sort()).toEqual(['not-approved', 'refused']);
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
    expect(world.writer.gets).toEqual([]);
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

  it('a simulator that cannot evaluate after the write fails the proposal from applied, without throwing', async () => {
    const world = applyWorld(seedApproved);
    world.simulator.failures = [new SimulationError('IAM has no entity to simulate')];
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'failed',
      policyWritten: true,
      reason: 'after writing the policy: IAM has no entity to simulate',
      recorded: true,
    });
    expect(statuses(world)).toEqual(['approved', 'applied', 'failed']);
    expect(world.writer.puts).toHaveLength(1);
  });

  it('a store failure after the write is reported, not thrown, and never leads to a second write', async () => {
    const world = applyWorld(seedApproved);
    world.store.failNext('transition', new TransientAwsError('DynamoDB throttled'));
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'failed',
      policyWritten: true,
      reason: 'after writing the policy: DynamoDB throttled',
    });
    // approved -> applied failed; the fallback approved -> failed went through.
    expect(statuses(world)).toEqual(['approved', 'failed']);
    expect(world.writer.puts).toHaveLength(1);
    await expect(applyProposal(PROPOSAL_ID, world.deps)).resolves.toEqual({
      kind: 'not-approved',
      status: 'failed',
    });
    expect(world.writer.puts).toHaveLength(1);
  });

  it('a message or event that cannot be published leaves the change applied and verified', async () => {
    const world = applyWorld(seedApproved);
    const snsDown = new TransientAwsError('sns:Publish failed');
    const eventsDown = new AwsCallError('events:PutEvents failed');
    world.deps.notifier = { publish: () => Promise.reject(snsDown) };
    world.deps.events = { publish: () => Promise.reject(eventsDown) };
    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'applied-verified',
      recorded: true,
      publishFailures: [
        { channel: 'message', error: snsDown },
        { channel: 'event', error: eventsDown },
      ],
    });
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('verified');
    expect(world.writer.puts).toHaveLength(1);
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
