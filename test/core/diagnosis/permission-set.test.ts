/**
 * An Identity Center denial with the set readable: the diagnosis resolves the set by name, merges the
 * statement into its inline policy and verifies the set AS IT WOULD BE PROVISIONED (a synthetic role
 * from the definition), never the reserved role as it is now. Every other state keeps the advice.
 */
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser, type IdentityCenterDependencies } from '../../../lambda/core/diagnose';
import { definitionHash } from '../../../lambda/core/identity-center/definition-hash';
import type { PermissionSetAssignment } from '../../../lambda/core/identity-center/model';
import type { Diagnosis, DiagnosisOf, PolicyDocument, ProposalTarget } from '../../../lambda/core/model';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { DEFAULT_APPROVAL_POLICY } from '../../../lambda/core/approval/requirement';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import type { EscalationReader } from '../../../lambda/ports/escalation-reader';
import { denialOf } from '../../support/denials';
import {
  InMemoryIdentityCenterReader,
  permissionSetDefinition,
  type FakeSet,
} from '../../support/in-memory-identity-center-reader';
import { NO_INSTANCE_PROFILES } from '../../support/instance-profiles';
import { ACCOUNT, doc, managed, role, scope } from '../../support/scope-builders';
import { scopeEscalationReader } from '../../support/scope-escalation-reader';

const SET = 'Data_Engineers';
const RESERVED = `AWSReservedSSO_${SET}_0123456789abcdef`;
const MANAGEMENT = '999988887777';
const glueConsole = managed('AWSGlueConsoleFullAccess', { Effect: 'Allow', Action: 'glue:*', Resource: '*' });
const reserved = role(RESERVED, {
  path: '/aws-reserved/sso.amazonaws.com/ap-northeast-1/',
  attachedPolicies: [glueConsole],
});
const etlRole = role('etl-runtime');
const accountScope = scope(reserved, etlRole);
const denial = denialOf({
  principalType: 'sso-role',
  permissionSetName: SET,
  principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${RESERVED}/mei`,
  policySourceArn: reserved.arn,
});

const mei: PermissionSetAssignment = {
  principalType: 'USER',
  principalId: 'u-1',
  displayName: 'mei',
  memberCount: 1,
  memberNames: [],
};
const engineers = (memberCount: number | null): PermissionSetAssignment => ({
  principalType: 'GROUP',
  principalId: 'g-1',
  displayName: 'Engineers',
  memberCount,
  memberNames: memberCount === null ? [] : ['mei', 'ravi'].slice(0, memberCount),
});

function fakeSet(parts: Partial<FakeSet> = {}, definition = {}): FakeSet {
  return {
    definition: permissionSetDefinition(SET, { managedPolicyArns: [glueConsole.arn], ...definition }),
    provisionedAccounts: [ACCOUNT, '444455556666'],
    assignments: { [ACCOUNT]: [mei, engineers(2)] },
    ...parts,
  };
}

interface Run {
  set?: FakeSet;
  identityCenter?: Partial<IdentityCenterDependencies>;
  escalationReader?: EscalationReader;
  approvers?: string[];
}

async function diagnose(run: Run = {}): Promise<Diagnosis> {
  const reader = new InMemoryIdentityCenterReader(run.set === undefined ? [fakeSet()] : [run.set]);
  const escalation = defaultEscalationDependencies(
    run.escalationReader ?? scopeEscalationReader(accountScope),
  );
  escalation.approvalPolicy.settings = { ...DEFAULT_APPROVAL_POLICY, approvers: run.approvers ?? [] };
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: { loadScope: async () => accountScope },
    escalation,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: NO_INSTANCE_PROFILES,
    identityCenter: { reader, simulator: new LocalPolicySimulator(), ...run.identityCenter },
  });
  return diagnoser.diagnose(denial);
}

function proposed(diagnosis: Diagnosis): DiagnosisOf<'proposed'> {
  if (diagnosis.outcome !== 'proposed') throw new Error(`expected a proposal, got ${diagnosis.outcome}`);
  return diagnosis;
}

const setFinding = (diagnosis: DiagnosisOf<'proposed'>) =>
  diagnosis.findings.find((finding) => finding.kind === 'permission-set');

describe('a permission set read from Identity Center', () => {
  it('is resolved by its name with `_`, merged, verified as provisioned, with its blast radius', async () => {
    const set = fakeSet();
    const result = proposed(await diagnose({ set }));
    const { proposal } = result;
    expect(proposal.verified).toBe(true);
    expect(proposal.target).toEqual({
      type: 'permission-set',
      name: SET,
      arn: null,
      memberCount: 2,
      instanceArn: set.definition.instanceArn,
      permissionSetArn: set.definition.permissionSetArn,
      blastRadius: { people: 2, accounts: 2, assignments: [mei, engineers(2)] },
      provisionedAccounts: [ACCOUNT, '444455556666'],
      definitionHash: definitionHash(set.definition),
    });
    expect(setFinding(result)).toEqual({
      kind: 'permission-set',
      permissionSet: SET,
      account: ACCOUNT,
      state: { kind: 'merged', alreadyPresent: false, provisionedAccounts: 2 },
    });
    // The advice to do it by hand gives way to the proposal.
    expect(result.findings.some((finding) => finding.kind === 'identity-center')).toBe(false);
    expect(proposal.commands.apply).toContain('aws sso-admin put-inline-policy-to-permission-set');
    expect(proposal.commands.apply).toContain(`--target-type AWS_ACCOUNT --target-id ${ACCOUNT}`);
    expect(proposal.approval).toMatchObject({ requires: 'one-approver' });
  });

  it('is verified as defined: a boundary the set carries, the role not yet, blocks the proposal', async () => {
    const fence = managed('DataFence', { Effect: 'Allow', Action: 'glue:*', Resource: '*' });
    const set = fakeSet({}, { boundary: { kind: 'managed', managedPolicyArn: fence.arn } });
    const reads: string[] = [];
    const managedPolicies = {
      managedPolicy: async (arn: string) => {
        reads.push(arn);
        return arn === fence.arn ? fence : arn === glueConsole.arn ? glueConsole : null;
      },
    };
    const { proposal } = proposed(await diagnose({ set, identityCenter: { managedPolicies } }));
    expect(proposal.verified).toBe(false);
    expect(proposal.blockers).toContain('the permissions boundary does not allow it');
    expect(reads).toEqual([glueConsole.arn, fence.arn]);
  });

  it('is verified as defined: a statement already in the set, not yet on the role, only needs provisioning', async () => {
    const statement = {
      Sid: 'ByHand',
      Effect: 'Allow' as const,
      Action: 'iam:PassRole',
      Resource: etlRole.arn,
      Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    };
    const set = fakeSet({}, { inlinePolicy: JSON.stringify(doc(statement)) });
    const result = proposed(await diagnose({ set }));
    expect(result.proposal.verified).toBe(true);
    expect(setFinding(result)).toMatchObject({ state: { kind: 'merged', alreadyPresent: true } });
    expect(result.proposal.commands.apply).toMatch(/^aws sso-admin provision-permission-set /);
  });

  it('a managed policy of the set whose document is not had: not verified, and says which', async () => {
    const extra = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    const set = fakeSet({}, { managedPolicyArns: [glueConsole.arn, extra] });
    const { proposal } = proposed(await diagnose({ set }));
    expect(proposal.verified).toBe(false);
    expect(proposal.blockers.join(' ')).toContain(extra);
  });

  it('with the SCP levels in force: an SCP that denies the pass blocks the set as provisioned', async () => {
    const deny: PolicyDocument = doc(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
    );
    const simulator = new LocalPolicySimulator({
      serviceControlPolicyLevels: [
        [{ name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }],
        [{ name: 'NoPassing', document: deny }],
      ],
    });
    const { proposal } = proposed(await diagnose({ identityCenter: { simulator } }));
    expect(proposal.verified).toBe(false);
  });

  it('SCPs unknown: never said to be verified', async () => {
    const { proposal } = proposed(await diagnose({ identityCenter: { serviceControlPoliciesKnown: false } }));
    expect(proposal.verified).toBe(false);
    expect(proposal.blockers.join(' ')).toContain('service control policies');
  });

  it("is analysed for escalation as the role it provisions in the denial's account", async () => {
    const targets: ProposalTarget[] = [];
    const base = scopeEscalationReader(accountScope);
    const escalationReader: EscalationReader = {
      readEscalationInputs: async (roleArn, target) => {
        targets.push(target);
        return base.readEscalationInputs(roleArn, target);
      },
    };
    await diagnose({ escalationReader });
    expect(targets).toEqual([{ type: 'role', name: RESERVED, arn: reserved.arn, memberCount: null }]);
  });

  describe('held by more people than the limit (10) or by an unknown number', () => {
    it.each([
      ['12 people', engineers(12)],
      ['an unknown number', engineers(null)],
    ])('%s: a listed IAM approver, or no one when none is listed', async (_what, group) => {
      const set = fakeSet({ assignments: { [ACCOUNT]: [group] } });
      const withApprovers = proposed(await diagnose({ set, approvers: ['arn:aws:iam::*:role/Approver'] }));
      expect(withApprovers.proposal.approval).toMatchObject({ requires: 'iam-approver' });
      const without = proposed(await diagnose({ set }));
      expect(without.proposal.approval).toMatchObject({ requires: 'not-approvable' });
    });
  });
});

describe('a permission set that gets no automatic proposal keeps the advice and says why', () => {
  const advised = async (run: Run) => {
    const result = proposed(await diagnose(run));
    expect(result.findings.some((finding) => finding.kind === 'identity-center')).toBe(true);
    expect(result.proposal.target.definitionHash).toBeUndefined();
    expect(result.proposal.commands.apply).toBeNull();
    expect(result.proposal.approval?.requires).toBe('not-approvable');
    return { result, state: setFinding(result) };
  };

  it('too large under IAM limit', async () => {
    const big = {
      Effect: 'Allow' as const,
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${'b'.repeat(10_300)}`,
    };
    const { result, state } = await advised({ set: fakeSet({}, { inlinePolicy: JSON.stringify(doc(big)) }) });
    expect(state).toMatchObject({ state: { kind: 'too-large', limit: 'iam-role-inline', max: 10_240 } });
    // What was read is still shown: who the set reaches.
    expect(result.proposal.target.blastRadius).toMatchObject({ people: 2, accounts: 2 });
  });

  it('an inline policy that cannot be merged into', async () => {
    const { state } = await advised({ set: fakeSet({}, { inlinePolicy: '{"Statement": [' }) });
    expect(state).toMatchObject({ state: { kind: 'inline-unreadable' } });
  });

  it('no set of that name', async () => {
    const other = fakeSet({}, { name: 'Data' });
    const { state } = await advised({ set: other });
    expect(state).toMatchObject({ state: { kind: 'not-found' } });
  });

  it('Identity Center unreadable', async () => {
    const reader = new InMemoryIdentityCenterReader([fakeSet()]);
    reader.failure = new Error('AccessDenied: not authorized to perform sso:ListPermissionSets');
    const { state } = await advised({ identityCenter: { reader } });
    expect(state).toMatchObject({
      state: {
        kind: 'read-failed',
        problem: 'AccessDenied: not authorized to perform sso:ListPermissionSets',
      },
    });
  });

  it('a set provisioned to the management account while administered by a delegated administrator', async () => {
    const set = fakeSet({ provisionedAccounts: [ACCOUNT, MANAGEMENT] });
    const administration = {
      kind: 'delegated' as const,
      accountId: '222233334444',
      managementAccountId: MANAGEMENT,
    };
    const { state } = await advised({ set, identityCenter: { administration } });
    expect(state).toMatchObject({
      state: {
        kind: 'management-account',
        managementAccountId: MANAGEMENT,
        administratorAccountId: '222233334444',
      },
    });
  });

  it('reads the administration when the hub gives it as a read (Organizations, once per container)', async () => {
    const set = fakeSet({ provisionedAccounts: [ACCOUNT, MANAGEMENT] });
    let reads = 0;
    const administration = () => {
      reads++;
      return Promise.resolve({
        kind: 'delegated' as const,
        accountId: '222233334444',
        managementAccountId: MANAGEMENT,
      });
    };
    const { state } = await advised({ set, identityCenter: { administration } });
    expect(state).toMatchObject({ state: { kind: 'management-account', managementAccountId: MANAGEMENT } });
    expect(reads).toBe(1);
  });
});
