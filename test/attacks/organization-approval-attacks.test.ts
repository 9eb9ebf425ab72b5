/**
 * Organization mode's approval and apply under attack: the real approval function and apply handler
 * of the hub, wired as their entries wire them in organization mode (AccountAccess to two member
 * accounts, each holding its own IAM as an in-memory snapshot of the seed account), the decisions
 * signed and links MACed with in-process keys. Each case records whether the attacker got a decision
 * it may not make (escalated) or an IAM write from one (forgedApplied).
 */
import { LocalDecisionKeys } from '../../lambda/adapters/local/local-keys';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { InMemoryIncidentStore } from '../../lambda/adapters/memory/in-memory-incident-store';
import { InMemoryEventPublisher } from '../../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { InMemoryDecisionLedger } from '../../lambda/adapters/memory/in-memory-decision-ledger';
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';
import { approvalClaimsOf } from '../../lambda/core/approval/links';
import { documentHash, type IncidentRecord } from '../../lambda/core/incident';
import type { EscalationLevel } from '../../lambda/core/escalation/model';
import { createApplyHandler, type ApplyHandler } from '../../lambda/handlers/apply/handler';
import { createApprovalFunction } from '../../lambda/handlers/approval/function-entry';
import type { ApprovalEvent, ApprovalResponse } from '../../lambda/handlers/approval/handler';
import { FakeAccountAccess } from '../support/account-access';
import { analysed, analyserAt, FakeEscalationReader as RecheckReader } from '../support/escalation';
import { linkMacOf, tokenOf } from '../support/link-tokens';
import { FakeEscalationReader } from '../support/signed-approval';
import {
  diagnosedSeedRecord,
  RecordingWriter,
  SEED_ACCOUNT_JSON,
  seedEscalationInputs,
  SETTINGS,
} from '../core/apply/seed-apply';
import { apiEvent, formPost } from '../handlers/approval/support';
import { lambdaContext, RecordingLogger, RecordingMetrics } from '../handlers/diagnose/support';
import { recordAttack } from './support/attack-results';

const PART = 'organization-approvals';
const HUB = '111111111111';
const A = '123456789012';
const B = '210987654321';
const LINK_KEY = 'organization-attack-link-key-'.padEnd(64, 'k');
/** Within the seed proposal's life (diagnosed 2026-06-17T02:05Z, 72 hours). */
const NOW = new Date('2026-06-17T04:00:00.000Z');
/** The hub's decision key: one for every deployment of a case (a replay must not fail on the key). */
const KEYS = new LocalDecisionKeys('hub:decision-key');
const IN_HUB = { ...lambdaContext(), invokedFunctionArn: `arn:aws:lambda:us-east-1:${HUB}:function:hub` };

/** Every ARN and id of `value` moved from account A to `account`. */
function inAccount<T>(value: T, account: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(A, account)) as T;
}

interface Member {
  iam: SnapshotAccountReader;
  writer: RecordingWriter;
}

interface Hub {
  store: InMemoryIncidentStore;
  members: Record<string, Member>;
  approve(id: string, callerArn: string): Promise<ApprovalResponse>;
  approveByLink(id: string, token: string): Promise<ApprovalResponse>;
  apply: ApplyHandler;
  applyQueued(): Promise<void>;
}

function member(account: string): Member {
  const iam = new SnapshotAccountReader(inAccount(SEED_ACCOUNT_JSON, account), `iam of ${account}`);
  return { iam, writer: new RecordingWriter(iam) };
}

async function hub(
  records: IncidentRecord[],
  {
    level = 'contained',
    sensitiveAccounts = [],
  }: { level?: EscalationLevel; sensitiveAccounts?: string[] } = {},
): Promise<Hub> {
  const store = new InMemoryIncidentStore();
  for (const record of records) await store.create(record, new Date(record.createdAt));
  const keys = KEYS;
  const members = { [A]: member(A), [B]: member(B) };
  const accounts = new FakeAccountAccess();
  for (const [account, { writer, iam }] of Object.entries(members)) {
    accounts.set(account, {
      escalationReader: new FakeEscalationReader(inAccount(seedEscalationInputs(), account)),
      writer,
      simulator: new LocalPolicySimulator(),
      accountReader: iam,
    });
  }
  const queued: string[] = [];
  const approval = createApprovalFunction({
    store,
    applyTrigger: { requestApply: async (id) => void queued.push(id) },
    linkMac: linkMacOf(LINK_KEY),
    signer: keys.signer,
    accounts,
    organization: true,
    analyse: analyserAt(level),
    logger: new RecordingLogger(),
    clock: () => NOW,
    settings: {
      approvalMode: 'both',
      approvers: [`arn:aws:iam::${HUB}:user/*`, `arn:aws:iam::${HUB}:role/AWSReservedSSO_*`],
      sensitiveAccounts,
    },
  });
  const { accountId: _own, ...applySettings } = SETTINGS;
  const apply = createApplyHandler({
    store,
    accounts,
    // The hub's own IAM: never to be used in organization mode.
    writer: { putInlinePolicy: unused, getInlinePolicy: unused },
    simulator: { simulate: unused },
    escalationReader: new RecheckReader(),
    decisionVerifier: keys.verifier,
    decisionLedger: new InMemoryDecisionLedger(),
    notifier: new InMemoryNotifier(),
    events: new InMemoryEventPublisher(),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    clock: () => NOW,
    sleep: () => Promise.resolve(),
    settings: {
      ...applySettings,
      accountId: null,
      organization: true,
      protectedRoleNames: ['PassRoleDoctorMember-*'],
    },
  });
  const http = async (event: ApprovalEvent): Promise<ApprovalResponse> => {
    const result = await approval(event, IN_HUB);
    if (!('statusCode' in result)) throw new Error('an HTTP event got no HTTP answer');
    return result;
  };
  return {
    store,
    members,
    approve: (id, callerArn) =>
      http(apiEvent('POST', `/iam/proposals/${id}/approve`, { callerArn, body: '{}' })),
    approveByLink: (id, token) => http(formPost(`/proposals/${id}/approve`, token)),
    apply,
    applyQueued: async () => {
      for (const id of queued.splice(0)) await apply({ proposalId: id }, IN_HUB);
    },
  };
}

function unused(): never {
  throw new Error("the hub's own IAM was used");
}

/** The seed proposal as the hub stores it for a denial in `account`. */
async function proposalIn(
  account: string,
  id: string,
  level: EscalationLevel = 'contained',
): Promise<IncidentRecord> {
  const seed = inAccount(await diagnosedSeedRecord(), account);
  const proposal = seed.proposal;
  if (proposal === null) throw new Error('the seed has a proposal');
  return {
    ...seed,
    id,
    incidentKey: `${seed.incidentKey}-${id}`,
    documentHash: documentHash(proposal.document),
    proposal: { ...proposal, escalation: analysed(level) },
    organizationAccount: { id: account, name: `member ${account}`, ouPath: [] },
  };
}

function writes(h: Hub): Record<string, number> {
  return Object.fromEntries(Object.entries(h.members).map(([id, m]) => [id, m.writer.puts.length]));
}

describe('organization mode: approvals keyed by account', () => {
  it('a decision signed for account A replayed onto the same proposal in account B writes nothing in B', async () => {
    const inA = await proposalIn(A, 'p-a');
    const h = await hub([inA]);
    expect((await h.approve('p-a', `arn:aws:iam::${HUB}:user/alice`)).statusCode).toBe(200);
    const approvedA = await h.store.get('p-a');
    // The attacker's item: the same proposal as it would stand in B, carrying A's signed decision.
    const forged: IncidentRecord = {
      ...(await proposalIn(B, 'p-a')),
      status: 'approved',
      history: approvedA?.history ?? [],
      decision: approvedA?.decision ?? null,
    };
    const other = await hub([forged]);
    other.members[A] = h.members[A] as Member;
    const outcome = await other.apply({ proposalId: 'p-a' }, IN_HUB);
    const escalated = outcome !== 'refused' && outcome !== 'not-approved';
    recordAttack({
      part: PART,
      name: 'a decision of account A replayed into account B',
      escalated,
      forgedApplied: writes(other)[B] !== 0,
    });
    expect(outcome).toBe('refused');
    expect((await other.store.get('p-a'))?.history.at(-1)?.detail).toBe(
      `refused: the signed decision does not hold: the decision is for account ${A}, not ${B}`,
    );
    expect(writes(other)[B]).toBe(0);
  });

  it('a review link signed for account A does not decide the proposal once it names account B', async () => {
    const inA = await proposalIn(A, 'p-link');
    const claims = approvalClaimsOf(inA);
    if (claims === null) throw new Error('a proposal has claims');
    const token = tokenOf(claims, LINK_KEY);
    const h = await hub([await proposalIn(B, 'p-link')]);
    const response = await h.approveByLink('p-link', token);
    await h.applyQueued();
    const status = (await h.store.get('p-link'))?.status;
    recordAttack({
      part: PART,
      name: "account A's review link used for account B",
      escalated: status !== 'pending',
      forgedApplied: writes(h)[B] !== 0,
    });
    expect(response.statusCode).toBe(403);
    expect(status).toBe('pending');
    expect(writes(h)).toEqual({ [A]: 0, [B]: 0 });
  });

  it('the denied Identity Center user cannot approve their own grant from the hub account', async () => {
    const record = await proposalIn(A, 'p-sso');
    record.denial = {
      ...record.denial,
      principalArn: `arn:aws:sts::${A}:assumed-role/AWSReservedSSO_DataEng_0123abcd/mei@example.com`,
    };
    const h = await hub([record]);
    const response = await h.approve(
      'p-sso',
      `arn:aws:sts::${HUB}:assumed-role/AWSReservedSSO_Approver_89ab/mei@example.com`,
    );
    await h.applyQueued();
    const status = (await h.store.get('p-sso'))?.status;
    recordAttack({
      part: PART,
      name: 'self-approval by the same Identity Center user from the hub account',
      escalated: status !== 'pending',
      forgedApplied: writes(h)[A] !== 0,
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('it is the principal that was denied');
    expect(status).toBe('pending');
    expect(writes(h)[A]).toBe(0);
  });

  it('a sensitive grant in a sensitive account is not approved by one approver, nor a contained one by a link', async () => {
    const sensitive = await proposalIn(A, 'p-sensitive', 'sensitive');
    const contained = await proposalIn(A, 'p-contained', 'contained');
    const h = await hub([sensitive], { level: 'sensitive', sensitiveAccounts: [A] });
    const first = await h.approve('p-sensitive', `arn:aws:iam::${HUB}:user/alice`);
    const again = await h.approve('p-sensitive', `arn:aws:iam::${HUB}:user/alice`);
    await h.applyQueued();
    const linkHub = await hub([contained], { level: 'contained', sensitiveAccounts: [A] });
    const claims = approvalClaimsOf(contained);
    if (claims === null) throw new Error('a proposal has claims');
    const byLink = await linkHub.approveByLink('p-contained', tokenOf(claims, LINK_KEY));
    await linkHub.applyQueued();
    const statuses = [
      (await h.store.get('p-sensitive'))?.status,
      (await linkHub.store.get('p-contained'))?.status,
    ];
    recordAttack({
      part: PART,
      name: 'a sensitive account approved with one approver (or a link)',
      escalated: statuses.some((status) => status !== 'pending'),
      forgedApplied: writes(h)[A] !== 0 || writes(linkHub)[A] !== 0,
    });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(409);
    expect(byLink.statusCode).toBe(403);
    expect(statuses).toEqual(['pending', 'pending']);
    expect(writes(h)[A]).toBe(0);
  });

  it('an approver of a member account is refused, even for a grant any caller of the hub may approve', async () => {
    const h = await hub([await proposalIn(A, 'p-foreign')]);
    const response = await h.approve('p-foreign', `arn:aws:iam::${B}:user/alice`);
    await h.applyQueued();
    const status = (await h.store.get('p-foreign'))?.status;
    recordAttack({
      part: PART,
      name: 'an approver ARN of a member account on the IAM route',
      escalated: status !== 'pending',
      forgedApplied: writes(h)[A] !== 0,
    });
    expect(response.statusCode).toBe(403);
    expect(status).toBe('pending');
  });
});
