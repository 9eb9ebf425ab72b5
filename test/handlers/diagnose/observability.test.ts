/** The diagnose function's acknowledgements: each record set aside is logged with its reason, and counted. */
import { readDenials, type ReadOutcome } from '../../../lambda/core/denial';
import { diagnoseReporter, METRIC } from '../../../lambda/handlers/diagnose/observability';
import { envelope, RecordingLogger, RecordingMetrics, seedRecord } from './support';

function readOne(record: Record<string, unknown>): ReadOutcome {
  const [outcome] = readDenials(envelope(record), 'message m-1');
  if (outcome === undefined) throw new Error('no outcome');
  return outcome;
}

function seedDenialOutcome(): Extract<ReadOutcome, { kind: 'denial' }> {
  const outcome = readOne(seedRecord('evt-observability-1'));
  if (outcome.kind !== 'denial') throw new Error(`the seed record read as ${outcome.kind}`);
  return outcome;
}

function acknowledge(outcome: ReadOutcome): { logger: RecordingLogger; metrics: RecordingMetrics } {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  expect(diagnoseReporter(logger, metrics).denialToProcess(outcome)).toBeNull();
  metrics.publishStoredMetrics();
  return { logger, metrics };
}

describe('diagnose reporter: acknowledged records', () => {
  it('logs a denial with a blank eventID with its reason and where, and counts it invalid', () => {
    // The reader refuses such an eventID; this is the handler's own guard behind it.
    const seed = seedDenialOutcome();
    const { logger, metrics } = acknowledge({ ...seed, denial: { ...seed.denial, eventId: ' \t ' } });
    expect(logger.productionLines()).toEqual([
      {
        level: 'warn',
        message: 'record acknowledged: an iam:PassRole denial with an empty eventID',
        attributes: {
          reason: 'an iam:PassRole denial with an empty eventID: the record cannot be identified',
          where: seed.where,
        },
      },
    ]);
    expect(metrics.total(METRIC.invalidRecords)).toBe(1);
  });

  it("logs a record that is not an iam:PassRole denial with its reason's code, and counts it", () => {
    const outcome = readOne(seedRecord('evt-observability-4', { errorCode: null }));
    const { logger, metrics } = acknowledge(outcome);
    expect(logger.productionLines()).toEqual([
      {
        level: 'info',
        message: 'record acknowledged: not an iam:PassRole denial',
        attributes: {
          code: 'not-an-error',
          reason: 'the call succeeded: the record has no errorCode',
          eventId: 'evt-observability-4',
        },
      },
    ]);
    expect(metrics.total(METRIC.notApplicable)).toBe(1);
  });

  it('gives every acknowledgement a reason', () => {
    const seed = seedDenialOutcome();
    const outcomes: ReadOutcome[] = [
      readOne(seedRecord('evt-observability-2', { eventSource: 7 })),
      readOne(seedRecord('evt-observability-3', { errorCode: null })),
      { ...seed, denial: { ...seed.denial, eventId: '' } },
    ];
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['invalid', 'not-applicable', 'denial']);
    for (const outcome of outcomes) {
      const [line, ...others] = acknowledge(outcome).logger.productionLines();
      expect(others).toEqual([]);
      expect(line?.message).toMatch(/^record acknowledged: /);
      expect(line?.attributes['reason']).toEqual(expect.stringMatching(/\w/));
    }
  });

  it('hands a denial with an eventID on, logging nothing', () => {
    const logger = new RecordingLogger();
    const seed = seedDenialOutcome();
    expect(diagnoseReporter(logger, new RecordingMetrics()).denialToProcess(seed)).toBe(seed.denial);
    expect(logger.productionLines()).toEqual([]);
  });
});
