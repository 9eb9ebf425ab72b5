/**
 * The engine end to end over the local simulator (iam-simulate), one scenario per situation the
 * issue names. Each builds a small account, runs the diagnosis and checks verdict, findings and proposal.
 */
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser } from '../../lambda/core/diagnose';
import { PrincipalNotFoundError } from '../../lambda/core/errors';
import type {
  AccountScope,
  Denial,
  Diagnosis,
  DiagnosisOf,
  PolicyDocument,
  Proposal,
} from '../../lambda/core/model';
import type { AccountReader } from '../../lambda/ports/account-reader';
import type { InstanceProfileResolver } from '../../lambda/ports/instance-profile-resolver';
import { denialOf } from '../support/denials';
import { ACCOUNT, doc, group, inline, managed, role, scope, trustFor, user } from '../support/scope-builders';
import { scopeEscalationReader } from '../support/scope-escalation-reader';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { pinReports } from '../baseline/pin-reports';
import { verdictOf } from '../../lambda/core/diagnosis/derived';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { renderSummary } from '../../lambda/core/render/diagnosis-summary';
import { renderFindings } from '../../lambda/core/render/findings';
import { instanceProfilesOf, NO_INSTANCE_PROFILES } from '../support/instance-profiles';

const pin = pinReports('diagnose-scenarios');

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-runtime`;
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

function staticReader(accountScope: AccountScope): AccountReader & { calls: number } {
  const reader = {
    calls: 0,
    async loadScope() {
      reader.calls++;
      return accountScope;
    },
  };
  return reader;
}

async function diagnose(
  accountScope: AccountScope,
  denial: Denial = denialOf(),
  scps: { name: string; document: PolicyDocument }[] = [],
  instanceProfiles: InstanceProfileResolver = NO_INSTANCE_PROFILES,
): Promise<Diagnosis> {
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: staticReader(accountScope),
    escalation: defaultEscalationDependencies(scopeEscalationReader(accountScope)),
    simulator: new LocalPolicySimulator({ serviceControlPolicies: scps }),
    instanceProfiles,
  });
  const diagnosis = await diagnoser.diagnose(denial);
  pin(diagnosis);
  return diagnosis;
}

const kinds = (diagnosis: Diagnosis) =>
  diagnosis.outcome === 'not-applicable' || diagnosis.outcome === 'recorded'
    ? []
    : diagnosis.findings.map((f) => f.kind);

/** The diagnosis, which must be a proposal (the test fails on any other outcome). */
function proposed(diagnosis: Diagnosis): DiagnosisOf<'proposed'> {
  expect(diagnosis.outcome).toBe('proposed');
  if (diagnosis.outcome !== 'proposed') throw new Error(`not proposed: ${diagnosis.outcome}`);
  return diagnosis;
}

const proposalIn = (diagnosis: Diagnosis): Proposal => proposed(diagnosis).proposal;

describe('diagnosis scenarios (local simulator)', () => {
  it('the seed: MFA deny, then an implicit deny beneath it with the near miss, then allowed with the proposal', async () => {
    const mei = user('mei', {
      groups: [
        group('GlueAccess', { memberCount: 2, attachedPolicies: [glueConsole] }),
        group('Developers', { memberCount: 3, inlinePolicies: [requireMfa] }),
      ],
    });
    const result = await diagnose(
      scope(mei, etlRole),
      denialOf({
        context: { 'aws:MultiFactorAuthPresent': 'false' },
        messageCause: { policyType: 'identity', explicit: true, policyArn: null },
      }),
    );
    const diagnosis = proposed(result);
    expect(diagnosis).toMatchObject({ decision: 'explicitDeny', service: 'glue.amazonaws.com' });
    expect(kinds(result)).toEqual(['deny-statement', 'context-no-allow', 'near-miss']);
    expect(diagnosis.findings[0]).toMatchObject({
      match: { policyName: 'RequireMFA', statement: 'DenyAllExceptListedIfNoMFA', effect: 'Deny' },
    });
    expect(diagnosis.findings[1]).toEqual({
      kind: 'context-no-allow',
      conditions: ['MFA present'],
      role: 'etl-runtime',
      service: 'glue.amazonaws.com',
    });
    expect(diagnosis.findings[2]).toMatchObject({
      kind: 'near-miss',
      miss: {
        resourceMismatch: true,
        located: {
          policyName: 'AWSGlueConsoleFullAccess',
          statement: { Resource: 'arn:aws:iam::*:role/AWSGlueServiceRole*' },
        },
      },
    });
    expect(diagnosis.cause).toMatchObject({
      kind: 'deny-without-context',
      conditions: ['MFA present'],
      denies: [{ policyName: 'RequireMFA' }],
    });
    expect(diagnosis.proposal).toMatchObject({
      target: { type: 'group', name: 'GlueAccess', memberCount: 2 },
      policyName: 'AllowPassEtlRuntimeToGlue',
      verified: true,
      verificationContext: {
        'aws:MultiFactorAuthPresent': 'true',
        'iam:PassedToService': 'glue.amazonaws.com',
      },
    });
    expect(diagnosis.proposal.commands.apply).toContain('put-group-policy --group-name GlueAccess');
  });

  it('an implicit deny with MFA present goes straight to the near miss and the proposal', async () => {
    const mei = user('mei', {
      groups: [
        group('GlueAccess', { attachedPolicies: [glueConsole] }),
        group('Developers', { inlinePolicies: [requireMfa] }),
      ],
    });
    const result = await diagnose(scope(mei, etlRole));
    expect(proposed(result)).toMatchObject({ decision: 'implicitDeny', cause: { kind: 'no-allow' } });
    expect(kinds(result)).toEqual(['near-miss']);
    expect(proposalIn(result).verified).toBe(true);
  });

  it('puts the fix on the granting group with the fewest members', async () => {
    const mei = user('mei', {
      groups: [
        group('AllEngineers', { memberCount: 80, attachedPolicies: [glueConsole] }),
        group('DataTeam', { memberCount: 4, attachedPolicies: [glueConsole] }),
        group('Tiny', { memberCount: 1 }),
      ],
    });
    const result = await diagnose(scope(mei, etlRole));
    expect(proposalIn(result).target).toMatchObject({ type: 'group', name: 'DataTeam', memberCount: 4 });
    expect(proposalIn(result).risk).toContain('All 4 members of group DataTeam gain this permission.');
  });

  it('falls back to a user inline policy when no group grants the API call', async () => {
    const mei = user('mei', { attachedPolicies: [glueConsole], groups: [group('Readers')] });
    const result = await diagnose(scope(mei, etlRole));
    expect(proposalIn(result).target).toMatchObject({ type: 'user', name: 'mei' });
    expect(proposalIn(result).commands.apply).toContain('put-user-policy --user-name mei');
    expect(proposalIn(result).verified).toBe(true);
  });

  it('a permissions boundary without PassRole: proposal not verified, the boundary named as what blocks', async () => {
    const boundary = managed('DevBoundary', { Effect: 'Allow', Action: ['glue:*', 's3:*'], Resource: '*' });
    const mei = user('mei', {
      permissionsBoundary: boundary,
      groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })],
    });
    const result = await diagnose(scope(mei, etlRole));
    expect(proposed(result).decision).toBe('implicitDeny');
    expect(proposed(result).findings).toContainEqual({
      kind: 'boundary-allows-nothing',
      boundary: { name: 'DevBoundary', arn: boundary.arn },
    });
    expect(proposalIn(result).verified).toBe(false);
    expect(proposalIn(result).blockers).toContain('the permissions boundary does not allow it');
  });

  it('an SCP that denies PassRole: named as such, and no identity policy is proposed', async () => {
    const mei = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(mei, etlRole), denialOf(), [
      { name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) },
      {
        name: 'NoPassRole',
        document: doc({ Sid: 'DenyPass', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }),
      },
    ]);
    expect(result).toMatchObject({ outcome: 'explicit-deny', beneathContext: false });
    expect(kinds(result)[0]).toBe('deny-statement');
    expect(result).toMatchObject({
      findings: [{ match: { policyType: 'scp', policyName: 'NoPassRole', statement: 'DenyPass' } }],
    });
  });

  it('an SCP that does not allow PassRole: the proposal is made but not verified', async () => {
    const mei = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(mei, etlRole), denialOf(), [
      { name: 'GlueOnly', document: doc({ Effect: 'Allow', Action: 'glue:*', Resource: '*' }) },
    ]);
    expect(kinds(result)).toContain('scp-allows-nothing');
    expect(proposalIn(result).verified).toBe(false);
    expect(proposalIn(result).blockers).toContain('a service control policy does not allow it');
  });

  it('a role whose trust policy does not admit the service: PassRole alone will not fix it', async () => {
    const lambdaOnly = role('etl-runtime', { trustPolicy: trustFor('lambda.amazonaws.com') });
    const mei = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(mei, lambdaOnly));
    expect(proposed(result).findings).toContainEqual({
      kind: 'trust-policy',
      role: 'etl-runtime',
      service: 'glue.amazonaws.com',
      trustedServices: ['lambda.amazonaws.com'],
    });
    expect(proposed(result).findings).toContainEqual({
      kind: 'trust-mismatch',
      service: 'glue.amazonaws.com',
      trustedServices: ['lambda.amazonaws.com'],
    });
    // The role does not trust glue at all: it does not "also" trust lambda.
    const risk = proposalIn(result).risk;
    expect(risk.join('\n')).not.toMatch(/also trusts/);
    expect(risk).toContain(
      'The role does not trust glue.amazonaws.com (it trusts lambda.amazonaws.com): passing it to glue.amazonaws.com will not work until its trust policy admits glue.amazonaws.com.',
    );
  });

  it('a role that trusts the service and others: the others are the risk', async () => {
    const shared = role('etl-runtime', {
      trustPolicy: trustFor('glue.amazonaws.com.cn', 'glue.amazonaws.com', 'lambda.amazonaws.com'),
    });
    const mei = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(mei, shared));
    expect(kinds(result)).not.toContain('trust-policy');
    expect(proposalIn(result).risk).toContain(
      'The role also trusts lambda.amazonaws.com: it can be used by more services than glue.amazonaws.com.',
    );
  });

  it('a trust policy that denies the service: said so, not that it trusts it', async () => {
    const denied = role('etl-runtime', {
      trustPolicy: doc(
        { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ),
    });
    const mei = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(mei, denied));
    expect(proposed(result).findings).toContainEqual({
      kind: 'trust-policy',
      role: 'etl-runtime',
      service: 'glue.amazonaws.com',
      trustedServices: ['glue.amazonaws.com'],
      deniesService: true,
    });
    expect(kinds(result)).not.toContain('trust-mismatch');
    const words = renderFindings(result).map((finding) => finding.message);
    expect(words).toContain(
      "The trust policy of etl-runtime denies glue.amazonaws.com sts:AssumeRole: PassRole alone will not fix this; the trust policy's deny must not cover glue.amazonaws.com.",
    );
    expect(proposalIn(result).risk.join('\n')).not.toMatch(/also trusts/);
    expect(proposalIn(result).risk).toContain(
      'The role does not trust glue.amazonaws.com (its trust policy denies it): passing it to glue.amazonaws.com will not work until its trust policy admits glue.amazonaws.com.',
    );
  });

  it('a role of another account: never allowed, said so, nothing simulated or proposed', async () => {
    const reader = staticReader(scope(user('mei'), null));
    const diagnoser = createDiagnoser({
      authorizationRecords: new InMemoryAuthorizationRecordReader(),
      accountReader: reader,
      simulator: new LocalPolicySimulator(),
      instanceProfiles: NO_INSTANCE_PROFILES,
      escalation: defaultEscalationDependencies(scopeEscalationReader(scope(user('mei'), null))),
    });
    const result = await diagnoser.diagnose(denialOf({ roleArn: 'arn:aws:iam::999988887777:role/shared' }));
    expect(result).toMatchObject({
      outcome: 'unsimulated',
      why: { kind: 'cross-account', roleAccount: '999988887777' },
      denial: { messageCause: { explicit: false } },
    });
    expect(kinds(result)).toEqual(['cross-account']);
    expect(reader.calls).toBe(0);
  });

  it('an Identity Center session: targets the permission set, never the reserved role', async () => {
    const reserved = role('AWSReservedSSO_DataEngineer_0123456789abcdef', {
      path: '/aws-reserved/sso.amazonaws.com/ap-northeast-1/',
      attachedPolicies: [glueConsole],
    });
    const result = await diagnose(
      scope(reserved, etlRole),
      denialOf({
        principalType: 'sso-role',
        permissionSetName: 'DataEngineer',
        principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_DataEngineer_0123456789abcdef/mei`,
        policySourceArn: reserved.arn,
      }),
    );
    expect(proposalIn(result)).toMatchObject({
      target: { type: 'permission-set', name: 'DataEngineer', arn: null },
      verified: true,
    });
    expect(proposalIn(result).commands.apply).toBeNull();
    expect(proposed(result).findings).toContainEqual({
      kind: 'identity-center',
      principal: 'AWSReservedSSO_DataEngineer_0123456789abcdef',
      permissionSet: 'DataEngineer',
      account: ACCOUNT,
    });
  });

  it('an assumed-role session: the fix goes on the role behind the session', async () => {
    const deployer = role('deployer', {
      trustPolicy: trustFor('codebuild.amazonaws.com'),
      attachedPolicies: [glueConsole],
    });
    const result = await diagnose(
      scope(deployer, etlRole),
      denialOf({
        principalType: 'role',
        principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42`,
        policySourceArn: deployer.arn,
      }),
    );
    expect(proposalIn(result)).toMatchObject({
      target: { type: 'role', name: 'deployer', arn: deployer.arn },
      verified: true,
    });
    expect(proposalIn(result).commands.apply).toContain('put-role-policy --role-name deployer');
    // The session name alone does not say whose permissions were used.
    expect(renderSummary(result)).toMatch(/^deployer \(session build-42\) may not pass etl-runtime to/);
  });

  it('a service-linked role: explained, no proposal', async () => {
    const result = await diagnose(
      scope(null, etlRole),
      denialOf({
        principalType: 'service-linked-role',
        policySourceArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      }),
    );
    expect(result).toMatchObject({ outcome: 'unsimulated', why: { kind: 'service-linked-role' } });
    expect(result).toMatchObject({
      findings: [{ kind: 'service-linked-role', role: 'AWSServiceRoleForAutoScaling' }],
    });
  });

  it('already allowed: the permission was granted since the event', async () => {
    const granted = managed('PassEtl', {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: ROLE_ARN,
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    });
    const result = await diagnose(scope(user('mei', { attachedPolicies: [granted] }), etlRole));
    expect(result).toMatchObject({
      outcome: 'already-allowed',
      findings: [{ kind: 'already-allowed', principal: 'mei', role: 'etl-runtime' }],
    });
  });

  it('an unconditional explicit deny: no Allow can override it, so nothing is proposed', async () => {
    const denyPass = inline('NoPassingEtl', {
      Sid: 'Never',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: ROLE_ARN,
    });
    const result = await diagnose(
      scope(user('mei', { attachedPolicies: [glueConsole], inlinePolicies: [denyPass] }), etlRole),
    );
    expect(result).toMatchObject({
      outcome: 'explicit-deny',
      beneathContext: false,
      findings: [
        {
          kind: 'deny-statement',
          match: { policyType: 'identity', policyName: 'NoPassingEtl', statement: 'Never' },
        },
      ],
    });
  });

  it('a deny lifted by MFA with an allow beneath it: retry with MFA, no policy change', async () => {
    const granted = managed('PassEtl', { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE_ARN });
    const mei = user('mei', { attachedPolicies: [granted], inlinePolicies: [requireMfa] });
    const result = await diagnose(
      scope(mei, etlRole),
      denialOf({ context: { 'aws:MultiFactorAuthPresent': 'false' } }),
    );
    expect(result).toMatchObject({ outcome: 'context-only', conditions: ['MFA present'] });
    expect(kinds(result)).toEqual(['deny-statement', 'context-allows']);
  });

  it('unknown service: taken from the trust policy when it admits exactly one', async () => {
    const mei = user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });
    const result = await diagnose(scope(mei, etlRole), denialOf({ passedToService: null }));
    expect(proposalIn(result).document).toMatchObject({
      Statement: [{ Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } } }],
    });
    expect(proposed(result).findings[0]).toEqual({ kind: 'service-assumed', service: 'glue.amazonaws.com' });
  });

  it('flags a target whose inline policies would exceed IAM size quota', async () => {
    const bulky = inline('Bulky', {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`),
    });
    const mei = user('mei', {
      groups: [group('GlueAccess', { attachedPolicies: [glueConsole], inlinePolicies: [bulky] })],
    });
    const result = await diagnose(scope(mei, etlRole));
    const quota = proposed(result).findings.find((f) => f.kind === 'quota');
    expect(quota).toMatchObject({ target: { type: 'group', name: 'GlueAccess' }, quota: 5120 });
    expect(quota?.kind === 'quota' && quota.total > quota.quota).toBe(true);
    expect(proposalIn(result).risk.some((flag) => flag.includes("over IAM's 5120"))).toBe(true);
  });

  it('an unknown principal is an error the caller reports, not a verdict', async () => {
    await expect(diagnose(scope(null, etlRole))).rejects.toBeInstanceOf(PrincipalNotFoundError);
  });

  it('a denial that names no role is not applicable, with the reason', async () => {
    const result = await diagnose(scope(user('mei'), etlRole), denialOf({ roleArn: null }));
    expect(result).toEqual({
      outcome: 'not-applicable',
      denial: expect.anything(),
      why: { code: 'role-not-named' },
    });
  });

  describe('an explicit deny the message names but the account data does not reproduce', () => {
    const SCP_ARN =
      'arn:aws:organizations::111122223333:policy/o-exampleorgid/service_control_policy/p-examplescp';
    const glueUser = () =>
      user('mei', { groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })] });

    it('an SCP with its ARN, no SCP given: not visible here, the proposal unverified with that blocker', async () => {
      const result = await diagnose(
        scope(glueUser(), etlRole),
        denialOf({ messageCause: { policyType: 'scp', explicit: true, policyArn: SCP_ARN } }),
      );
      const diagnosis = proposed(result);
      expect(verdictOf(result)).toBe('explicitDeny');
      expect(diagnosis.findings[0]).toEqual({
        kind: 'deny-not-visible',
        policyType: 'scp',
        policyArn: SCP_ARN,
      });
      expect(diagnosis.cause).toEqual({ kind: 'deny-not-visible', policyType: 'scp', policyArn: SCP_ARN });
      expect(diagnosis.proposal.verified).toBe(false);
      expect(diagnosis.proposal.blockers[0]).toContain(SCP_ARN);
    });

    it('a permissions boundary without its ARN that the boundary read here allows: not visible here', async () => {
      const boundary = managed('OpenBoundary', { Effect: 'Allow', Action: '*', Resource: '*' });
      const mei = user('mei', {
        permissionsBoundary: boundary,
        groups: [group('GlueAccess', { attachedPolicies: [glueConsole] })],
      });
      const result = await diagnose(
        scope(mei, etlRole),
        denialOf({ messageCause: { policyType: 'boundary', explicit: true, policyArn: null } }),
      );
      expect(proposed(result).findings[0]).toEqual({
        kind: 'deny-not-visible',
        policyType: 'boundary',
        policyArn: null,
      });
      expect(proposalIn(result).verified).toBe(false);
      expect(proposalIn(result).blockers[0]).toMatch(/permissions boundary/);
    });

    it('an RCP: not visible here, whatever the simulation allows', async () => {
      const granted = managed('PassEtl', { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE_ARN });
      const result = await diagnose(
        scope(user('mei', { attachedPolicies: [granted] }), etlRole),
        denialOf({ messageCause: { policyType: 'rcp', explicit: true, policyArn: null } }),
      );
      expect(result.outcome).toBe('already-allowed');
      expect(verdictOf(result)).toBe('explicitDeny');
      expect(kinds(result)).toEqual(['deny-not-visible']);
    });

    it('an SCP deny beside an MFA deny the context lifts: not told to retry with MFA alone', async () => {
      const granted = managed('PassEtl', { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE_ARN });
      const mei = user('mei', { attachedPolicies: [granted], inlinePolicies: [requireMfa] });
      const result = await diagnose(
        scope(mei, etlRole),
        denialOf({
          context: { 'aws:MultiFactorAuthPresent': 'false' },
          messageCause: { policyType: 'scp', explicit: true, policyArn: null },
        }),
      );
      expect(result).toMatchObject({ outcome: 'context-only', conditions: ['MFA present'] });
      expect(kinds(result)).toEqual(['deny-statement', 'deny-not-visible']);
    });

    it('the SCP given with --scp reproduces the deny: no such finding', async () => {
      const result = await diagnose(
        scope(glueUser(), etlRole),
        denialOf({ messageCause: { policyType: 'scp', explicit: true, policyArn: SCP_ARN } }),
        [
          {
            name: 'NoPassRole',
            document: doc({ Sid: 'DenyPass', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }),
          },
        ],
      );
      expect(result.outcome).toBe('explicit-deny');
      expect(kinds(result)).not.toContain('deny-not-visible');
    });

    it('an identity deny the message names, reproduced by the simulation: no such finding', async () => {
      const denyPass = inline('NoPassingEtl', {
        Sid: 'Never',
        Effect: 'Deny',
        Action: 'iam:PassRole',
        Resource: ROLE_ARN,
      });
      const result = await diagnose(
        scope(user('mei', { inlinePolicies: [denyPass] }), etlRole),
        denialOf({ messageCause: { policyType: 'identity', explicit: true, policyArn: null } }),
      );
      expect(kinds(result)).toEqual(['deny-statement']);
    });
  });

  describe('a session policy denial', () => {
    const deployer = role('deployer', { attachedPolicies: [glueConsole] });
    const session = {
      principalType: 'role' as const,
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42`,
      policySourceArn: deployer.arn,
    };

    it('an explicit deny in a session policy: the session policy is the cause, no proposal on the role', async () => {
      const result = await diagnose(
        scope(deployer, etlRole),
        denialOf({ ...session, messageCause: { policyType: 'session', explicit: true, policyArn: null } }),
      );
      expect(result).toMatchObject({ outcome: 'unsimulated', why: { kind: 'session-policy' } });
      expect(verdictOf(result)).toBe('explicitDeny');
      expect(kinds(result)).toEqual(['session-policy']);
      expect(result).toMatchObject({
        findings: [
          {
            kind: 'session-policy',
            explicit: true,
            policyArn: null,
            principalType: 'role',
            entity: 'deployer',
          },
        ],
      });
    });

    it("a federated user's session policy that allows nothing: implicit, the session named", async () => {
      const result = await diagnose(
        scope(user('mei'), etlRole),
        denialOf({
          principalType: 'federated',
          principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/mei-build`,
          messageCause: { policyType: 'session', explicit: false, policyArn: null },
        }),
      );
      expect(result).toMatchObject({ outcome: 'unsimulated', why: { kind: 'session-policy' } });
      expect(verdictOf(result)).toBe('implicitDeny');
      expect(result).toMatchObject({
        findings: [{ kind: 'session-policy', explicit: false, principalType: 'federated', entity: 'mei' }],
      });
    });
  });

  describe("'Cross-account pass role is not allowed'", () => {
    const crossAccount = { policyType: null, explicit: null, policyArn: null, crossAccount: true };

    it('the role of another account in the record: cross-account, the cause left unstated', async () => {
      const roleArn = 'arn:aws:iam::210987654321:role/shared-lambda-exec';
      const result = await diagnose(
        scope(user('mei'), null),
        denialOf({ roleArn, messageCause: crossAccount }),
      );
      expect(result).toMatchObject({
        outcome: 'unsimulated',
        why: { kind: 'cross-account', roleAccount: '210987654321' },
        denial: { messageCause: { explicit: null } },
        findings: [{ kind: 'cross-account', roleArn, roleAccount: '210987654321', account: ACCOUNT }],
      });
    });

    it('no role in the record: cross-account all the same, not "the record names no role"', async () => {
      const result = await diagnose(
        scope(user('mei'), null),
        denialOf({ roleArn: null, messageCause: crossAccount }),
      );
      expect(result).toMatchObject({
        outcome: 'unsimulated',
        why: { kind: 'cross-account', roleAccount: null },
        denial: { messageCause: { explicit: null } },
        findings: [{ kind: 'cross-account', roleArn: null, roleAccount: null, account: ACCOUNT }],
      });
    });

    it("a role the record names in the caller's own account: the message decides, never simulated", async () => {
      const reader = staticReader(scope(user('mei'), etlRole));
      const diagnoser = createDiagnoser({
        instanceProfiles: NO_INSTANCE_PROFILES,
        accountReader: reader,
        simulator: new LocalPolicySimulator(),
        escalation: defaultEscalationDependencies(scopeEscalationReader(scope(user('mei'), etlRole))),
        authorizationRecords: new InMemoryAuthorizationRecordReader(),
      });
      const result = await diagnoser.diagnose(denialOf({ messageCause: crossAccount }));
      expect(result).toMatchObject({
        outcome: 'unsimulated',
        why: { kind: 'cross-account', roleAccount: null },
        findings: [{ kind: 'cross-account', roleArn: ROLE_ARN, roleAccount: null, account: ACCOUNT }],
      });
      expect(reader.calls).toBe(0);
    });
  });

  it('root: the organization blocks it; nothing to propose', async () => {
    const result = await diagnose(
      scope(null, etlRole),
      denialOf({
        principalType: 'root',
        policySourceArn: null,
        messageCause: { policyType: 'scp', explicit: true, policyArn: null },
      }),
    );
    expect(result).toMatchObject({ outcome: 'unsimulated', why: { kind: 'root' } });
    expect(verdictOf(result)).toBe('explicitDeny');
    expect(kinds(result)).toEqual(['root']);
  });
  describe('EC2: the record names only the instance profile', () => {
    const WEB_ROLE = `arn:aws:iam::${ACCOUNT}:role/web-tier-instance`;
    const webRole = role('web-tier-instance', { trustPolicy: trustFor('ec2.amazonaws.com') });
    const ec2Admin = managed('Ec2Launch', { Effect: 'Allow', Action: 'ec2:*', Resource: '*' });
    const ec2Denial = (instanceProfile: string) =>
      denialOf({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        deniedAction: 'ec2:RunInstances',
        roleArn: null,
        instanceProfile,
        passedToService: 'ec2.amazonaws.com',
      });

    it('diagnoses the role the profile holds, and says it was found through the profile', async () => {
      const profiles = instanceProfilesOf({ 'web-tier': WEB_ROLE });
      const mei = user('mei', { groups: [group('Ops', { attachedPolicies: [ec2Admin] })] });
      const result = await diagnose(scope(mei, webRole), ec2Denial('web-tier'), [], profiles);
      const diagnosis = proposed(result);
      expect(profiles.asked).toEqual(['web-tier']);
      expect(diagnosis.denial).toMatchObject({ roleArn: WEB_ROLE, instanceProfile: 'web-tier' });
      expect(diagnosis.findings[0]).toEqual({
        kind: 'role-from-instance-profile',
        profile: 'web-tier',
        roleArn: WEB_ROLE,
      });
      expect(diagnosis.proposal).toMatchObject({
        target: { type: 'group', name: 'Ops' },
        verified: true,
        document: {
          Statement: [
            {
              Resource: WEB_ROLE,
              Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
            },
          ],
        },
      });
      expect(renderSummary(result)).toMatch(/^mei may not pass web-tier-instance to ec2\.amazonaws\.com/);
    });

    it('a profile that does not exist: a clear finding, nothing read or simulated', async () => {
      const reader = staticReader(scope(user('mei'), webRole));
      const result = await createDiagnoser({
        authorizationRecords: new InMemoryAuthorizationRecordReader(),
        accountReader: reader,
        simulator: new LocalPolicySimulator(),
        instanceProfiles: instanceProfilesOf({}),
        escalation: defaultEscalationDependencies(scopeEscalationReader(scope(user('mei'), webRole))),
      }).diagnose(ec2Denial('gone-profile'));
      pin(result);
      expect(result).toMatchObject({
        outcome: 'unsimulated',
        why: { kind: 'instance-profile-unresolved', profile: 'gone-profile', state: 'not-found' },
        findings: [{ kind: 'instance-profile-not-found', profile: 'gone-profile', account: ACCOUNT }],
      });
      expect(reader.calls).toBe(0);
      expect(renderSummary(result)).toBe(
        `mei was denied iam:PassRole on the role in instance profile gone-profile, which does not exist in account ${ACCOUNT} now: the role that was passed cannot be told.`,
      );
    });

    it('a profile that holds no role: a clear finding', async () => {
      const result = await diagnose(
        scope(user('mei'), webRole),
        ec2Denial('empty-profile'),
        [],
        instanceProfilesOf({ 'empty-profile': null }),
      );
      expect(result).toMatchObject({
        outcome: 'unsimulated',
        why: { kind: 'instance-profile-unresolved', profile: 'empty-profile', state: 'empty' },
        findings: [{ kind: 'instance-profile-empty', profile: 'empty-profile' }],
      });
      expect(renderSummary(result)).toMatch(/instance profile empty-profile, which holds no role now/);
    });
  });
});
