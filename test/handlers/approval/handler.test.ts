import { linkMacOf } from '../../support/link-tokens';
import { TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { PAGE_HEADERS } from '../../../lambda/core/render/html';
import type { ApprovalResponse } from '../../../lambda/handlers/approval/handler';
import { proposalRecord, SEED_DENIAL, SEED_PROPOSAL } from '../../adapters/support/proposal-records';
import { withCase } from '../../core/render/support/escalation-fixtures';
import {
  apiEvent,
  APPROVER_ARN,
  formPost,
  harness,
  KEY,
  NOW,
  SAME_ORIGIN,
  SOURCE_IP,
  tokenFor,
  USER_AGENT,
} from './support';
import { renderSummary } from '../../../lambda/core/render/diagnosis-summary';

const EXPIRED_AT = new Date('2026-06-20T02:05:00.000Z');

function review(token?: string, id = 'p-1') {
  return apiEvent('GET', `/proposals/${id}`, token === undefined ? {} : { query: { token } });
}

function tampered(token: string): string {
  return (
    (token[5] === 'A' ? 'B' : 'A') +
    token.slice(1, 5) +
    token.slice(6, 7) +
    token.slice(5, 6) +
    token.slice(7)
  );
}

function expectPage(response: ApprovalResponse, statusCode: number, text: string | RegExp): void {
  expect(response.statusCode).toBe(statusCode);
  expect(response.headers).toEqual(PAGE_HEADERS);
  expect(response.body).toMatch(text);
  expect(response.body).not.toMatch(/at .*\.ts:\d+|Error:/);
}

function jsonOf(response: ApprovalResponse): Record<string, unknown> {
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  return JSON.parse(response.body) as Record<string, unknown>;
}

describe('approval handler: the review page', () => {
  // The page offers Approve only for an analysed proposal a link may approve (one approver).
  const contained = () =>
    harness({ records: [proposalRecord({ proposal: withCase(SEED_PROPOSAL, 'contained') })] });

  it('serves the proposal with its policy, risks and the forms that post the token', async () => {
    const h = await contained();
    const response = await h.handler(review(h.token));
    expectPage(response, 200, /id="status">pending</);
    expect(response.body).toContain('AllowPassEtlNightlyRuntimeToGlue');
    expect(response.body).toContain('All 2 members of group GlueAccess gain this permission.');
    expect(response.body).toContain('&quot;iam:PassedToService&quot;: &quot;glue.amazonaws.com&quot;');
    expect(response.body).toContain('<form method="post" action="/proposals/p-1/approve">');
    expect(response.body).toContain(`<input type="hidden" name="token" value="${h.token}">`);
  });

  it.each([
    ['no token', undefined],
    ['an empty token', ''],
    ['a tampered token', 'tampered'],
    ['a token signed with another key', 'other-key'],
    ["another proposal's token", 'other-proposal'],
  ])('answers the 403 page to %s', async (_label, kind) => {
    const other = proposalRecord({ id: 'p-2', incidentKey: 'incident-2' });
    const h = await harness({ records: [proposalRecord(), other] });
    const token =
      kind === 'tampered'
        ? tampered(h.token)
        : kind === 'other-key'
          ? tokenFor(h.record, 'another-signing-key'.padEnd(64, 'y'))
          : kind === 'other-proposal'
            ? tokenFor(other)
            : kind;
    expectPage(await h.handler(review(token)), 403, 'This link is not valid');
  });

  it('answers an unknown or malformed id with the same 403 page: no probing for proposals', async () => {
    const h = await harness();
    const forbidden = await h.handler(review(h.token, 'p-999'));
    const malformed = await h.handler(review(h.token, 'p%3Cscript%3E'));
    const tamperedLink = await h.handler(review(tampered(h.token)));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body).toBe(tamperedLink.body);
    expect(malformed.body).toBe(tamperedLink.body);
  });

  it('answers 410 once the proposal expired, and still shows a decided one without buttons', async () => {
    const late = await harness({ now: EXPIRED_AT });
    expectPage(await late.handler(review(late.token)), 410, 'This proposal has expired');

    const h = await harness();
    await h.handler(formPost('/proposals/p-1/reject', h.token));
    const decidedLate = await harness({
      now: EXPIRED_AT,
      records: [(await h.memory.get('p-1')) as IncidentRecord],
    });
    const page = await decidedLate.handler(review(decidedLate.token));
    expectPage(page, 200, /id="status">rejected</);
    expect(page.body).not.toContain('<form');
    expect(page.body).toContain(`rejected by link holder from ${SOURCE_IP}`);
  });

  it('never writes on a GET: valid, expired, tampered, unknown, decided', async () => {
    const h = await harness();
    await h.handler(review(h.token));
    await h.handler(review(tampered(h.token)));
    await h.handler(review(h.token, 'p-404'));
    await h.handler(review());
    const late = await harness({ now: EXPIRED_AT });
    await late.handler(review(late.token));
    expect(h.store.writes).toEqual([]);
    expect(late.store.writes).toEqual([]);
    expect(h.trigger.requested).toEqual([]);
    expect(await h.memory.get('p-1')).toEqual(await (await harness()).memory.get('p-1'));
  });

  it('escapes hostile role, user and session names in the page it serves', async () => {
    const evil = `x"><script>alert('&')</script>`;
    const record = proposalRecord({
      denial: {
        ...SEED_DENIAL,
        principalArn: `arn:aws:sts::123456789012:assumed-role/dev/${evil}`,
        roleArn: `arn:aws:iam::123456789012:role/${evil}`,
        policySourceArn: `arn:aws:iam::123456789012:user/${evil}`,
      },
      proposal: { ...SEED_PROPOSAL, target: { ...SEED_PROPOSAL.target, name: `Glue&${evil}` } },
    });
    const h = await harness({ records: [record] });
    const page = await h.handler(review(h.token));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain(evil);
    expect(page.body).toContain('x&quot;&gt;&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;');
    expect(page.body).toContain('Glue&amp;x&quot;');
  });

  it('explains where a permission-set policy goes, and refuses to approve it', async () => {
    const record = proposalRecord({
      proposal: {
        ...SEED_PROPOSAL,
        target: { type: 'permission-set', name: 'DataEngineer', arn: null, memberCount: null },
      },
    });
    const h = await harness({ records: [record] });
    const page = await h.handler(review(h.token));
    expectPage(page, 200, 'permission set <strong>DataEngineer</strong>');
    expect(page.body).not.toContain('<form');
    expectPage(
      await h.handler(formPost('/proposals/p-1/approve', h.token)),
      400,
      /add the statement to the inline policy of permission set DataEngineer/,
    );
    expect(h.store.writes).toEqual([]);
    expect(h.trigger.requested).toEqual([]);
  });

  it('keeps the stage in the form actions behind a named stage', async () => {
    const h = await contained();
    const page = await h.handler(
      apiEvent('GET', '/proposals/p-1', { query: { token: h.token }, stage: 'prod' }),
    );
    expect(page.body).toContain('action="/prod/proposals/p-1/approve"');
  });
});

describe('approval handler: deciding by link', () => {
  it('approves once, records the link holder, starts the apply and says where the result appears', async () => {
    const h = await harness();
    const response = await h.handler(formPost('/proposals/p-1/approve', h.token));
    expectPage(response, 200, 'Approved: being applied');
    expect(response.body).toContain('The result appears on the review page (reload it in a few seconds)');
    expect(response.body).toContain(`href="/proposals/p-1?token=${h.token}"`);
    expect(h.trigger.requested).toEqual(['p-1']);
    expect(await h.memory.get('p-1')).toMatchObject({
      status: 'approved',
      history: [
        {
          status: 'approved',
          actor: { kind: 'link-holder', name: 'link holder', sourceIp: SOURCE_IP, userAgent: USER_AGENT },
          at: NOW.toISOString(),
          detail: null,
        },
      ],
    });
  });

  it('answers a replayed approval with 409, saying who decided what and when', async () => {
    const h = await harness();
    await h.handler(formPost('/proposals/p-1/approve', h.token));
    const again = await h.handler(formPost('/proposals/p-1/approve', h.token));
    expectPage(again, 409, 'Already decided');
    expect(again.body).toContain(
      `It was already approved by link holder from ${SOURCE_IP} at ${NOW.toISOString()}.`,
    );
    expectPage(await h.handler(formPost('/proposals/p-1/reject', h.token)), 409, 'Already decided');
    expect(h.trigger.requested).toEqual(['p-1']);
  });

  it('rejects, closes the incident, and starts nothing', async () => {
    const h = await harness();
    expectPage(await h.handler(formPost('/proposals/p-1/reject', h.token)), 200, 'Rejected');
    expect(h.trigger.requested).toEqual([]);
    expect(await h.memory.findOpenIncident(h.record.incidentKey, NOW)).toBeNull();
    const approve = await h.handler(formPost('/proposals/p-1/approve', h.token));
    expect(approve.statusCode).toBe(409);
    expect(approve.body).toContain('already rejected by link holder');
  });

  it.each([
    ['a tampered token', (token: string) => tampered(token), 403],
    ['no token', () => '', 403],
  ])('refuses %s without writing', async (_label, tokenOf, status) => {
    const h = await harness();
    expect((await h.handler(formPost('/proposals/p-1/approve', tokenOf(h.token)))).statusCode).toBe(status);
    expect(h.store.writes).toEqual([]);
  });

  it('answers 410 to a decision past the expiry, without writing', async () => {
    const h = await harness({ now: EXPIRED_AT });
    expectPage(await h.handler(formPost('/proposals/p-1/approve', h.token)), 410, 'expired');
    expectPage(await h.handler(formPost('/proposals/p-1/reject', h.token)), 410, 'expired');
    expect(h.store.writes).toEqual([]);
  });

  it('reads a base64-encoded form body, and refuses a body that is not a form', async () => {
    const h = await harness();
    expect((await h.handler(formPost('/proposals/p-1/approve', h.token, { base64: true }))).statusCode).toBe(
      200,
    );
    const other = await harness();
    const raw = apiEvent('POST', '/proposals/p-1/approve', { body: 'x', headers: SAME_ORIGIN });
    expectPage(
      await other.handler({ ...raw, body: '%%%not base64', isBase64Encoded: true }),
      400,
      'the body is not valid base64',
    );
    expectPage(
      await other.handler(
        formPost('/proposals/p-1/approve', other.token, { headers: { 'content-type': 'application/json' } }),
      ),
      400,
      'expected a form (application/x-www-form-urlencoded), got application/json',
    );
    expectPage(
      await other.handler(
        apiEvent('POST', '/proposals/p-1/approve', {
          body: `token=${'x'.repeat(9000)}`,
          headers: SAME_ORIGIN,
        }),
      ),
      400,
      'the body is too large',
    );
    expect(other.store.writes).toEqual([]);
  });

  it('shows the result at once when the apply runs in-process, and on the review page after', async () => {
    const h = await harness();
    h.trigger.onRequest = async (id) => {
      const at = new Date(NOW.getTime() + 1000);
      const actor = { kind: 'iam' as const, name: 'apply', sourceIp: null, userAgent: null };
      await h.memory.transition(id, { from: 'approved', to: 'applied', actor, at });
      await h.memory.transition(id, {
        from: 'applied',
        to: 'verified',
        actor,
        at,
        outcome: {
          kind: 'verified',
          reason: null,
          readBackMatches: true,
          verification: 'allowed',
          blockers: [],
          attempts: 1,
          appliedAt: at.toISOString(),
          finishedAt: at.toISOString(),
        },
      });
    };
    expectPage(await h.handler(formPost('/proposals/p-1/approve', h.token)), 200, 'Applied and verified');
    const reloaded = await h.handler(review(h.token));
    expectPage(
      reloaded,
      200,
      'Applied and verified: the denied request is now allowed with MFA present (assumed by the simulation: the denied request did not have it).',
    );
    expect(reloaded.body).toContain('id="status">verified<');
    expect(reloaded.body).not.toContain('<form');
  });

  it('keeps the proposal approved when the apply cannot be started now, for the reconciler, and says so', async () => {
    const h = await harness();
    h.trigger.onRequest = async () => {
      throw new TransientAwsError('lambda:InvokeFunction failed (TooManyRequestsException)');
    };
    const response = await h.handler(formPost('/proposals/p-1/approve', h.token));
    expectPage(response, 200, 'Approved; the apply follows');
    expect(response.body).toContain('Nothing has been written to IAM yet.');
    const record = await h.memory.get('p-1');
    expect(record?.status).toBe('approved');
    expect(record?.history.map((event) => event.status)).toEqual(['approved']);
    expect(h.store.writes).toEqual(['transition pending->approved']);
    expect(h.logger.lines.find((line) => line.level === 'warn')?.attributes['reason']).toMatch(
      /TooManyRequestsException/,
    );
  });

  it('lets one of 20 simultaneous approvals through and starts one apply', async () => {
    const h = await harness();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => h.handler(formPost('/proposals/p-1/approve', h.token))),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    expect(h.trigger.requested).toEqual(['p-1']);
    expect((await h.memory.get('p-1'))?.history).toHaveLength(1);
  });

  it('logs the decision with the proposal and the actor, and never the token', async () => {
    const h = await harness();
    await h.handler(review(h.token));
    await h.handler(formPost('/proposals/p-1/approve', h.token, { base64: true }));
    await h.handler(review(tampered(h.token)));
    const approved = h.logger.lines.find((line) => line.message === 'proposal approved');
    expect(approved?.attributes).toMatchObject({
      proposalId: 'p-1',
      requestId: 'request-1',
      actor: { kind: 'link-holder', name: 'link holder', sourceIp: SOURCE_IP },
    });
    const logged = JSON.stringify(h.logger.lines);
    expect(logged).not.toContain(h.token);
    expect(logged).not.toContain(tampered(h.token));
    expect(logged).not.toContain(Buffer.from(`token=${h.token}`).toString('base64'));
  });
});

describe('approval handler: IAM routes', () => {
  const signed = (method: string, path: string, body?: string) =>
    apiEvent(method, path, { callerArn: APPROVER_ARN, ...(body !== undefined ? { body } : {}) });

  it('refuses a request the AWS_IAM authorizer did not sign', async () => {
    const h = await harness();
    const response = await h.handler(apiEvent('POST', '/iam/proposals/p-1/approve'));
    expect(response.statusCode).toBe(403);
    expect(jsonOf(response)).toMatchObject({ error: 'forbidden' });
    expect(h.store.writes).toEqual([]);
  });

  it('lists the pending proposals that have not expired, newest first', async () => {
    const expiries = ['2026-06-18T00:00:00.000Z', '2026-06-19T00:00:00.000Z', '2026-06-20T00:00:00.000Z'];
    const records = expiries.map((expiresAt, index) =>
      proposalRecord({
        id: `p-${index + 1}`,
        incidentKey: `incident-${index + 1}`,
        createdAt: `2026-06-1${index + 1}T00:00:00.000Z`,
        expiresAt,
      }),
    );
    const h = await harness({ records });
    const response = await h.handler(signed('GET', '/iam/proposals'));
    expect(response.statusCode).toBe(200);
    const body = jsonOf(response) as { proposals: Record<string, unknown>[] };
    expect(body.proposals.map((proposal) => proposal['id'])).toEqual(['p-3', 'p-2']);
    expect(body.proposals[0]).toEqual({
      id: 'p-3',
      status: 'pending',
      createdAt: '2026-06-13T00:00:00.000Z',
      expiresAt: '2026-06-20T00:00:00.000Z',
      summary: renderSummary(h.record.diagnosis),
      target: SEED_PROPOSAL.target,
      policyName: SEED_PROPOSAL.policyName,
    });
    expect(
      (await h.handler(apiEvent('GET', '/iam/proposals', { callerArn: APPROVER_ARN, query: { limit: '0' } })))
        .statusCode,
    ).toBe(400);
  });

  it('shows one record without a token, 404 for an unknown one, 400 for a malformed id', async () => {
    const h = await harness();
    const response = await h.handler(signed('GET', '/iam/proposals/p-1'));
    expect(response.statusCode).toBe(200);
    expect(jsonOf(response)).toMatchObject({
      proposal: {
        id: 'p-1',
        status: 'pending',
        expired: false,
        proposal: { document: SEED_PROPOSAL.document, documentHash: h.record.documentHash },
        history: [],
      },
    });
    expect((await h.handler(signed('GET', '/iam/proposals/p-9'))).statusCode).toBe(404);
    expect((await h.handler(signed('GET', '/iam/proposals/p%20x'))).statusCode).toBe(400);
    expect(h.store.writes).toEqual([]);
  });

  it('approves as the caller, recording the ARN and the reason, then answers 409 to a second decision', async () => {
    const h = await harness();
    const response = await h.handler(
      signed('POST', '/iam/proposals/p-1/approve', '{"reason":"ticket OPS-42"}'),
    );
    expect(response.statusCode).toBe(200);
    expect(jsonOf(response)).toMatchObject({ proposal: { id: 'p-1', status: 'approved' } });
    expect(h.trigger.requested).toEqual(['p-1']);
    expect((await h.memory.get('p-1'))?.history).toEqual([
      {
        status: 'approved',
        actor: { kind: 'iam', name: APPROVER_ARN, sourceIp: SOURCE_IP, userAgent: USER_AGENT },
        at: NOW.toISOString(),
        detail: 'ticket OPS-42',
      },
    ]);
    const again = await h.handler(signed('POST', '/iam/proposals/p-1/reject'));
    expect(again.statusCode).toBe(409);
    expect(jsonOf(again)).toMatchObject({
      error: 'conflict',
      status: 'approved',
      decidedBy: APPROVER_ARN,
      decidedAt: NOW.toISOString(),
    });
  });

  it('answers 400 to a body that is not a JSON object, and writes nothing', async () => {
    const h = await harness();
    for (const body of ['{not json', '[1]', '{"reason": 5}']) {
      const response = await h.handler(signed('POST', '/iam/proposals/p-1/approve', body));
      expect(response.statusCode).toBe(400);
      expect(jsonOf(response)['error']).toBe('bad-request');
    }
    expect(h.store.writes).toEqual([]);
  });

  it('answers 410 past the expiry and 400 for a permission set', async () => {
    const late = await harness({ now: EXPIRED_AT });
    expect((await late.handler(signed('POST', '/iam/proposals/p-1/approve'))).statusCode).toBe(410);
    const permissionSet = proposalRecord({
      proposal: {
        ...SEED_PROPOSAL,
        target: { type: 'permission-set', name: 'DataEngineer', arn: null, memberCount: null },
      },
    });
    const h = await harness({ records: [permissionSet] });
    const response = await h.handler(signed('POST', '/iam/proposals/p-1/approve'));
    expect(response.statusCode).toBe(400);
    expect(jsonOf(response)['error']).toBe('permission-set');
    expect((await h.handler(signed('POST', '/iam/proposals/p-1/reject'))).statusCode).toBe(200);
  });

  it('answers 202 with the approved proposal when its apply cannot be started now', async () => {
    const h = await harness();
    h.trigger.onRequest = async () => {
      throw new TransientAwsError('lambda:InvokeFunction failed (TooManyRequestsException)');
    };
    const response = await h.handler(signed('POST', '/iam/proposals/p-1/approve'));
    expect(response.statusCode).toBe(202);
    expect(jsonOf(response)).toMatchObject({
      proposal: { id: 'p-1', status: 'approved' },
      note: expect.stringMatching(/^approved; the apply step could not be started right now/),
    });
  });
});

describe('approval handler: modes, routes and failures', () => {
  it('answers 404 to IAM routes in link mode and to link routes in iam mode', async () => {
    const link = await harness({ mode: 'link' });
    const iamRoute = await link.handler(apiEvent('GET', '/iam/proposals', { callerArn: APPROVER_ARN }));
    expect(iamRoute.statusCode).toBe(404);
    expect(jsonOf(iamRoute)).toMatchObject({ error: 'not-found' });
    expect((await link.handler(review(link.token))).statusCode).toBe(200);

    const iam = await harness({ mode: 'iam' });
    expectPage(await iam.handler(review(iam.token)), 404, 'Not found');
    expect((await iam.handler(formPost('/proposals/p-1/approve', iam.token))).statusCode).toBe(404);
    expect(
      (await iam.handler(apiEvent('GET', '/iam/proposals', { callerArn: APPROVER_ARN }))).statusCode,
    ).toBe(200);
    expect(iam.store.writes).toEqual([]);
  });

  it('answers 404 to unknown routes and 405 with Allow to a wrong method', async () => {
    const h = await harness();
    for (const path of ['/', '/proposals', '/proposals/', '/proposals/p-1/apply', '/admin', '/iam']) {
      expect((await h.handler(apiEvent('GET', path))).statusCode).toBe(404);
    }
    const wrong = await h.handler(apiEvent('DELETE', '/proposals/p-1'));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers['allow']).toBe('GET');
    expect((await h.handler(apiEvent('GET', '/proposals/p-1/approve'))).headers['allow']).toBe('POST');
  });

  it('answers 503 to a transient failure and 500 otherwise, without a stack trace', async () => {
    const failing = (error: Error) =>
      harness({
        deps: {
          linkMac: {
            verifyMac: async () => {
              throw error;
            },
          },
        },
      });
    const busy = await failing(new TransientAwsError('kms:VerifyMac failed (ThrottlingException)'));
    expectPage(await busy.handler(review(busy.token)), 503, 'try again in a moment');
    const broken = await failing(new Error('boom at handler.ts:12'));
    const response = await broken.handler(review(broken.token));
    expectPage(response, 500, 'Something went wrong');
    expect(response.body).not.toContain('boom');
    expect(broken.logger.lines.find((line) => line.level === 'error')?.attributes['reason']).toBe(
      'Error: boom at handler.ts:12',
    );
  });

  it('checks the token with the key it is given', async () => {
    const h = await harness({ deps: { linkMac: linkMacOf(KEY.replace('x', 'z')) } });
    expect((await h.handler(review(h.token))).statusCode).toBe(403);
  });
});
