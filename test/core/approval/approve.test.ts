/**
 * Who may approve what at decision time: the re-check, the rules by level, separation of duties, two
 * approvers, the signed decision and the auto-approval rule (core/approval/decide.ts over
 * eligibility.ts, recheck.ts and the in-memory store).
 */
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import {
  AUTO_APPROVE_ACTOR,
  autoApproveProposal,
  decideProposal,
  type DecideDependencies,
  type DecisionOutcome,
} from '../../../lambda/core/approval/decide';
import type { ApprovalPolicySettings } from '../../../lambda/core/approval/requirement';
import { verifySignedDecision, type DecisionEnvelope } from '../../../lambda/core/approval/signed-decision';
import type { Actor } from '../../../lambda/core/approval/status';
import { TransientAwsError } from '../../../lambda/core/errors';
import type { EscalationLevel } from '../../../lambda/core/escalation/model';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { proposalRecord, SEED_DENIAL, SEED_PROPOSAL } from '../../adapters/support/proposal-records';
import { analysed, analyserAt, FakeEscalationReader, KENJI, MEI } from '../../support/escalation';

const NOW = new Date('2026-06-18T00:00:00Z');
const ACCOUNT = '123456789012';
const iam = (name: string): Actor => ({ kind: 'iam', name, sourceIp: '203.0.113.9', userAgent: 'cli' });
const session = (role: string, name: string) => iam(`arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`);
const ALICE = iam(`arn:aws:iam::${ACCOUNT}:user/alice`);
const BOB = iam(`arn:aws:iam::${ACCOUNT}:user/bob`);
const LINK: Actor = {
  kind: 'link-holder',
  name: 'link holder',
  sourceIp: '198.51.100.7',
  userAgent: 'Mozilla',
};
const APPROVERS = [`arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:iam::${ACCOUNT}:role/SecurityApprover`];

interface Setup {
  deps: DecideDependencies;
  store: InMemoryIncidentStore;
  reader: FakeEscalationReader;
  keys: LocalDecisionKeys;
  applied: string[];
}

async function setup(
  level: EscalationLevel | null,
  policy: Partial<ApprovalPolicySettings> = {},
  record: IncidentRecord = proposalRecord({
    proposal: { ...SEED_PROPOSAL, escalation: analysed('contained') },
  }),
): Promise<Setup> {
  const store = new InMemoryIncidentStore();
  await store.create(record, new Date(record.createdAt));
  const reader = new FakeEscalationReader();
  const keys = new LocalDecisionKeys('test:key');
  const applied: string[] = [];
  let ids = 0;
  const deps: DecideDependencies = {
    store,
    applyTrigger: { requestApply: async (id) => void applied.push(id) },
    signer: keys.signer,
    escalationReader: reader,
    analyse: analyserAt(level),
    policy: { approvalMode: 'both', approvers: [], allowAdminRoles: false, autoApprove: 'off', ...policy },
    ownResourceArns: [],
    clock: () => NOW,
    newDecisionId: () => `decision-${++ids}`,
  };
  return { deps, store, reader, keys, applied };
}

async function approveAs(s: Setup, actor: Actor): Promise<DecisionOutcome> {
  const record = await s.store.get('p-1');
  if (record === null) throw new Error('no p-1');
  return decideProposal(s.deps, record, { decision: 'approve', actor, now: NOW, reason: null });
}

async function envelopeOf(s: Setup): Promise<DecisionEnvelope> {
  const check = await verifySignedDecision(s.keys.verifier, (await s.store.get('p-1'))?.decision);
  if (!check.ok) throw new Error(check.problem);
  return check.envelope;
}

describe('approving none and contained grants: one approver, by link or IAM', () => {
  it('signs the decision and stores it with the move; the apply step can verify it', async () => {
    const s = await setup('contained');
    expect(await approveAs(s, LINK)).toMatchObject({ kind: 'moved', record: { status: 'approved' } });
    expect(s.applied).toEqual(['p-1']);
    const record = await s.store.get('p-1');
    expect(await envelopeOf(s)).toEqual({
      version: 1,
      decisionId: 'decision-1',
      proposalId: 'p-1',
      account: ACCOUNT,
      documentHash: record?.documentHash,
      target: { type: 'group', name: 'GlueAccess', arn: SEED_PROPOSAL.target.arn },
      policyName: SEED_PROPOSAL.policyName,
      escalationLevel: 'contained',
      rolePoliciesHash: 'a'.repeat(64),
      membershipHash: 'b'.repeat(64),
      approvers: [
        { kind: 'link-holder', name: 'link holder', identity: 'link holder from 198.51.100.7 (Mozilla)' },
      ],
      decidedAt: NOW.toISOString(),
      expiresAt: record?.expiresAt,
      keyId: 'test:key',
    });
    expect(s.reader.reads).toEqual([{ roleArn: SEED_DENIAL.roleArn, target: SEED_PROPOSAL.target }]);
  });

  it('lets any IAM caller who does not gain it approve, without approvers configured', async () => {
    const s = await setup('none');
    expect((await approveAs(s, ALICE)).kind).toBe('moved');
    expect((await envelopeOf(s)).approvers).toEqual([
      { kind: 'iam', name: ALICE.name, identity: ALICE.name },
    ]);
  });

  it('refuses the denied principal and a member of the target group on the IAM route', async () => {
    const s = await setup('contained');
    expect(await approveAs(s, iam(MEI))).toMatchObject({
      kind: 'refused',
      refusal: { kind: 'self-approval', reason: 'denied-principal', principal: MEI },
    });
    expect(await approveAs(s, iam(KENJI))).toMatchObject({
      kind: 'refused',
      refusal: { kind: 'self-approval', reason: 'gains-the-grant', principal: KENJI },
    });
    expect(await s.store.get('p-1')).toMatchObject({ status: 'pending', history: [] });
    expect(s.applied).toEqual([]);
  });

  it('uses the members as read now: a user added to the group since may not approve', async () => {
    const s = await setup('contained');
    s.reader.gainers = [MEI, KENJI, ALICE.name];
    expect(await approveAs(s, ALICE)).toMatchObject({ refusal: { kind: 'self-approval' } });
  });
});

describe('the re-check at decision time', () => {
  it('refuses when the level rose since the proposal was made, or is no longer known', async () => {
    const rose = await setup('sensitive', { approvers: APPROVERS });
    expect(await approveAs(rose, ALICE)).toMatchObject({
      kind: 'refused',
      refusal: { kind: 'level-rose', from: 'contained', to: 'sensitive' },
    });
    const unknown = await setup(null);
    expect(await approveAs(unknown, LINK)).toMatchObject({
      refusal: { kind: 'level-rose', from: 'contained', to: null },
    });
    expect((await rose.store.get('p-1'))?.status).toBe('pending');
  });

  it('analyses a proposal stored before the analysis existed, and holds it to the fresh level', async () => {
    const old = await setup('sensitive', {}, proposalRecord());
    expect(await approveAs(old, LINK)).toMatchObject({
      refusal: { kind: 'not-approvable', reason: expect.stringMatching(/sensitive access/) },
    });
    const contained = await setup('contained', {}, proposalRecord());
    expect((await approveAs(contained, LINK)).kind).toBe('moved');
    expect(contained.reader.reads).toHaveLength(1);
  });

  it('refuses what the account read cannot tell, and lets a transient failure be retried', async () => {
    const s = await setup('contained');
    s.reader.failure = new Error('AccessDenied on iam:GetAccountAuthorizationDetails');
    expect(await approveAs(s, LINK)).toMatchObject({ refusal: { kind: 'level-rose', to: null } });
    s.reader.failure = new TransientAwsError('Throttling');
    await expect(approveAs(s, LINK)).rejects.toThrow(TransientAwsError);
    expect((await s.store.get('p-1'))?.status).toBe('pending');
  });

  it('decides nothing when signing fails', async () => {
    const s = await setup('contained');
    s.deps.signer = { keyId: 'k', sign: () => Promise.reject(new TransientAwsError('kms:Sign throttled')) };
    await expect(approveAs(s, LINK)).rejects.toThrow('kms:Sign throttled');
    expect(await s.store.get('p-1')).toMatchObject({ status: 'pending', history: [] });
    expect(s.applied).toEqual([]);
  });
});

describe('sensitive grants: one listed IAM approver', () => {
  const sensitive = () =>
    proposalRecord({ proposal: { ...SEED_PROPOSAL, escalation: analysed('sensitive') } });

  it('refuses a review link, whatever token it holds', async () => {
    const s = await setup('sensitive', { approvers: APPROVERS }, sensitive());
    expect(await approveAs(s, LINK)).toMatchObject({
      refusal: { kind: 'link-may-not-approve', level: 'sensitive', requires: 'iam-approver' },
    });
  });

  it('refuses an IAM caller who is not listed, and approves for one who is', async () => {
    const s = await setup('sensitive', { approvers: APPROVERS }, sensitive());
    expect(await approveAs(s, session('Developer', 'alice'))).toMatchObject({
      refusal: { kind: 'not-an-approver', approversConfigured: true, unresolvedPath: false },
    });
    expect((await approveAs(s, session('SecurityApprover', 'alice'))).kind).toBe('moved');
    expect((await envelopeOf(s)).approvers[0]?.identity).toBe(
      `arn:aws:iam::${ACCOUNT}:role/SecurityApprover`,
    );
  });

  it('is not approvable at all without approvers configured', async () => {
    const s = await setup('sensitive', {}, sensitive());
    expect(await approveAs(s, ALICE)).toMatchObject({ refusal: { kind: 'not-approvable' } });
  });
});

describe('admin grants: two distinct listed IAM approvers, only with allowAdminRoles', () => {
  const admin = () => proposalRecord({ proposal: { ...SEED_PROPOSAL, escalation: analysed('admin') } });

  it('is not approvable with allowAdminRoles off', async () => {
    const s = await setup('admin', { approvers: APPROVERS }, admin());
    expect(await approveAs(s, ALICE)).toMatchObject({
      refusal: { kind: 'not-approvable', reason: expect.stringMatching(/allowAdminRoles is off/) },
    });
  });

  it('records the first approval, refuses the same human twice, and approves with a second', async () => {
    const s = await setup('admin', { approvers: APPROVERS, allowAdminRoles: true }, admin());
    const first = await approveAs(s, session('SecurityApprover', 'alice'));
    expect(first).toMatchObject({ kind: 'first-approval', record: { status: 'pending' } });
    expect((await s.store.get('p-1'))?.approvals).toEqual([
      {
        kind: 'iam',
        name: `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityApprover/alice`,
        identity: `arn:aws:iam::${ACCOUNT}:role/SecurityApprover`,
      },
    ]);
    expect(s.applied).toEqual([]);
    // Another session name on the same role is the same approver.
    expect(await approveAs(s, session('SecurityApprover', 'bob'))).toMatchObject({
      refusal: { kind: 'same-approver', identity: `arn:aws:iam::${ACCOUNT}:role/SecurityApprover` },
    });
    expect(await approveAs(s, BOB)).toMatchObject({ kind: 'moved', record: { status: 'approved' } });
    const envelope = await envelopeOf(s);
    expect(envelope.escalationLevel).toBe('admin');
    expect(envelope.approvers.map((approver) => approver.name)).toEqual([
      `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityApprover/alice`,
      BOB.name,
    ]);
    expect(s.applied).toEqual(['p-1']);
  });

  it('holds the first approver to separation of duties as the account stands at the second', async () => {
    const s = await setup('admin', { approvers: APPROVERS, allowAdminRoles: true }, admin());
    await approveAs(s, ALICE);
    s.reader.gainers = [MEI, ALICE.name];
    expect(await approveAs(s, BOB)).toMatchObject({
      refusal: { kind: 'self-approval', caller: ALICE.name, reason: 'gains-the-grant' },
    });
  });

  it('turns two simultaneous first approvals into one first and one second', async () => {
    const s = await setup('admin', { approvers: APPROVERS, allowAdminRoles: true }, admin());
    const outcomes = await Promise.all([approveAs(s, ALICE), approveAs(s, BOB)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['first-approval', 'moved']);
    expect((await s.store.get('p-1'))?.status).toBe('approved');
    expect((await envelopeOf(s)).approvers).toHaveLength(2);
  });
});

describe('the auto-approval rule', () => {
  it('reads nothing and decides nothing with autoApprove off', async () => {
    const s = await setup('none');
    expect(await autoApproveProposal(s.deps, 'p-1')).toMatchObject({
      refusal: { kind: 'not-auto-approvable', autoApprove: 'off' },
    });
    expect(s.reader.reads).toEqual([]);
  });

  it('approves a proven none, recorded as decided by the rule', async () => {
    const s = await setup(
      'none',
      { autoApprove: 'no-new-access' },
      proposalRecord({ proposal: { ...SEED_PROPOSAL, escalation: analysed('none') } }),
    );
    expect(await autoApproveProposal(s.deps, 'p-1')).toMatchObject({ kind: 'moved' });
    expect((await s.store.get('p-1'))?.history[0]?.actor).toEqual(AUTO_APPROVE_ACTOR);
    expect((await envelopeOf(s)).approvers).toEqual([
      { kind: 'rule', name: 'autoApprove: no-new-access', identity: 'autoApprove: no-new-access' },
    ]);
  });

  it('approves nothing else: contained, or an unknown proposal', async () => {
    const s = await setup('contained', { autoApprove: 'no-new-access' });
    expect(await autoApproveProposal(s.deps, 'p-1')).toMatchObject({
      refusal: { kind: 'not-auto-approvable', autoApprove: 'no-new-access', level: 'contained' },
    });
    expect(await autoApproveProposal(s.deps, 'p-404')).toEqual({ kind: 'not-found' });
    expect((await s.store.get('p-1'))?.status).toBe('pending');
  });
});
