import { NO_INSTANCE_PROFILES } from '../../support/instance-profiles';
/**
 * The diagnose function counts what became of AWS's evaluation record of each diagnosed denial: used,
 * not of this request, not read (by reason), disagreeing with the simulation. Over the seed scenario.
 */
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { readDenials } from '../../../lambda/core/denial';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import type { AwsAuthorizationRecord, AwsRecordLookup } from '../../../lambda/core/evidence/aws-evaluation';
import type { Denial } from '../../../lambda/core/model';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import {
  AWS_RECORD_UNAVAILABLE,
  diagnoseReporter,
  METRIC,
} from '../../../lambda/handlers/diagnose/observability';
import { AUTHORIZATION_ID, passEvaluation } from '../../support/aws-records';
import { envelope, RecordingLogger, RecordingMetrics, SEED_ACCOUNT, seedRecord } from './support';

function seedDenial(): Denial {
  const [outcome] = readDenials(envelope(seedRecord('evt-aws-record-1')), 'message m-1');
  if (outcome?.kind !== 'denial') throw new Error('the seed record is not a denial');
  return { ...outcome.denial, authorizationId: AUTHORIZATION_ID };
}

async function diagnoseCounted(entry: AwsAuthorizationRecord | AwsRecordLookup) {
  const accountReader = new SnapshotAccountReader(SEED_ACCOUNT, 'examples/seed/account.json');
  const diagnoser = createDiagnoser({
    instanceProfiles: NO_INSTANCE_PROFILES,
    accountReader,
    simulator: new LocalPolicySimulator(),
    escalation: defaultEscalationDependencies(accountReader),
    authorizationRecords: new InMemoryAuthorizationRecordReader([[AUTHORIZATION_ID, entry]]),
  });
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const diagnosis = await diagnoseReporter(logger, metrics).timed(diagnoser)(seedDenial());
  metrics.publishStoredMetrics();
  return { diagnosis, logger, metrics };
}

function recordOf(denial: Denial, parts: Partial<AwsAuthorizationRecord>): AwsAuthorizationRecord {
  return {
    authorizationId: AUTHORIZATION_ID,
    region: denial.region,
    requestContext: { ...denial.context, 'aws:PrincipalArn': denial.policySourceArn ?? '' },
    evaluations: [],
    policies: [],
    ...parts,
  };
}

describe("diagnose reporter: AWS's evaluation record", () => {
  it('counts a record used as evidence, and a disagreement with the simulation', async () => {
    const denial = seedDenial();
    // AWS found no explicit deny; the simulation finds the MFA guard's (the seed's request context).
    const record = recordOf(denial, {
      evaluations: [passEvaluation({ resource: denial.roleArn ?? '', effect: 'implicit-deny' })],
    });
    const { metrics, logger } = await diagnoseCounted(record);
    expect(metrics.total(METRIC.awsRecordsUsed)).toBe(1);
    expect(metrics.total(METRIC.awsEvaluationDisagreements)).toBe(1);
    expect(metrics.total(METRIC.awsRecordsUnavailable)).toBe(0);
    expect(logger.productionLines()).toContainEqual({
      level: 'info',
      message: "AWS's evaluation record and the simulation disagree",
      attributes: { authorizationId: AUTHORIZATION_ID, on: 'effect' },
    });
  });

  it('counts a record not read, in total and by its reason, and logs the reason', async () => {
    const { metrics, logger } = await diagnoseCounted({
      kind: 'unavailable',
      reason: 'throttled',
      detail: 'Rate exceeded',
    });
    expect(metrics.total(METRIC.awsRecordsUnavailable)).toBe(1);
    expect(metrics.total(AWS_RECORD_UNAVAILABLE.throttled)).toBe(1);
    expect(metrics.total(METRIC.awsRecordsUsed)).toBe(0);
    expect(logger.productionLines()).toContainEqual({
      level: 'info',
      message: "AWS's evaluation record not read",
      attributes: { authorizationId: AUTHORIZATION_ID, reason: 'throttled', detail: 'Rate exceeded' },
    });
  });

  it('counts and warns of a record of another request', async () => {
    const denial = seedDenial();
    const { metrics, logger } = await diagnoseCounted(
      recordOf(denial, { requestContext: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/intruder' } }),
    );
    expect(metrics.total(METRIC.awsRecordMismatches)).toBe(1);
    expect(metrics.total(METRIC.awsRecordsUsed)).toBe(0);
    expect(logger.productionLines()).toContainEqual({
      level: 'warn',
      message: "AWS's evaluation record is of another request: not used as evidence",
      attributes: { authorizationId: AUTHORIZATION_ID, fields: ['principal', 'action'] },
    });
  });

  it('names one metric per reason, all distinct', () => {
    const names = Object.values(AWS_RECORD_UNAVAILABLE);
    expect(new Set(names).size).toBe(names.length);
  });
});
