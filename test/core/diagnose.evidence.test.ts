import { NO_INSTANCE_PROFILES } from '../support/instance-profiles';
/**
 * AWS's own evaluation record of the denial (IAM Toolbox) in the diagnosis, over the local simulator:
 * evidence only when it is of the request, the context it recorded, what it matched quoted from the
 * account data, where it and the simulation disagree, and records that cannot be read.
 */
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser } from '../../lambda/core/diagnose';
import type {
  AwsAuthorizationRecord,
  AwsRecordLookup,
  AwsRecordUnavailableReason,
} from '../../lambda/core/evidence/aws-evaluation';
import type { AccountScope, Denial, Diagnosis, DiagnosisFinding, DiagnosisOf } from '../../lambda/core/model';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import type { AuthorizationRecordReader } from '../../lambda/ports/authorization-record-reader';
import { pinReports } from '../baseline/pin-reports';
import {
  AUTHORIZATION_ID,
  awsRecord,
  ETL_ROLE,
  inlinePolicyInfo,
  matched,
  MEI,
  passEvaluation,
} from '../support/aws-records';
import { denialOf } from '../support/denials';
import { ACCOUNT, group, inline, managed, role, scope, trustFor, user } from '../support/scope-builders';
import { scopeEscalationReader } from '../support/scope-escalation-reader';

const pin = pinReports('diagnose-evidence');

const glueConsole = managed(
  'AWSGlueConsoleFullAccess',
  { Effect: 'Allow', Action: ['glue:*'], Resource: '*' },
  {
    Effect: 'Allow',
    Action: ['iam:PassRole'],
    Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*',
    Condition: { StringLike: { 'iam:PassedToService': ['glue.amazonaws.com'] } },
  },
);
const requireMfa = inline('RequireMFA', {
  Sid: 'DenyAllExceptListedIfNoMFA',
  Effect: 'Deny',
  NotAction: ['iam:ListMFADevices', 'sts:GetSessionToken'],
  Resource: '*',
  Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
});
const etlRole = role('etl-runtime');
const DEVELOPERS = `arn:aws:iam::${ACCOUNT}:group/Developers`;
const SCP_URI = 'arn:aws:organizations::111122223333:policy/o-abc123/service_control_policy/p-abc123';

const seedUser = () =>
  user('mei', {
    groups: [
      group('GlueAccess', { memberCount: 2, attachedPolicies: [glueConsole] }),
      group('Developers', { memberCount: 3, inlinePolicies: [requireMfa] }),
    ],
  });

/** AWS's record of the seed: the MFA deny of Developers' inline policy, MFA absent. */
const seedRecord = (mfa = 'false'): AwsAuthorizationRecord =>
  awsRecord({
    requestContext: { ...awsRecord().requestContext, 'aws:MultiFactorAuthPresent': mfa },
    evaluations: [
      passEvaluation({
        effect: 'explicit-deny',
        matchedPolicies: [matched('inline-7f3a', ['DenyAllExceptListedIfNoMFA', 'deny'])],
      }),
    ],
    policies: [inlinePolicyInfo('inline-7f3a', DEVELOPERS)],
  });

/** The context the denial reader reconstructs for mei's request (it sets these keys from the record). */
const RECONSTRUCTED = {
  'aws:MultiFactorAuthPresent': 'true',
  'aws:RequestedRegion': 'ap-northeast-1',
  'aws:CurrentTime': '2026-06-17T02:04:37Z',
  'aws:PrincipalArn': MEI,
};

const withId = (parts: Partial<Denial> = {}): Denial =>
  denialOf({ authorizationId: AUTHORIZATION_ID, context: RECONSTRUCTED, ...parts });

async function diagnose(
  accountScope: AccountScope,
  denial: Denial,
  records: AuthorizationRecordReader,
  pinned = true,
): Promise<Diagnosis> {
  const diagnoser = createDiagnoser({
    instanceProfiles: NO_INSTANCE_PROFILES,
    accountReader: { loadScope: async () => accountScope },
    escalation: defaultEscalationDependencies(scopeEscalationReader(accountScope)),
    simulator: new LocalPolicySimulator(),
    authorizationRecords: records,
  });
  const diagnosis = await diagnoser.diagnose(denial);
  if (pinned) pin(diagnosis);
  return diagnosis;
}

const holding = (record: AwsAuthorizationRecord | AwsRecordLookup) =>
  new InMemoryAuthorizationRecordReader([[AUTHORIZATION_ID, record]]);

const findingsOf = (diagnosis: Diagnosis): DiagnosisFinding[] =>
  diagnosis.outcome === 'not-applicable' || diagnosis.outcome === 'recorded' ? [] : diagnosis.findings;
const kinds = (diagnosis: Diagnosis) => findingsOf(diagnosis).map((f) => f.kind);
const ofKind = <K extends DiagnosisFinding['kind']>(diagnosis: Diagnosis, kind: K) =>
  findingsOf(diagnosis).filter((f): f is Extract<DiagnosisFinding, { kind: K }> => f.kind === kind);

function proposed(diagnosis: Diagnosis): DiagnosisOf<'proposed'> {
  if (diagnosis.outcome !== 'proposed') throw new Error(`not proposed: ${diagnosis.outcome}`);
  return diagnosis;
}

describe("AWS's evaluation record as evidence", () => {
  it('the seed with its record: the deny AWS matched leads, found and quoted from the account data', async () => {
    const reader = holding(seedRecord());
    const result = await diagnose(
      scope(seedUser(), etlRole),
      withId({ context: { ...RECONSTRUCTED, 'aws:MultiFactorAuthPresent': 'false' } }),
      reader,
    );
    expect(reader.reads).toEqual([{ authorizationId: AUTHORIZATION_ID, region: 'ap-northeast-1' }]);
    expect(kinds(result)).toEqual(['aws-record', 'deny-statement', 'context-no-allow', 'near-miss']);
    expect(ofKind(result, 'aws-record')[0]).toMatchObject({
      effect: 'explicit-deny',
      statement: {
        uri: 'inline-7f3a',
        sid: 'DenyAllExceptListedIfNoMFA',
        effect: 'deny',
        location: {
          kind: 'located',
          located: {
            policyName: 'RequireMFA',
            attachedTo: 'group/Developers',
            statement: {
              Sid: 'DenyAllExceptListedIfNoMFA',
              Effect: 'Deny',
              NotAction: ['iam:ListMFADevices', 'sts:GetSessionToken'],
            },
          },
        },
      },
    });
    // The simulation reproduces what AWS saw: no disagreement, the proposal verified as before.
    expect(proposed(result).proposal).toMatchObject({ verified: true, target: { name: 'GlueAccess' } });
  });

  it("AWS's request context replaces the reconstructed one where they differ, and the simulation follows it", async () => {
    // The CloudTrail record said MFA was present; AWS evaluated the request without it.
    const denial = withId({
      context: RECONSTRUCTED,
    });
    const without = await diagnose(
      scope(seedUser(), etlRole),
      { ...denial, authorizationId: null },
      holding(seedRecord()),
      false,
    );
    expect(proposed(without).decision).toBe('implicitDeny');

    const result = await diagnose(scope(seedUser(), etlRole), denial, holding(seedRecord()));
    expect(ofKind(result, 'aws-context')).toEqual([
      {
        kind: 'aws-context',
        differences: [{ key: 'aws:MultiFactorAuthPresent', aws: 'false', reconstructed: 'true' }],
        ignored: [],
      },
    ]);
    expect(proposed(result)).toMatchObject({
      decision: 'explicitDeny',
      cause: { kind: 'deny-without-context', conditions: ['MFA present'] },
    });
    // What AWS matched first, then the context it recorded, then the simulation's findings.
    expect(kinds(result)).toEqual([
      'aws-record',
      'aws-context',
      'deny-statement',
      'context-no-allow',
      'near-miss',
    ]);
  });

  it('the receiving service comes from the record when the CloudTrail record does not name it', async () => {
    const twoServices = role('etl-runtime', {
      trustPolicy: trustFor('glue.amazonaws.com', 'lambda.amazonaws.com'),
    });
    const denial = withId({ passedToService: null });
    const without = await diagnose(
      scope(seedUser(), twoServices),
      { ...denial, authorizationId: null },
      holding(awsRecord()),
      false,
    );
    expect(without.outcome).toBe('service-unknown');

    const result = await diagnose(scope(seedUser(), twoServices), denial, holding(awsRecord()));
    expect(proposed(result).service).toBe('glue.amazonaws.com');
    expect(ofKind(result, 'aws-context')[0]?.differences).toEqual([
      { key: 'iam:PassedToService', aws: 'glue.amazonaws.com', reconstructed: null },
    ]);
    expect(kinds(result)).not.toContain('service-assumed');
  });

  it('a record of another request (a forged event carrying a real ID) is a finding, never evidence', async () => {
    const forged = awsRecord({
      requestContext: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/someone-else` },
      evaluations: [
        passEvaluation({ resource: `arn:aws:iam::${ACCOUNT}:role/admin`, effect: 'explicit-deny' }),
      ],
    });
    const result = await diagnose(scope(seedUser(), etlRole), withId(), holding(forged));
    expect(ofKind(result, 'aws-record-mismatch')).toEqual([
      {
        kind: 'aws-record-mismatch',
        authorizationId: AUTHORIZATION_ID,
        mismatches: [
          { field: 'principal', recorded: `arn:aws:iam::${ACCOUNT}:user/someone-else`, expected: MEI },
          { field: 'resource', recorded: [`arn:aws:iam::${ACCOUNT}:role/admin`], expected: ETL_ROLE },
        ],
      },
    ]);
    expect(kinds(result)).toEqual(['aws-record-mismatch', 'near-miss']);
    expect(proposed(result).proposal.verified).toBe(true);
  });

  it('a record of another action, or of an allowed pass, is not evidence either', async () => {
    const otherAction = awsRecord({
      evaluations: [passEvaluation({ action: 's3:GetObject', resource: '*' })],
    });
    const allowed = awsRecord({ evaluations: [passEvaluation({ effect: 'allow' })] });
    const first = await diagnose(scope(seedUser(), etlRole), withId(), holding(otherAction));
    const second = await diagnose(scope(seedUser(), etlRole), withId(), holding(allowed));
    expect(ofKind(first, 'aws-record-mismatch')[0]?.mismatches).toEqual([
      { field: 'action', recorded: ['s3:GetObject'], expected: 'iam:PassRole' },
    ]);
    expect(ofKind(second, 'aws-record-mismatch')[0]?.mismatches).toEqual([
      { field: 'effect', recorded: 'allow', expected: 'a deny' },
    ]);
  });

  it('an SCP deny AWS applied and the simulation cannot see: the disagreement said, the proposal not verified', async () => {
    const record = awsRecord({
      evaluations: [
        passEvaluation({
          effect: 'explicit-deny',
          matchedPolicies: [matched(SCP_URI, ['DenyPassRole', 'deny'])],
        }),
      ],
      policies: [
        {
          type: 'scp',
          awsType: 'SERVICE_CONTROL_POLICY',
          inline: false,
          uri: SCP_URI,
          attachedTo: [`arn:aws:organizations::111122223333:account/o-abc123/${ACCOUNT}`],
        },
      ],
    });
    const result = await diagnose(scope(seedUser(), etlRole), withId(), holding(record));
    expect(ofKind(result, 'aws-record')[0]?.statement?.location).toEqual({ kind: 'not-visible' });
    expect(ofKind(result, 'aws-evaluation')).toMatchObject([
      { disagreement: { kind: 'effect', aws: 'explicit-deny', simulated: 'implicitDeny' } },
    ]);
    expect(proposed(result).proposal).toMatchObject({
      verified: false,
      blockers: [
        `explicit deny in statement DenyPassRole of service control policy ${SCP_URI} attached to arn:aws:organizations::111122223333:account/o-abc123/${ACCOUNT} (AWS's record; not visible to the simulation)`,
      ],
    });
  });

  it('an identity deny AWS applied that is gone now: the disagreement said, the proposal still verified', async () => {
    const noMfaGuard = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(noMfaGuard, etlRole), withId(), holding(seedRecord('true')));
    expect(ofKind(result, 'aws-record')[0]?.statement?.location).toEqual({ kind: 'policy-not-read' });
    expect(ofKind(result, 'aws-evaluation')).toMatchObject([
      { disagreement: { kind: 'effect', aws: 'explicit-deny', simulated: 'implicitDeny' } },
    ]);
    expect(proposed(result).proposal).toMatchObject({ verified: true, blockers: [] });
  });

  it('granted since the event: AWS denied it, the simulation allows it now', async () => {
    const granted = managed('PassEtl', {
      Sid: 'PassEtl',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: ETL_ROLE,
    });
    const result = await diagnose(
      scope(user('mei', { attachedPolicies: [granted] }), etlRole),
      withId(),
      holding(awsRecord()),
    );
    expect(result.outcome).toBe('already-allowed');
    expect(kinds(result)).toEqual(['aws-record', 'aws-evaluation', 'already-allowed']);
    expect(ofKind(result, 'aws-record')[0]).toMatchObject({ effect: 'implicit-deny', statement: null });
    expect(ofKind(result, 'aws-evaluation')[0]?.disagreement).toMatchObject({
      kind: 'effect',
      aws: 'implicit-deny',
      simulated: 'allowed',
    });
  });

  it('both deny explicitly, by different statements: said, with each side', async () => {
    const tagged = inline('TeamGuard', {
      Sid: 'OnlyTeamData',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: '*',
      // AWS saw mei's tag; the simulation has no principal tags, so it does not match this one.
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'contractors' } },
    });
    const blunt = inline('NoPassing', {
      Sid: 'Never',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: ETL_ROLE,
    });
    const mei = user('mei', { attachedPolicies: [glueConsole], inlinePolicies: [tagged, blunt] });
    const record = awsRecord({
      evaluations: [
        passEvaluation({
          effect: 'explicit-deny',
          matchedPolicies: [matched('inline-1', ['OnlyTeamData', 'deny'])],
        }),
      ],
      policies: [inlinePolicyInfo('inline-1', MEI)],
    });
    const result = await diagnose(scope(mei, etlRole), withId(), holding(record));
    expect(result.outcome).toBe('explicit-deny');
    expect(ofKind(result, 'aws-evaluation')[0]?.disagreement).toMatchObject({
      kind: 'statements',
      awsOnly: [{ sid: 'OnlyTeamData', location: { kind: 'located', located: { policyName: 'TeamGuard' } } }],
      simulatedOnly: [{ policyName: 'NoPassing', statement: 'Never' }],
    });
  });

  it('a boundary AWS named by ARN is found as the boundary, and agrees with the simulation', async () => {
    const boundary = managed('DevBoundary', {
      Sid: 'NoPass',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: '*',
    });
    const mei = user('mei', { attachedPolicies: [glueConsole], permissionsBoundary: boundary });
    const record = awsRecord({
      evaluations: [
        passEvaluation({
          effect: 'explicit-deny',
          matchedPolicies: [matched(boundary.arn, ['NoPass', 'deny'])],
        }),
      ],
      policies: [
        {
          type: 'boundary',
          awsType: 'PERMISSIONS_BOUNDARY',
          inline: false,
          uri: boundary.arn,
          attachedTo: [MEI],
        },
      ],
    });
    const result = await diagnose(scope(mei, etlRole), withId(), holding(record));
    expect(ofKind(result, 'aws-record')[0]?.statement?.location).toMatchObject({
      kind: 'located',
      located: { layer: 'boundary', policyArn: boundary.arn, statementId: 'NoPass' },
    });
    expect(kinds(result)).not.toContain('aws-evaluation');
  });

  it.each<AwsRecordUnavailableReason>(['not-found', 'access-denied', 'throttled', 'server-error'])(
    'a record not read (%s) is noted and the diagnosis goes on',
    async (reason) => {
      const lookup: AwsRecordLookup = { kind: 'unavailable', reason, detail: 'from the service' };
      const result = await diagnose(scope(seedUser(), etlRole), withId(), holding(lookup));
      expect(kinds(result)).toEqual(['aws-record-unavailable', 'near-miss']);
      expect(ofKind(result, 'aws-record-unavailable')[0]).toEqual({
        kind: 'aws-record-unavailable',
        authorizationId: AUTHORIZATION_ID,
        reason,
        detail: 'from the service',
      });
      expect(proposed(result).proposal.verified).toBe(true);
    },
  );

  it('a reader that rejects despite its contract does not fail the diagnosis', async () => {
    const broken: AuthorizationRecordReader = { read: () => Promise.reject(new Error('socket hang up')) };
    const result = await diagnose(scope(seedUser(), etlRole), withId(), broken);
    expect(ofKind(result, 'aws-record-unavailable')[0]).toMatchObject({
      reason: 'network',
      detail: 'socket hang up',
    });
    expect(result.outcome).toBe('proposed');
  });

  it('without an authorization ID no record is read; a reader that reads none says so', async () => {
    const reader = new InMemoryAuthorizationRecordReader([], 'offline');
    const none = await diagnose(scope(seedUser(), etlRole), denialOf(), reader);
    expect(reader.reads).toEqual([]);
    expect(kinds(none)).toEqual(['near-miss']);
    const offline = await diagnose(scope(seedUser(), etlRole), withId(), reader);
    expect(ofKind(offline, 'aws-record-unavailable')[0]).toMatchObject({
      reason: 'not-consulted',
      detail: 'offline',
    });
  });
});
