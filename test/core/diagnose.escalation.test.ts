/**
 * The diagnosis states what a proposal really grants (proposal.escalation) and who may approve it
 * (proposal.approval). The analysis itself is injected: these tests check the wiring, not the levels.
 */
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { DEFAULT_APPROVAL_POLICY } from '../../lambda/core/approval/requirement';
import { createDiagnoser } from '../../lambda/core/diagnose';
import type { EscalationAnalysis, EscalationInputs } from '../../lambda/core/escalation/model';
import type { AccountScope, Denial, Diagnosis, Proposal } from '../../lambda/core/model';
import type { EscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import { proposalPolicyName } from '../../lambda/core/proposal/document';
import type { EscalationReader } from '../../lambda/ports/escalation-reader';
import { pinReports } from '../baseline/pin-reports';

const pin = pinReports('diagnose-escalation');
import { denialOf } from '../support/denials';
import { scopeEscalationReader } from '../support/scope-escalation-reader';
import { ACCOUNT, group, inline, managed, role, scope, user } from '../support/scope-builders';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { NO_INSTANCE_PROFILES } from '../support/instance-profiles';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-runtime`;
const glueAccess = group('GlueAccess', {
  memberCount: 2,
  attachedPolicies: [managed('GlueWrite', { Effect: 'Allow', Action: 'glue:*', Resource: '*' })],
});
const mei = user('mei', { groups: [glueAccess] });
const etl = role('etl-runtime');

const ANALYSED: EscalationAnalysis = {
  kind: 'analysed',
  level: 'sensitive',
  comparedWith: `arn:aws:iam::${ACCOUNT}:user/mei`,
  gains: [
    { category: 'secrets', actions: ['secretsmanager:GetSecretValue'], policy: 'Runtime', statement: '0' },
  ],
  exposure: [],
  fingerprint: { rolePolicies: 'a'.repeat(64), membership: 'b'.repeat(64) },
};

function staticReader(accountScope: AccountScope) {
  return { loadScope: async () => accountScope };
}

interface Run {
  diagnosis: Diagnosis;
  proposal: Proposal;
  analysed: { inputs: EscalationInputs; ownResourceArns: readonly string[] }[];
}

async function run(
  accountScope: AccountScope,
  escalation: Partial<EscalationDependencies> = {},
  denial: Denial = denialOf(),
): Promise<Run> {
  const analysed: Run['analysed'] = [];
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: staticReader(accountScope),
    simulator: new LocalPolicySimulator(),
    instanceProfiles: NO_INSTANCE_PROFILES,
    escalation: {
      reader: scopeEscalationReader(accountScope),
      approvalPolicy: { settings: DEFAULT_APPROVAL_POLICY, source: 'deployment' },
      ownResourceArns: ['arn:aws:dynamodb:*:123456789012:table/passrole-doctor-*'],
      analyse: (inputs, options) => {
        analysed.push({ inputs, ownResourceArns: options.ownResourceArns });
        return ANALYSED;
      },
      ...escalation,
    },
  });
  const diagnosis = await diagnoser.diagnose(denial);
  pin(diagnosis);
  if (diagnosis.outcome !== 'proposed') throw new Error(`expected a proposal: ${diagnosis.outcome}`);
  return { diagnosis, proposal: diagnosis.proposal, analysed };
}

describe('the diagnosis with the escalation analysis', () => {
  it('carries what the analysis returns, and the requirement derived from it under the given settings', async () => {
    const { proposal, analysed } = await run(scope(mei, etl), {
      approvalPolicy: {
        settings: { ...DEFAULT_APPROVAL_POLICY, approvers: ['arn:aws:iam::123456789012:role/Security'] },
        source: 'deployment',
      },
    });
    expect(proposal.escalation).toBe(ANALYSED);
    expect(proposal.approval).toEqual({
      requires: 'iam-approver',
      reason: 'the grant adds sensitive access: one listed IAM approver who does not gain it',
      assumedSettings: {
        source: 'deployment',
        approvalMode: 'both',
        approversConfigured: true,
        allowAdminRoles: false,
        autoApprove: 'off',
      },
    });
    expect(analysed).toHaveLength(1);
    expect(analysed[0]?.inputs.role).toBe(etl);
    expect(analysed[0]?.ownResourceArns).toEqual(['arn:aws:dynamodb:*:123456789012:table/passrole-doctor-*']);
  });

  it('reads the inputs for the passed role and the chosen target', async () => {
    const asked: [string, string][] = [];
    const reader: EscalationReader = {
      async readEscalationInputs(roleArn, target) {
        asked.push([roleArn, `${target.type}/${target.name}`]);
        return scopeEscalationReader(scope(mei, etl)).readEscalationInputs(roleArn, target);
      },
    };
    await run(scope(mei, etl), { reader });
    expect(asked).toEqual([[ROLE_ARN, 'group/GlueAccess']]);
  });

  it('a reader that fails: the diagnosis goes on, the escalation is unknown with the reason, not approvable', async () => {
    const reader: EscalationReader = {
      readEscalationInputs: () => Promise.reject(new Error('Access denied: the reader needs\niam:GetPolicy')),
    };
    const { diagnosis, proposal, analysed } = await run(scope(mei, etl), { reader });
    expect(diagnosis).toMatchObject({ outcome: 'proposed', decision: 'implicitDeny' });
    expect(proposal.verified).toBe(true);
    expect(proposal.escalation).toEqual({
      kind: 'unknown',
      level: null,
      comparedWith: null,
      gains: [],
      exposure: [],
      reason: 'the account data could not be read: Access denied: the reader needs iam:GetPolicy',
      fingerprint: null,
    });
    expect(proposal.approval).toMatchObject({
      requires: 'not-approvable',
      reason:
        'what the grant adds is unknown: the account data could not be read: Access denied: the reader needs iam:GetPolicy',
    });
    expect(analysed).toEqual([]);
  });

  it('a role that does not exist: unknown without analysing, not approvable', async () => {
    const { proposal, analysed } = await run(scope(mei, null));
    expect(proposal.escalation).toMatchObject({
      kind: 'unknown',
      reason: `the role ${ROLE_ARN} does not exist in the account data`,
    });
    expect(proposal.approval?.requires).toBe('not-approvable');
    expect(analysed).toEqual([]);
  });

  it('an analysis that throws: unknown with the reason', async () => {
    const { proposal } = await run(scope(mei, etl), {
      analyse: () => {
        throw new Error('action space missing');
      },
    });
    expect(proposal.escalation).toMatchObject({
      kind: 'unknown',
      reason: 'the escalation analysis failed: action space missing',
    });
    expect(proposal.approval?.requires).toBe('not-approvable');
  });

  it('a permission-set proposal: approval not-approvable, escalation unknown with the reason, nothing read', async () => {
    const ssoRole = role('AWSReservedSSO_DataEngineer_0123456789abcdef', {
      path: '/aws-reserved/sso.amazonaws.com/',
      inlinePolicies: [inline('Glue', { Effect: 'Allow', Action: 'glue:*', Resource: '*' })],
    });
    const reader = scopeEscalationReader(scope(ssoRole, etl));
    const { proposal, analysed } = await run(
      scope(ssoRole, etl),
      { reader },
      denialOf({
        principalType: 'sso-role',
        principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ssoRole.name}/mei`,
        policySourceArn: ssoRole.arn,
        permissionSetName: 'DataEngineer',
      }),
    );
    expect(proposal.target.type).toBe('permission-set');
    expect(proposal.escalation).toMatchObject({
      kind: 'unknown',
      reason:
        'the target is the Identity Center permission set DataEngineer, whose assignments are not in the account data',
    });
    expect(proposal.approval?.requires).toBe('not-approvable');
    expect(reader.calls).toBe(0);
    expect(analysed).toEqual([]);
  });
});

describe('policy names taken on the target', () => {
  const plain = proposalPolicyName(ROLE_ARN, 'glue.amazonaws.com');

  it('another role’s policy under the plain name: the proposal’s name gets the hash of (role, service)', async () => {
    // etl_runtime and etl-runtime both make AllowPassEtlRuntimeToGlue.
    const other = inline(plain, {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${ACCOUNT}:role/etl_runtime`,
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    });
    const taken = user('mei', { groups: [{ ...glueAccess, inlinePolicies: [other] }] });
    const { proposal } = await run(scope(taken, etl));
    expect(plain).toBe('AllowPassEtlRuntimeToGlue');
    expect(proposal.policyName).toMatch(/^AllowPassEtlRuntimeToGlue-[0-9a-z]+$/);
    expect(proposal.commands.apply).toContain(proposal.policyName);
    expect([proposal.document.Statement].flat()[0]?.Sid).toBe(proposal.policyName.replace(/-/g, ''));
    expect(proposal.verified).toBe(true);

    // Stable: the same role and service give the same name again.
    const again = await run(scope(taken, etl));
    expect(again.proposal.policyName).toBe(proposal.policyName);
  });

  it('no policy of that name, or one on another entity: the plain name', async () => {
    const elsewhere = user('mei', {
      groups: [
        glueAccess,
        group('Other', {
          inlinePolicies: [inline(plain, { Effect: 'Allow', Action: 's3:*', Resource: '*' })],
        }),
      ],
    });
    await expect(run(scope(elsewhere, etl))).resolves.toMatchObject({ proposal: { policyName: plain } });
  });
});
