import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { createReconcileHandler, RECONCILE_METRIC } from '../../../lambda/handlers/reconcile/handler';
import type { ApplyTrigger } from '../../../lambda/ports/apply-trigger';
import { ago, decidedAt, HOUR, MINUTE, NOW, recordAt, SETTINGS } from '../../core/apply/reconcile-support';
import { FakeApprovalStore } from '../../support/fake-approval-store';
import { signEnvelope, testDecisionVerifier } from '../../support/signed-approval';
import { RecordingLogger, RecordingMetrics } from '../diagnose/support';

/** Records every request; fails the ones it is told to, as LambdaApplyTrigger would. */
class RecordingTrigger implements ApplyTrigger {
  readonly requested: string[] = [];
  constructor(private readonly failures: ReadonlyMap<string, Error> = new Map()) {}

  async requestApply(proposalId: string): Promise<void> {
    this.requested.push(proposalId);
    const failure = this.failures.get(proposalId);
    if (failure !== undefined) throw failure;
  }
}

function harness(records: IncidentRecord[], failures: ReadonlyMap<string, Error> = new Map()) {
  const store = new FakeApprovalStore(records);
  const trigger = new RecordingTrigger(failures);
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler = createReconcileHandler({
    store,
    trigger,
    decisionVerifier: testDecisionVerifier,
    logger,
    metrics,
    settings: SETTINGS,
    clock: () => NOW,
  });
  return { store, trigger, logger, metrics, handler };
}

const SCHEDULED_EVENT = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

/** One of each reason, and two that are not due. */
const MIXED = () => [
  recordAt('not-started', 'approved', 20 * MINUTE),
  recordAt('died', 'applied', 30 * MINUTE, { applyAttempts: 1, applyLeaseUntil: ago(10 * MINUTE) }),
  decidedAt('unannounced', 'verified', HOUR, { resultMessageAt: null }),
  decidedAt('announced', 'verified', HOUR),
  recordAt('in-grace', 'approved', MINUTE),
];

describe('reconcile handler', () => {
  it('asks for another apply run of each stalled proposal, oldest first, and counts them', async () => {
    const { trigger, logger, metrics, handler } = harness(MIXED());
    await expect(handler(SCHEDULED_EVENT)).resolves.toEqual({
      found: 3,
      requested: 3,
      failed: 0,
      unverified: 0,
      byReason: { 'outcome-not-sent': 1, 'apply-died': 1, 'apply-not-started': 1 },
    });
    expect(trigger.requested).toEqual(['unannounced', 'died', 'not-started']);
    expect(metrics.published).toEqual([{ [RECONCILE_METRIC.requested]: 3 }]);
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'Asked for another apply run',
      attributes: { proposalId: 'died', status: 'applied', reason: 'apply-died' },
    });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'Reconciled unfinished applies',
        attributes: expect.objectContaining({ found: 3, requested: 3, failed: 0 }),
      }),
    );
  });

  it('only reads the table: no transition, claim or release', async () => {
    const { store, handler } = harness(MIXED());
    await handler(SCHEDULED_EVENT);
    expect(new Set(store.calls.map((call) => call.method))).toEqual(new Set(['listByStatus']));
  });

  it('counts and logs a request that fails, and still makes the others', async () => {
    const failures = new Map([
      ['died', new TransientAwsError('lambda:InvokeFunction (apply) failed (TooManyRequestsException)')],
    ]);
    const { trigger, logger, metrics, handler } = harness(MIXED(), failures);
    await expect(handler(SCHEDULED_EVENT)).resolves.toEqual({
      found: 3,
      requested: 2,
      failed: 1,
      unverified: 0,
      byReason: { 'outcome-not-sent': 1, 'apply-not-started': 1 },
    });
    expect(trigger.requested).toEqual(['unannounced', 'died', 'not-started']);
    expect(metrics.published).toEqual([
      { [RECONCILE_METRIC.requested]: 2, [RECONCILE_METRIC.requestFailures]: 1 },
    ]);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'Could not ask for another apply run',
        attributes: {
          proposalId: 'died',
          status: 'applied',
          reason: 'apply-died',
          error: {
            name: 'TransientAwsError',
            message: 'lambda:InvokeFunction (apply) failed (TooManyRequestsException)',
          },
        },
      },
    ]);
  });

  it('survives every request failing, and reports that in the metrics', async () => {
    const refused = new AwsCallError('lambda:InvokeFunction (apply) failed (AccessDeniedException)');
    const failures = new Map(['not-started', 'died', 'unannounced'].map((id) => [id, refused]));
    const { metrics, handler } = harness(MIXED(), failures);
    await expect(handler(SCHEDULED_EVENT)).resolves.toMatchObject({ found: 3, requested: 0, failed: 3 });
    expect(metrics.total(RECONCILE_METRIC.requestFailures)).toBe(3);
    expect(metrics.total(RECONCILE_METRIC.requested)).toBe(0);
  });

  it('throws when the table cannot be read, requests nothing, and still publishes its metrics', async () => {
    const { store, trigger, metrics, handler } = harness(MIXED());
    store.failNext('listByStatus', new TransientAwsError('dynamodb:Query (byStatus) failed'));
    await expect(handler(SCHEDULED_EVENT)).rejects.toThrow('dynamodb:Query (byStatus) failed');
    expect(trigger.requested).toEqual([]);
    expect(metrics.published).toHaveLength(1);
  });

  it('requests nothing when nothing is due, and publishes a zero count', async () => {
    const { trigger, logger, metrics, handler } = harness([
      decidedAt('announced', 'verified', HOUR),
      recordAt('in-grace', 'approved', MINUTE),
    ]);
    await expect(handler(SCHEDULED_EVENT)).resolves.toEqual({
      found: 0,
      requested: 0,
      failed: 0,
      unverified: 0,
      byReason: {},
    });
    expect(trigger.requested).toEqual([]);
    expect(metrics.published).toEqual([{ [RECONCILE_METRIC.requested]: 0 }]);
    expect(logger.lines).toEqual([]);
  });

  it('judges staleness by its clock', async () => {
    const { trigger, handler } = harness([recordAt('not-started', 'approved', 20 * MINUTE)]);
    await handler(SCHEDULED_EVENT);
    expect(trigger.requested).toEqual(['not-started']);

    // The same record seen a minute after its approval is within the grace period.
    const store = new FakeApprovalStore([recordAt('not-started', 'approved', 20 * MINUTE)]);
    const early = new RecordingTrigger();
    await createReconcileHandler({
      store,
      trigger: early,
      decisionVerifier: testDecisionVerifier,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
      settings: SETTINGS,
      clock: () => new Date(NOW.getTime() - 19 * MINUTE),
    })(SCHEDULED_EVENT);
    expect(early.requested).toEqual([]);
  });

  it('reports approved records whose decision does not verify, and never asks the apply function for them', async () => {
    const signed = recordAt('signed', 'approved', 20 * MINUTE);
    const unsigned = recordAt('unsigned', 'approved', 25 * MINUTE, { decision: undefined });
    // A forged item: another proposal's valid decision copied onto it.
    const forged = recordAt('forged', 'approved', 30 * MINUTE, { decision: signed.decision ?? null });
    // A decision signed for it, then altered (the approver swapped).
    const altered = recordAt('altered', 'approved', 35 * MINUTE);
    const envelope = JSON.parse(altered.decision?.envelope ?? '{}') as Record<string, unknown>;
    const tampered = { ...altered.decision, envelope: JSON.stringify({ ...envelope, approvers: [] }) };
    const { trigger, logger, metrics, handler } = harness([
      signed,
      unsigned,
      forged,
      { ...altered, decision: { envelope: tampered.envelope, signature: altered.decision?.signature ?? '' } },
      // Signed by a key the reconciler does not trust.
      recordAt('other-key', 'approved', 40 * MINUTE, {
        decision: signEnvelope({
          ...(JSON.parse(signed.decision?.envelope ?? '{}') as Parameters<typeof signEnvelope>[0]),
          proposalId: 'other-key',
          keyId: 'arn:aws:kms:us-east-1:123456789012:key/other',
        }),
      }),
    ]);

    await expect(handler(SCHEDULED_EVENT)).resolves.toMatchObject({ found: 1, requested: 1, unverified: 4 });
    expect(trigger.requested).toEqual(['signed']);
    expect(metrics.published).toEqual([
      { [RECONCILE_METRIC.unverified]: 4, [RECONCILE_METRIC.requested]: 1 },
    ]);
    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => [line.attributes['proposalId'], line.attributes['needsReapproval']])).toEqual(
      [
        ['other-key', false],
        ['altered', false],
        ['forged', false],
        ['unsigned', true],
      ],
    );
    expect(errors.find((line) => line.attributes['proposalId'] === 'unsigned')?.message).toBe(
      'Not applying an approved proposal without a signed decision: it needs re-approval',
    );
    expect(errors.map((line) => line.attributes['problem'])).toEqual([
      expect.stringMatching(/not the trusted key/),
      expect.stringMatching(/not in canonical form|does not verify/),
      'the decision is for proposal signed, not forged',
      expect.stringMatching(/needs re-approval/),
    ]);
  });

  it('still asks for an applied record (written already) and an approved one with an expired decision', async () => {
    const expired = recordAt('expired', 'approved', 20 * MINUTE);
    const envelope = JSON.parse(expired.decision?.envelope ?? '{}') as Parameters<typeof signEnvelope>[0];
    const { trigger, handler } = harness([
      { ...expired, decision: signEnvelope({ ...envelope, expiresAt: '2026-06-17T00:00:00.000Z' }) },
      recordAt('applied', 'applied', 30 * MINUTE, { decision: undefined, applyAttempts: 1 }),
    ]);
    await handler(SCHEDULED_EVENT);
    // The apply function refuses the expired one and tells the channel; the applied one settles.
    expect(trigger.requested.sort()).toEqual(['applied', 'expired']);
  });
});
