import {
  createApplyHandler,
  APPLY_METRIC,
  type ApplyHandlerDependencies,
} from '../../../lambda/handlers/apply/handler';
import { AwsCallError, RetryRecordError, TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { FakeAccountAccess } from '../../support/account-access';
import {
  ACCOUNT,
  applyWorld,
  approved,
  diagnosedSeedRecord,
  PROPOSAL_ID,
  SETTINGS,
  type ApplyWorld,
} from '../../core/apply/seed-apply';
import { lambdaContext, RecordingLogger, RecordingMetrics } from '../diagnose/support';

let seedApproved: IncidentRecord;
beforeAll(async () => {
  seedApproved = approved(await diagnosedSeedRecord());
});

interface HandlerHarness {
  world: ApplyWorld;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  handler: ReturnType<typeof createApplyHandler>;
}

function harness(
  record: IncidentRecord = seedApproved,
  options: { staleReads?: number } = {},
): HandlerHarness {
  const world = applyWorld(record, options);
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const { settings: _settings, clock, sleep, ...ports } = world.deps;
  const deps: ApplyHandlerDependencies = {
    ...ports,
    logger,
    metrics,
    clock,
    sleep,
    settings: { ...SETTINGS, accountId: null },
  };
  return { world, logger, metrics, handler: createApplyHandler(deps) };
}

describe('apply handler', () => {
  it('applies the proposal the event names, logs it and counts it', async () => {
    const { world, logger, metrics, handler } = harness();
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(240_000))).resolves.toBe(
      'applied-verified',
    );
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('verified');
    expect(world.writer.puts).toHaveLength(1);
    expect(metrics.total(APPLY_METRIC.verified)).toBe(1);
    expect(metrics.published).toHaveLength(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'Applied and verified: allowed',
        attributes: expect.objectContaining({ proposalId: PROPOSAL_ID }),
      }),
    );
  });

  it.each([
    ['null', null],
    ['a string', 'p-seed'],
    ['an array', [{ proposalId: PROPOSAL_ID }]],
    ['no proposalId', { id: PROPOSAL_ID }],
    ['a numeric proposalId', { proposalId: 42 }],
    ['a proposalId that is no id', { proposalId: '../../etc/passwd' }],
    ['an empty proposalId', { proposalId: '' }],
  ])('logs and drops an event with %s, without throwing or touching the store', async (_name, event) => {
    const { world, logger, metrics, handler } = harness();
    await expect(handler(event, lambdaContext())).resolves.toBe('invalid-event');
    expect(world.store.calls).toEqual([]);
    expect(metrics.total(APPLY_METRIC.invalidEvents)).toBe(1);
    expect(logger.lines.map((line) => [line.level, line.message])).toEqual([
      ['error', 'Ignoring an apply event that names no proposal'],
    ]);
  });

  it('throws a transient failure before the write, so Lambda retries it', async () => {
    const { world, metrics, handler } = harness();
    world.store.failNext('get', new TransientAwsError('dynamodb:GetItem failed, worth retrying later'));
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).rejects.toThrow(TransientAwsError);
    expect(metrics.total(APPLY_METRIC.errors)).toBe(1);
    expect(metrics.published).toHaveLength(1);
    // The retry does the work.
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).resolves.toBe('applied-verified');
  });

  it('rethrows a permanent failure too: Lambda retries, then the reconciler; nothing is written', async () => {
    const { world, logger, metrics, handler } = harness();
    const denied = new AwsCallError('Access denied: dynamodb:GetItem');
    world.store.failNext('get', denied);
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).rejects.toBe(denied);
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'warn',
      message: 'The apply stopped with work left; it will be retried',
      attributes: { error: { name: 'AwsCallError', message: 'Access denied: dynamodb:GetItem' } },
    });
    expect(metrics.total(APPLY_METRIC.errors)).toBe(1);
    expect(metrics.published).toHaveLength(1);
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('approved');
  });

  it('throws when storing the move fails after the write, so Lambda retries: the lease given back, the record still approved', async () => {
    const { world, metrics, handler } = harness();
    const throttled = new TransientAwsError('throttled');
    world.store.failNext('transition', throttled);
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).rejects.toBe(throttled);
    expect(world.writer.puts).toHaveLength(1);
    expect(world.store.peek(PROPOSAL_ID)).toMatchObject({ status: 'approved', applyLeaseUntil: null });
    expect(metrics.total(APPLY_METRIC.errors)).toBe(1);
    expect(metrics.total(APPLY_METRIC.failed)).toBe(0);
    expect(world.notifier.messages).toEqual([]);

    // The retry finds the write in IAM, does not repeat it, and finishes.
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).resolves.toBe('applied-verified');
    expect(world.writer.puts).toHaveLength(1);
    expect(world.notifier.messages).toHaveLength(1);
  });

  it('logs and counts publishing failures, then throws so Lambda retries the announcement; the change stays applied and verified', async () => {
    const { world, logger, metrics, handler } = harness();
    const publish = world.notifier.publish.bind(world.notifier);
    world.notifier.publish = () => Promise.reject(new TransientAwsError('sns:Publish failed'));
    const thrown: unknown = await handler({ proposalId: PROPOSAL_ID }, lambdaContext()).catch(
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(RetryRecordError);
    expect(thrown).toMatchObject({
      message: `the outcome of proposal ${PROPOSAL_ID} did not all go out (message); retrying`,
    });
    // Reported before throwing: the outcome is decided and counted once.
    expect(metrics.total(APPLY_METRIC.verified)).toBe(1);
    expect(metrics.total(APPLY_METRIC.publishFailures)).toBe(1);
    expect(metrics.total(APPLY_METRIC.errors)).toBe(0);
    expect(metrics.published).toHaveLength(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'Could not publish the outcome message; the IAM change stands',
      }),
    );
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('verified');
    expect(world.events.events).toHaveLength(1);

    // Lambda's retry sends the message alone, and counts a late announcement.
    world.notifier.publish = publish;
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).resolves.toBe('announced');
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toHaveLength(1);
    expect(world.writer.puts).toHaveLength(1);
    expect(metrics.total(APPLY_METRIC.announced)).toBe(1);
    expect(metrics.total(APPLY_METRIC.verified)).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'Sent the outcome of a decided proposal',
        attributes: expect.objectContaining({ status: 'verified' }),
      }),
    );
  });

  it('throws when noting what went out fails, naming the record channel', async () => {
    const { world, metrics, handler } = harness();
    world.store.failNext('markResultPublished', new TransientAwsError('DynamoDB throttled'));
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).rejects.toThrow(
      /did not all go out \(record\); retrying$/,
    );
    expect(metrics.total(APPLY_METRIC.publishFailures)).toBe(1);
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('verified');
  });

  it('holds the lease to the invocation’s end and verifies only while time is left to finish', async () => {
    const { world, handler } = harness(seedApproved, { staleReads: Number.POSITIVE_INFINITY });
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(60_000))).resolves.toBe(
      'applied-not-verified',
    );
    const [claim] = world.store.claims;
    expect(claim && claim.leaseUntil.getTime() - claim.now.getTime()).toBe(60_000);
    // 60 s left, 20 s kept to finish: waits of 1, 2, 4, 8 and 16 s fit in 40 s, a sixth does not.
    expect(world.time.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('judges the document against the function’s own account when none is configured', async () => {
    const { world, handler } = harness();
    const context = {
      ...lambdaContext(),
      invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:210987654321:function:apply',
    };
    await expect(handler({ proposalId: PROPOSAL_ID }, context)).resolves.toBe('refused');
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.history.at(-1)?.detail).toMatch(/not in account 210987654321/);
  });

  it('in organization mode writes in the denial account through its access, whatever account it runs in', async () => {
    const { world } = harness();
    const accounts = new FakeAccountAccess({
      [ACCOUNT]: {
        escalationReader: world.escalation,
        writer: world.writer,
        simulator: world.simulator,
        accountReader: world.reader,
      },
    });
    const { settings: _settings, clock, sleep, ...ports } = world.deps;
    const hub = createApplyHandler({
      ...ports,
      accounts,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      clock,
      sleep,
      settings: { ...SETTINGS, accountId: null, organization: true },
    });
    const inHub = {
      ...lambdaContext(),
      invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:111111111111:function:apply',
    };
    await expect(hub({ proposalId: PROPOSAL_ID }, inHub)).resolves.toBe('applied-verified');
    expect(accounts.writes.map((write) => write.accountId)).toEqual([ACCOUNT]);
    expect(world.writer.puts).toHaveLength(1);
  });

  it('counts a redelivery as nothing to do', async () => {
    const { metrics, handler } = harness();
    await handler({ proposalId: PROPOSAL_ID }, lambdaContext());
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).resolves.toBe('not-approved');
    expect(metrics.total(APPLY_METRIC.nothingToDo)).toBe(1);
  });

  it('counts a record decided elsewhere while it ran as nothing to do, and says so', async () => {
    const { world, logger, metrics, handler } = harness();
    world.writer.putInlinePolicy = async () => {
      world.store.put({ ...seedApproved, status: 'rejected' });
      throw new AwsCallError('Access denied: iam:PutGroupPolicy');
    };
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext())).resolves.toBe('decided-elsewhere');
    expect(metrics.total(APPLY_METRIC.nothingToDo)).toBe(1);
    expect(metrics.total(APPLY_METRIC.failed)).toBe(0);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'Nothing to apply: the proposal was decided elsewhere meanwhile',
        attributes: expect.objectContaining({ status: 'rejected' }),
      }),
    );
    expect(world.notifier.messages).toEqual([]);
  });

  it('refuses, logs and counts an approval without a signed decision: it needs re-approval', async () => {
    const { world, logger, metrics, handler } = harness({ ...seedApproved, decision: undefined });
    await expect(handler({ proposalId: PROPOSAL_ID }, lambdaContext(240_000))).resolves.toBe('refused');
    expect(world.writer.puts).toEqual([]);
    expect(metrics.total(APPLY_METRIC.refused)).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'Refused to apply',
        attributes: expect.objectContaining({ reason: expect.stringMatching(/needs re-approval/) }),
      }),
    );
  });
});
