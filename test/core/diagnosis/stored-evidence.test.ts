import { NO_INSTANCE_PROFILES } from '../../support/instance-profiles';
/** A diagnosis with AWS's record among its findings is stored and read back as it was, reports alike. */
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import { decodeStoredDiagnosis } from '../../../lambda/core/diagnosis/stored';
import type { AwsAuthorizationRecord, AwsRecordLookup } from '../../../lambda/core/evidence/aws-evaluation';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { toJsonReport } from '../../../lambda/core/render/json-report';
import { renderTextReport } from '../../../lambda/core/render/text-report';
import { AUTHORIZATION_ID, awsRecord, matched, passEvaluation } from '../../support/aws-records';
import { denialOf } from '../../support/denials';
import { group, managed, role, scope, user } from '../../support/scope-builders';
import { scopeEscalationReader } from '../../support/scope-escalation-reader';

const SCP = 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1';
const account = scope(
  user('mei', {
    groups: [
      group('GlueAccess', {
        attachedPolicies: [managed('Glue', { Effect: 'Allow', Action: 'glue:*', Resource: '*' })],
      }),
    ],
  }),
  role('etl-runtime'),
);

async function diagnosed(entry: AwsAuthorizationRecord | AwsRecordLookup) {
  return createDiagnoser({
    instanceProfiles: NO_INSTANCE_PROFILES,
    authorizationRecords: new InMemoryAuthorizationRecordReader([[AUTHORIZATION_ID, entry]]),
    accountReader: { loadScope: async () => account },
    simulator: new LocalPolicySimulator(),
    escalation: defaultEscalationDependencies(scopeEscalationReader(account)),
  }).diagnose(denialOf({ authorizationId: AUTHORIZATION_ID, passedToService: null }));
}

describe("decodeStoredDiagnosis: AWS's record among the findings", () => {
  it.each<[string, AwsAuthorizationRecord | AwsRecordLookup]>([
    [
      'evidence, the context it replaced and a disagreement',
      awsRecord({
        evaluations: [
          passEvaluation({ effect: 'explicit-deny', matchedPolicies: [matched(SCP, ['DenyPass', 'deny'])] }),
        ],
        policies: [
          { type: 'scp', awsType: 'SERVICE_CONTROL_POLICY', inline: false, uri: SCP, attachedTo: [] },
        ],
      }),
    ],
    ['a record of another request', awsRecord({ requestContext: {} })],
    ['a record not read', { kind: 'unavailable', reason: 'access-denied', detail: 'denied' }],
  ])('%s', async (_what, entry) => {
    const diagnosis = await diagnosed(entry);
    expect(diagnosis.outcome).toBe('proposed');
    const decoded = decodeStoredDiagnosis(JSON.parse(JSON.stringify(diagnosis)));
    expect(decoded).toEqual(diagnosis);
    expect(renderTextReport(decoded)).toBe(renderTextReport(diagnosis));
    expect(toJsonReport(decoded)).toEqual(toJsonReport(diagnosis));
  });
});
