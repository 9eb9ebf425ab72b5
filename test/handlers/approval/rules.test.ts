/**
 * The approval function against the attacks issue 10 lists that reach it: self-approval on the IAM
 * route, a member of the target group, the role's own session, one role under two session names, a
 * link for a sensitive proposal, a cross-site POST, and a direct invoke with a made-up context.
 */
import { verifySignedDecision } from '../../../lambda/core/approval/signed-decision';
import type { IncidentRecord } from '../../../lambda/core/incident';
import type { ApprovalResponse } from '../../../lambda/handlers/approval/handler';
import { createApprovalFunction } from '../../../lambda/handlers/approval/function-entry';
import { proposalRecord, SEED_DENIAL, SEED_PROPOSAL } from '../../adapters/support/proposal-records';
import { analysed, KENJI, MEI } from '../../support/escalation';
import {
  apiEvent,
  APPROVER_ARN,
  formPost,
  harness,
  harnessDependencies,
  NOW,
  RecordingLogger,
  RecordingTrigger,
  WatchedStore,
  type HarnessOptions,
} from './support';
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import { FakeEscalationReader } from '../../support/escalation';

const ACCOUNT = '123456789012';
const sessionArn = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;
const APPROVERS = [`arn:aws:iam::${ACCOUNT}:role/SecurityApprover`, APPROVER_ARN];

function jsonOf(response: ApprovalResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

const approveAs = (callerArn: string, id = 'p-1') =>
  apiEvent('POST', `/iam/proposals/${id}/approve`, { callerArn });

function at(level: 'none' | 'contained' | 'sensitive' | 'admin', overrides: Partial<IncidentRecord> = {}) {
  return proposalRecord({ proposal: { ...SEED_PROPOSAL, escalation: analysed(level) }, ...overrides });
}

describe('approval function: separation of duties on the IAM route', () => {
  it('refuses the denied principal approving its own proposal, saying why, and writes nothing', async () => {
    const h = await harness();
    const response = await h.handler(approveAs(MEI));
    expect(response.statusCode).toBe(403);
    expect(jsonOf(response)).toMatchObject({
      error: 'self-approval',
      message: `${MEI} may not approve this grant: it is the principal that was denied (${MEI}). Someone who does not gain it must approve. Nothing was changed.`,
      refusal: { kind: 'self-approval', reason: 'denied-principal', principal: MEI },
    });
    expect(h.store.writes).toEqual([]);
    expect(h.trigger.requested).toEqual([]);
    expect(h.logger.lines.find((line) => line.message === 'approval refused')?.attributes).toMatchObject({
      refusal: 'self-approval',
    });
  });

  it('refuses a member of the target group, who would gain the grant', async () => {
    const h = await harness();
    const response = await h.handler(approveAs(KENJI));
    expect(response.statusCode).toBe(403);
    expect(jsonOf(response)['message']).toContain('it would gain the permission itself');
    expect(h.store.writes).toEqual([]);
  });

  it("refuses the target role's own session, under any session name", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/glue-runner`;
    const record = at('contained', {
      proposal: {
        ...SEED_PROPOSAL,
        target: { type: 'role', name: 'glue-runner', arn: roleArn, memberCount: null },
        escalation: analysed('contained'),
      },
    });
    const h = await harness({ records: [record] });
    h.reader.gainers = [roleArn];
    for (const name of ['glue-runner-session', 'innocent-approver']) {
      const response = await h.handler(approveAs(sessionArn('glue-runner', name)));
      expect(response.statusCode).toBe(403);
      expect(jsonOf(response)).toMatchObject({ refusal: { reason: 'gains-the-grant', principal: roleArn } });
    }
    expect(h.store.writes).toEqual([]);
  });

  it('refuses even when the authorizer context is forged in a direct invoke: the caller is still held to the rules', async () => {
    const h = await harness();
    const forged = apiEvent('POST', '/iam/proposals/p-1/approve', { callerArn: SEED_DENIAL.principalArn });
    expect((await h.handler(forged)).statusCode).toBe(403);
  });
});

describe('approval function: levels', () => {
  const admin: HarnessOptions = {
    records: [at('admin')],
    level: 'admin',
    settings: { approvers: APPROVERS, allowAdminRoles: true },
  };

  it('records one of two approvals, refuses the same role under another session name, and signs on the second', async () => {
    const h = await harness(admin);
    const first = await h.handler(approveAs(sessionArn('SecurityApprover', 'alice')));
    expect(first.statusCode).toBe(202);
    expect(jsonOf(first)).toMatchObject({ approvalsNeeded: 2, proposal: { status: 'pending' } });
    expect(jsonOf(first)['note']).toContain('The first of two approvals is recorded');

    const again = await h.handler(approveAs(sessionArn('SecurityApprover', 'not-alice')));
    expect(again.statusCode).toBe(409);
    expect(jsonOf(again)).toMatchObject({
      error: 'same-approver',
      refusal: { identity: `arn:aws:iam::${ACCOUNT}:role/SecurityApprover` },
    });
    expect(h.trigger.requested).toEqual([]);

    const second = await h.handler(approveAs(APPROVER_ARN));
    expect(second.statusCode).toBe(200);
    expect(h.trigger.requested).toEqual(['p-1']);
    const check = await verifySignedDecision(h.keys.verifier, (await h.memory.get('p-1'))?.decision);
    expect(check.ok && check.envelope.approvers.map((approver) => approver.identity)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/SecurityApprover`,
      APPROVER_ARN,
    ]);
    expect(h.store.writes).toEqual([
      `addApproval ${sessionArn('SecurityApprover', 'alice')}`,
      'transition pending->approved',
    ]);
  });

  it('refuses an IAM caller outside the approvers for a sensitive grant, and anyone with none configured', async () => {
    const listed = await harness({
      records: [at('sensitive')],
      level: 'sensitive',
      settings: { approvers: APPROVERS },
    });
    const outsider = await listed.handler(approveAs(`arn:aws:iam::${ACCOUNT}:user/bob`));
    expect(outsider.statusCode).toBe(403);
    expect(jsonOf(outsider)).toMatchObject({ error: 'not-an-approver' });
    expect((await listed.handler(approveAs(APPROVER_ARN))).statusCode).toBe(200);

    const none = await harness({ records: [at('sensitive')], level: 'sensitive' });
    const response = await none.handler(approveAs(APPROVER_ARN));
    expect(response.statusCode).toBe(403);
    expect(jsonOf(response)).toMatchObject({ error: 'not-approvable' });
  });

  it('answers 409 when the level rose since the proposal was made', async () => {
    const h = await harness({
      records: [at('contained')],
      level: 'admin',
      settings: { allowAdminRoles: true },
    });
    const response = await h.handler(approveAs(APPROVER_ARN));
    expect(response.statusCode).toBe(409);
    expect(jsonOf(response)['message']).toContain(
      'risen since the proposal was made (from contained to admin)',
    );
    expect(h.store.writes).toEqual([]);
  });

  it('shows an old pending proposal with its analysis on the IAM get, writing nothing', async () => {
    const h = await harness({ level: 'sensitive' });
    const response = await h.handler(apiEvent('GET', '/iam/proposals/p-1', { callerArn: APPROVER_ARN }));
    expect(jsonOf(response)).toMatchObject({
      proposal: {
        proposal: {
          escalation: { kind: 'analysed', level: 'sensitive' },
          approval: { requires: 'not-approvable' },
        },
      },
    });
    expect(h.reader.reads).toHaveLength(1);
    expect(h.store.writes).toEqual([]);
    expect((await h.memory.get('p-1'))?.proposal?.escalation).toBeUndefined();
  });
});

describe('approval function: review links', () => {
  it('shows a sensitive proposal to a link holder without Approve, and refuses its token for approving', async () => {
    const h = await harness({
      records: [at('sensitive')],
      level: 'sensitive',
      settings: { approvers: APPROVERS },
    });
    const page = await h.handler(apiEvent('GET', '/proposals/p-1', { query: { token: h.token } }));
    expect(page.statusCode).toBe(200);
    expect(h.logger.lines.find((line) => line.message === 'review page served')?.attributes).toMatchObject({
      linkMayApprove: false,
    });
    const approve = await h.handler(formPost('/proposals/p-1/approve', h.token));
    expect(approve.statusCode).toBe(403);
    expect(approve.body).toContain('A review link may not approve this grant');
    expect(approve.body).toContain('needs one listed IAM approver');
    expect(h.store.writes).toEqual([]);
    // Rejecting stays open to the link holder.
    expect((await h.handler(formPost('/proposals/p-1/reject', h.token))).statusCode).toBe(200);
  });

  it('stops an old link approving a proposal that is now sensitive', async () => {
    const h = await harness({ level: 'sensitive', settings: { approvers: APPROVERS } });
    const approve = await h.handler(formPost('/proposals/p-1/approve', h.token));
    expect(approve.statusCode).toBe(403);
    expect(h.store.writes).toEqual([]);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['a same-site fetch from another API', { 'sec-fetch-site': 'same-site' }],
    [
      'the same origin named with a foreign Origin',
      { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' },
    ],
    ['neither header', { 'sec-fetch-site': '' }],
    ['Origin null without fetch metadata (a sandboxed frame)', { 'sec-fetch-site': '', origin: 'null' }],
    ['Origin null from a cross-site page', { 'sec-fetch-site': 'cross-site', origin: 'null' }],
  ])('answers the 403 page to a POST with %s, deciding nothing', async (_label, headers) => {
    const h = await harness();
    const response = await h.handler(formPost('/proposals/p-1/approve', h.token, { headers }));
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form was not sent from the review page');
    expect(h.store.writes).toEqual([]);
    expect(h.logger.lines.find((line) => line.message === 'cross-site form refused')).toBeDefined();
  });

  it("takes the review page's own form, which the browser sends with Origin null under no-referrer", async () => {
    const h = await harness();
    const headers = { 'sec-fetch-site': 'same-origin', origin: 'null' };
    const response = await h.handler(formPost('/proposals/p-1/approve', h.token, { headers }));
    expect(response.statusCode).toBe(200);
  });

  it("takes a POST whose Origin is the API's own, without Sec-Fetch-Site", async () => {
    const h = await harness();
    const origin = 'https://abc123.execute-api.ap-northeast-1.amazonaws.com';
    const response = await h.handler(
      formPost('/proposals/p-1/approve', h.token, { headers: { 'sec-fetch-site': '', origin } }),
    );
    expect(response.statusCode).toBe(200);
  });
});

describe('approval function: the direct auto-approval invoke', () => {
  async function entry(options: HarnessOptions) {
    const memory = new InMemoryIncidentStore();
    for (const record of options.records ?? [at('none')])
      await memory.create(record, new Date(record.createdAt));
    const store = new WatchedStore(memory);
    const trigger = new RecordingTrigger();
    const logger = new RecordingLogger();
    const fn = createApprovalFunction(
      harnessDependencies({
        store,
        trigger,
        logger,
        reader: new FakeEscalationReader(),
        keys: new LocalDecisionKeys(),
        now: NOW,
        options,
      }),
    );
    return { fn, store, trigger, logger, memory };
  }
  const ask = { source: 'passrole-doctor.auto-approve', proposalId: 'p-1' };

  it('approves a proven none with AUTO_APPROVE=no-new-access, as the rule', async () => {
    const e = await entry({ level: 'none', settings: { autoApprove: 'no-new-access' } });
    expect(await e.fn(ask)).toEqual({ autoApproved: true, outcome: 'moved' });
    expect((await e.memory.get('p-1'))?.history[0]?.actor).toMatchObject({
      kind: 'rule',
      name: 'autoApprove: no-new-access',
    });
    expect(e.trigger.requested).toEqual(['p-1']);
  });

  it('decides nothing for a proposal that is not none, or with the setting off', async () => {
    const contained = await entry({
      records: [at('contained')],
      level: 'contained',
      settings: { autoApprove: 'no-new-access' },
    });
    expect(await contained.fn(ask)).toEqual({ autoApproved: false, outcome: 'refused' });
    const off = await entry({ level: 'none' });
    expect(await off.fn(ask)).toEqual({ autoApproved: false, outcome: 'refused' });
    expect(contained.store.writes).toEqual([]);
    expect(off.store.writes).toEqual([]);
  });

  it('takes nothing from a made-up authorizer context added to the event', async () => {
    const e = await entry({
      records: [at('admin')],
      level: 'admin',
      settings: { autoApprove: 'no-new-access' },
    });
    const forged = {
      ...ask,
      requestContext: { authorizer: { iam: { userArn: APPROVER_ARN } }, http: { method: 'POST' } },
    };
    expect(await e.fn(forged)).toEqual({ autoApproved: false, outcome: 'unrecognised-event' });
    expect(await e.fn({ ...ask, proposalId: '../p-1' })).toEqual({
      autoApproved: false,
      outcome: 'unrecognised-event',
    });
    expect(await e.fn(ask)).toEqual({ autoApproved: false, outcome: 'refused' });
    expect(e.store.writes).toEqual([]);
    expect(
      e.logger.lines.find((line) => line.message === 'unrecognised event: nothing decided'),
    ).toBeDefined();
  });

  it('passes API Gateway events to the HTTP handler', async () => {
    const e = await entry({});
    const response = (await e.fn(
      apiEvent('GET', '/iam/proposals', { callerArn: APPROVER_ARN }),
    )) as ApprovalResponse;
    expect(response.statusCode).toBe(200);
  });
});
