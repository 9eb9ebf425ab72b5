/**
 * Approving in organization mode (core/approval over AccountAccess): the re-check reads the denial's
 * own account, sensitive accounts need one step more, approvers are the hub's principals, and one
 * Identity Center user is one person in every account.
 */
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import {
  autoApproveProposal,
  decideProposal,
  type DecideDependencies,
  type DecisionOutcome,
} from '../../../lambda/core/approval/decide';
import {
  approvalRequirement,
  DEFAULT_APPROVAL_POLICY,
  type ApprovalPolicySettings,
} from '../../../lambda/core/approval/requirement';
import { refusalSentence } from '../../../lambda/core/approval/views';
import { assessGrant } from '../../../lambda/core/proposal/assess-escalation';
import { verifySignedDecision } from '../../../lambda/core/approval/signed-decision';
import type { Actor } from '../../../lambda/core/approval/status';
import type { EscalationLevel } from '../../../lambda/core/escalation/model';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { proposalRecord, SEED_DENIAL, SEED_PROPOSAL } from '../../adapters/support/proposal-records';
import { FakeAccountAccess } from '../../support/account-access';
import { analysed, analyserAt, FakeEscalationReader } from '../../support/escalation';

const NOW = new Date('2026-06-18T00:00:00Z');
const HUB = '111111111111';
const MEMBER = '123456789012';
const OTHER_MEMBER = '210987654321';
const iam = (name: string): Actor => ({ kind: 'iam', name, sourceIp: '203.0.113.9', userAgent: 'cli' });
const hubUser = (name: string) => iam(`arn:aws:iam::${HUB}:user/${name}`);
const sso = (account: string, permissionSet: string, user: string) =>
  iam(`arn:aws:sts::${account}:assumed-role/AWSReservedSSO_${permissionSet}_0123abcd/${user}`);
const LINK: Actor = { kind: 'link-holder', name: 'link holder', sourceIp: '198.51.100.7', userAgent: null };
const APPROVERS = [`arn:aws:iam::${HUB}:user/*`, `arn:aws:iam::${HUB}:role/AWSReservedSSO_*`];

function memberRecord(level: EscalationLevel, account = MEMBER): IncidentRecord {
  return proposalRecord({
    denial: { ...SEED_DENIAL, account },
    proposal: { ...SEED_PROPOSAL, escalation: analysed(level) },
    organizationAccount: { id: account, name: 'payments-prod', ouPath: [] },
  });
}

interface Setup {
  deps: DecideDependencies;
  store: InMemoryIncidentStore;
  accounts: FakeAccountAccess;
  keys: LocalDecisionKeys;
}

async function setup(
  level: EscalationLevel,
  policy: Partial<ApprovalPolicySettings>,
  record: IncidentRecord = memberRecord(level),
): Promise<Setup> {
  const store = new InMemoryIncidentStore();
  await store.create(record, new Date(record.createdAt));
  const accounts = new FakeAccountAccess({ [MEMBER]: { escalationReader: new FakeEscalationReader() } });
  const keys = new LocalDecisionKeys('test:key');
  const deps: DecideDependencies = {
    store,
    applyTrigger: { requestApply: async () => undefined },
    signer: keys.signer,
    accounts,
    analyse: analyserAt(level),
    policy: { ...DEFAULT_APPROVAL_POLICY, approverAccount: HUB, ...policy },
    ownResourceArns: [],
    clock: () => NOW,
    newDecisionId: () => 'decision-1',
  };
  return { deps, store, accounts, keys };
}

async function approveAs(s: Setup, actor: Actor): Promise<DecisionOutcome> {
  const record = await s.store.get('p-1');
  if (record === null) throw new Error('no p-1');
  return decideProposal(s.deps, record, { decision: 'approve', actor, now: NOW, reason: null });
}

describe('the re-check reads the denial account through its access', () => {
  it("reads the member's account, never another, and signs the decision for it", async () => {
    const s = await setup('contained', {});
    expect((await approveAs(s, hubUser('alice'))).kind).toBe('moved');
    expect(s.accounts.reads).toEqual([MEMBER]);
    const check = await verifySignedDecision(s.keys.verifier, (await s.store.get('p-1'))?.decision);
    expect(check.ok && check.envelope.account).toBe(MEMBER);
  });

  it('refuses, as not approvable, a denial of an account whose member role cannot be assumed', async () => {
    const s = await setup('contained', {}, memberRecord('contained', OTHER_MEMBER));
    const outcome = await approveAs(s, hubUser('alice'));
    expect(outcome).toMatchObject({
      kind: 'refused',
      refusal: {
        kind: 'level-rose',
        from: 'contained',
        to: null,
      },
    });
    expect(s.accounts.reads).toEqual([OTHER_MEMBER]);
    expect((await s.store.get('p-1'))?.status).toBe('pending');
  });
});

describe('approvers are principals of the hub account', () => {
  it("refuses an IAM caller of a member account, even one the approvers' patterns would match", async () => {
    const s = await setup('contained', { approvers: [`arn:aws:iam::*:user/*`] });
    const outcome = await approveAs(s, iam(`arn:aws:iam::${OTHER_MEMBER}:user/alice`));
    expect(outcome).toMatchObject({
      refusal: { kind: 'foreign-approver', account: OTHER_MEMBER, approverAccount: HUB },
    });
    if (outcome.kind !== 'refused') throw new Error('refused expected');
    expect(refusalSentence(outcome.refusal)).toBe(
      `arn:aws:iam::${OTHER_MEMBER}:user/alice is not a principal of the hub's account (${HUB}), and only its principals approve here. Nothing was changed.`,
    );
    expect((await approveAs(s, hubUser('alice'))).kind).toBe('moved');
  });

  it('leaves single-account mode as it was: no approver account, any caller account', async () => {
    const s = await setup('contained', { approverAccount: null });
    expect((await approveAs(s, iam(`arn:aws:iam::${OTHER_MEMBER}:user/alice`))).kind).toBe('moved');
  });
});

describe('sensitive accounts: the requirement one step up', () => {
  const sensitive = { approvers: APPROVERS, sensitiveAccounts: [MEMBER] };

  it.each([
    ['none', 'one-approver', 'iam-approver'],
    ['contained', 'one-approver', 'iam-approver'],
    ['sensitive', 'iam-approver', 'two-approvers'],
    ['admin', 'two-approvers', 'two-approvers'],
  ] as const)('%s: %s elsewhere, %s in a sensitive account', (level, elsewhere, raised) => {
    const settings = { ...DEFAULT_APPROVAL_POLICY, ...sensitive, allowAdminRoles: true };
    expect(approvalRequirement(analysed(level), 'group', settings, 'deployment', OTHER_MEMBER).requires).toBe(
      elsewhere,
    );
    const rule = approvalRequirement(analysed(level), 'group', settings, 'deployment', MEMBER);
    expect(rule.requires).toBe(raised);
    if (raised !== elsewhere) expect(rule.reason).toContain(`account ${MEMBER} is sensitive`);
  });

  it("is stated raised with the diagnosis's proposal, as the approval will enforce it", async () => {
    const settings = { ...DEFAULT_APPROVAL_POLICY, ...sensitive };
    const assess = (roleAccount: string) =>
      assessGrant(`arn:aws:iam::${roleAccount}:role/AWSGlueServiceRole-Dev`, SEED_PROPOSAL.target, {
        reader: new FakeEscalationReader(),
        approvalPolicy: { settings, source: 'deployment' },
        ownResourceArns: [],
        analyse: analyserAt('contained'),
      });
    expect((await assess(MEMBER)).approval.requires).toBe('iam-approver');
    expect((await assess(OTHER_MEMBER)).approval.requires).toBe('one-approver');
  });

  it('is not approvable when the raised step needs approvers and none is configured', () => {
    const settings = { ...DEFAULT_APPROVAL_POLICY, sensitiveAccounts: [MEMBER] };
    const rule = approvalRequirement(analysed('contained'), 'group', settings, 'deployment', MEMBER);
    expect(rule).toMatchObject({ requires: 'not-approvable' });
    expect(rule.reason).toMatch(/sensitive, which needs a listed IAM approver, and none is configured$/);
  });

  it('refuses a review link for a contained grant and takes one listed IAM approver', async () => {
    const s = await setup('contained', sensitive);
    expect(await approveAs(s, LINK)).toMatchObject({
      refusal: { kind: 'link-may-not-approve', requires: 'iam-approver' },
    });
    expect((await approveAs(s, hubUser('alice'))).kind).toBe('moved');
  });

  it('needs two distinct approvers for a sensitive grant: one is only the first', async () => {
    const s = await setup('sensitive', sensitive);
    expect((await approveAs(s, hubUser('alice'))).kind).toBe('first-approval');
    expect((await s.store.get('p-1'))?.status).toBe('pending');
    expect((await approveAs(s, hubUser('bob'))).kind).toBe('moved');
  });

  it('does not let the auto-approval rule approve a proven none there', async () => {
    const s = await setup('none', { ...sensitive, autoApprove: 'no-new-access' }, memberRecord('none'));
    expect(await autoApproveProposal(s.deps, 'p-1')).toMatchObject({
      refusal: { kind: 'not-auto-approvable', level: 'none' },
    });
  });
});

describe('one Identity Center user is one person in every account', () => {
  it('refuses the denied user approving from the hub account', async () => {
    const denied = sso(MEMBER, 'DataEng', 'mei@example.com');
    const record = proposalRecord({
      denial: { ...SEED_DENIAL, principalArn: denied.name },
      proposal: { ...SEED_PROPOSAL, escalation: analysed('contained') },
    });
    const s = await setup('contained', {}, record);
    expect(await approveAs(s, sso(HUB, 'SecurityApprover', 'MEI@example.com'))).toMatchObject({
      refusal: { kind: 'self-approval', reason: 'denied-principal' },
    });
  });

  it('refuses the same user as the second of two approvals, as stored before (account-scoped)', async () => {
    const first = {
      kind: 'iam' as const,
      name: sso(HUB, 'SecurityApprover', 'kenji@example.com').name,
      identity: `identity-center-user:${HUB}:kenji@example.com`,
    };
    const record = { ...memberRecord('admin'), approvals: [first] };
    const s = await setup('admin', { approvers: APPROVERS, allowAdminRoles: true }, record);
    expect(await approveAs(s, sso(HUB, 'Auditor', 'kenji@example.com'))).toMatchObject({
      refusal: { kind: 'same-approver' },
    });
  });
});
