import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { CliIo } from '../../../lambda/handlers/cli/io';
import { runCli } from '../../../lambda/handlers/cli/main';
import { runServe } from '../../../lambda/handlers/cli/serve-command';
import {
  LOOPBACK_ADDRESS,
  MAX_REQUEST_BODY_BYTES,
  startLocalServer,
  type LocalServer,
} from '../../../lambda/handlers/local/local-server';
import { toHttpApiEvent } from '../../../lambda/handlers/local/http-api-event';
import {
  describeApplyResult,
  InProcessApplyTrigger,
} from '../../../lambda/handlers/local/in-process-apply-trigger';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { signDecision } from '../../../lambda/core/approval/signed-decision';
import { escalationFingerprint } from '../../../lambda/core/escalation/fingerprint';
import { envelopeFor } from '../../support/signed-approval';
import { TransientAwsError } from '../../../lambda/core/errors';
import { escapeHtml } from '../../../lambda/core/render/html';
import { linkMayApproveProposal } from '../../../lambda/core/render/escalation-labels';
import {
  applyWorld,
  approved,
  diagnosedSeedRecord,
  PROPOSAL_ID,
  SETTINGS,
} from '../../core/apply/seed-apply';

const ROOT = join(__dirname, '../../..');
const SEED_EVENT = join(ROOT, 'examples/seed/denial.json');
const SEED_SNAPSHOT = join(ROOT, 'examples/seed/account.json');

const scratch = mkdtempSync(join(tmpdir(), 'prd-serve-'));
function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

function recordingIo(): CliIo & { out: (text: string) => void; lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: (text) => lines.push(text), err: (text) => errors.push(text), lines, errors };
}

/** The review URL's token with one character in the middle changed. */
function tampered(reviewUrl: string): string {
  const url = new URL(reviewUrl);
  const token = url.searchParams.get('token') ?? '';
  const at = 10;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  url.searchParams.set('token', `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`);
  return url.toString();
}

function tokenOf(reviewUrl: string): string {
  return new URL(reviewUrl).searchParams.get('token') ?? '';
}

function decide(
  reviewUrl: string,
  decision: 'approve' | 'reject',
  token = tokenOf(reviewUrl),
): Promise<Response> {
  const url = new URL(reviewUrl);
  return fetch(`${url.origin}${url.pathname}/${decision}`, {
    method: 'POST',
    // A browser posting the review page's form names the page's origin.
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'serve-test/1.0',
      origin: url.origin,
    },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** A raw request, for what fetch will not send (another Host header). */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('startLocalServer over the seed', () => {
  let server: LocalServer;
  let lines: string[];

  beforeEach(async () => {
    lines = [];
    server = await startLocalServer({
      event: SEED_EVENT,
      snapshot: SEED_SNAPSHOT,
      port: 0,
      log: (line) => lines.push(line),
    });
  });

  afterEach(async () => {
    await server.close();
  });

  function onlyProposal() {
    const [proposal] = server.proposals;
    if (proposal === undefined || proposal.record.proposal === null) throw new Error('no proposal');
    return { ...proposal, change: proposal.record.proposal };
  }

  it('serves the review page of the link the published message carries', async () => {
    const { reviewUrl, change } = onlyProposal();
    expect(server.reviewUrls).toEqual([reviewUrl]);
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]?.email).toContain(reviewUrl);

    const response = await fetch(reviewUrl);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('AllowPassEtlNightlyRuntimeToGlue');
    expect(html).toContain(`<pre id="policy">${escapeHtml(JSON.stringify(change.document, null, 2))}</pre>`);
    // Approve only where the proposal's own analysis lets a link approve; Reject always.
    expect(html.includes('<button class="approve"')).toBe(linkMayApproveProposal(change));
    expect(html).toContain('<button class="reject"');
    expect(html).toContain('<h2>What this grant adds</h2>');
    expect((await server.store.get(onlyProposal().id))?.status).toBe('pending');
  });

  it('applies on approve: the page says applied and verified, the snapshot holds the policy', async () => {
    const { id, reviewUrl, change } = onlyProposal();
    expect(await server.snapshot.getInlinePolicy(change.target, change.policyName)).toBeNull();

    const response = await decide(reviewUrl, 'approve');
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('<h1 id="result">Applied and verified</h1>');

    expect(await server.snapshot.getInlinePolicy(change.target, change.policyName)).toEqual(change.document);
    const record = await server.store.get(id);
    expect(record?.status).toBe('verified');
    expect(record?.history.map((event) => event.status)).toEqual(['approved', 'applied', 'verified']);
    // The approver as the socket and the request saw it, through the API Gateway event.
    expect(record?.history[0]?.actor).toEqual({
      kind: 'link-holder',
      name: 'link holder',
      sourceIp: LOOPBACK_ADDRESS,
      userAgent: 'serve-test/1.0',
    });
    expect(server.messages.at(-1)?.text).toContain('applied and verified: allowed');
    expect(server.events.events.map((event) => event.detailType)).toEqual(['Proposal Applied']);
    expect(lines).toContain(
      `proposal ${id}: applied and verified: allowed with MFA present (assumed by the simulation: the denied request did not have it) (1 simulation)`,
    );
  });

  it('shows a decided proposal without a form, and refuses a second approval with 409', async () => {
    const { reviewUrl } = onlyProposal();
    expect((await decide(reviewUrl, 'approve')).status).toBe(200);

    const again = await fetch(reviewUrl);
    const html = await again.text();
    expect(again.status).toBe(200);
    expect(html).toContain('<span class="status" id="status">verified</span>');
    expect(html).not.toContain('<form');
    expect((await decide(reviewUrl, 'approve')).status).toBe(409);
  });

  it('rejects: nothing is written to the snapshot', async () => {
    const { id, reviewUrl, change } = onlyProposal();
    const response = await decide(reviewUrl, 'reject');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Rejected');
    expect((await server.store.get(id))?.status).toBe('rejected');
    expect(await server.snapshot.getInlinePolicy(change.target, change.policyName)).toBeNull();
  });

  it('answers a tampered token with the 403 page, on GET and on POST, and decides nothing', async () => {
    const { id, reviewUrl, change } = onlyProposal();
    const page = await fetch(tampered(reviewUrl));
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('This link is not valid');
    expect((await decide(reviewUrl, 'approve', tokenOf(tampered(reviewUrl)))).status).toBe(403);
    expect((await server.store.get(id))?.status).toBe('pending');
    expect(await server.snapshot.getInlinePolicy(change.target, change.policyName)).toBeNull();
  });

  it('refuses a body over the limit with 413 before the approval function sees it', async () => {
    const { id, reviewUrl } = onlyProposal();
    const token = tokenOf(reviewUrl);
    const url = new URL(reviewUrl);
    const response = await fetch(`${url.origin}${url.pathname}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}&pad=${'x'.repeat(MAX_REQUEST_BODY_BYTES)}`,
    });
    expect(response.status).toBe(413);
    expect((await server.store.get(id))?.status).toBe('pending');
  });

  it('refuses a form posted from another origin with the 403 page, deciding nothing', async () => {
    const { id, reviewUrl } = onlyProposal();
    const url = new URL(reviewUrl);
    const response = await fetch(`${url.origin}${url.pathname}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: new URLSearchParams({ token: tokenOf(reviewUrl) }).toString(),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This form was not sent from the review page');
    expect((await server.store.get(id))?.status).toBe('pending');
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const { reviewUrl } = onlyProposal();
    expect(await rawGet(reviewUrl, { host: 'attacker.example' })).toBe(421);
    expect(await rawGet(reviewUrl, { host: `localhost:${new URL(server.url).port}` })).toBe(200);
  });

  it('listens on the loopback address only', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4');
    for (const address of others) {
      const port = new URL(server.url).port;
      await expect(fetch(`http://${address?.address}:${port}/`)).rejects.toThrow();
    }
  });
});

describe('startLocalServer over a log file of several denials', () => {
  it('opens one proposal per incident, its one message counting every denial of it', async () => {
    const seed = JSON.parse(readFileSync(SEED_EVENT, 'utf8')) as Record<string, unknown>;
    const event = file(
      'log.json',
      JSON.stringify({
        Records: [
          seed,
          { ...seed, eventID: 'repeat-1' },
          // The same record delivered twice counts once.
          seed,
          { ...seed, errorCode: undefined, errorMessage: undefined },
          { ...seed, eventID: 'repeat-2' },
        ],
      }),
    );
    const server = await startLocalServer({ event, snapshot: SEED_SNAPSHOT, port: 0 });
    try {
      expect(server.proposals).toHaveLength(1);
      const [proposal] = server.proposals;
      expect(proposal?.record).toMatchObject({ occurrenceCount: 3, status: 'pending' });
      expect(server.store.all()).toHaveLength(1);
      expect(server.messages).toHaveLength(1);
      expect(server.messages[0]?.email).toContain('Seen 3 times');
      expect(server.messages[0]?.email).toContain(proposal?.reviewUrl);
      expect(server.skipped).toEqual([
        `${event}: Records[3]: not an iam:PassRole denial (the call succeeded: the record has no errorCode)`,
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('toHttpApiEvent', () => {
  it('builds the payload-format-2.0 event API Gateway sends', () => {
    const event = toHttpApiEvent({
      method: 'post',
      url: '/proposals/p-1/approve?a=1&a=2&b=x%20y',
      headers: { host: '127.0.0.1:8787', 'user-agent': 'UA', 'x-list': ['one', 'two'] },
      sourceIp: '127.0.0.1',
      httpVersion: '1.1',
      body: 'token=abc',
      at: new Date('2026-06-18T00:00:05Z'),
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/proposals/p-1/approve',
      rawQueryString: 'a=1&a=2&b=x%20y',
      queryStringParameters: { a: '1,2', b: 'x y' },
      headers: { host: '127.0.0.1:8787', 'user-agent': 'UA', 'x-list': 'one,two' },
      body: 'token=abc',
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        routeKey: '$default',
        http: { method: 'POST', path: '/proposals/p-1/approve', sourceIp: '127.0.0.1', userAgent: 'UA' },
        time: '18/Jun/2026:00:00:05 +0000',
        timeEpoch: Date.parse('2026-06-18T00:00:05Z'),
      },
    });
  });

  it('leaves out the query parameters and the body when there are none', () => {
    const event = toHttpApiEvent({
      method: 'GET',
      url: '/',
      headers: {},
      sourceIp: '127.0.0.1',
      httpVersion: '1.1',
      body: '',
      at: new Date(),
    });
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.rawQueryString).toBe('');
  });
});

describe('passrole-doctor serve', () => {
  it('prints the review link and Ctrl-C to stop, serves it, and stops cleanly', async () => {
    const io = recordingIo();
    const stop = new AbortController();
    const running = runServe(
      { event: SEED_EVENT, snapshot: SEED_SNAPSHOT, scp: [], port: 0 },
      io,
      stop.signal,
    );
    const listening = async (): Promise<string> => {
      for (;;) {
        const line = io.lines.find((text) => text.startsWith('Listening on '));
        if (line !== undefined) return line;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    expect(await listening()).toMatch(/^Listening on http:\/\/127\.0\.0\.1:\d+ \(Ctrl-C to stop\)$/);
    const review = io.lines.find((text) => text.startsWith('  Review: '))?.slice('  Review: '.length) ?? '';
    expect((await fetch(review)).status).toBe(200);
    stop.abort();
    expect(await running).toBe(0);
    expect(io.errors).toEqual([]);
    await expect(fetch(review)).rejects.toThrow();
  });

  it.each([
    [['serve', '--snapshot', SEED_SNAPSHOT], "required option '--event <FILE>' not specified"],
    [
      ['serve', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT, '--port', 'http'],
      "--port 'http' is invalid: it must be a whole number from 0 to 65535",
    ],
    [
      ['serve', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT, '--host', '0.0.0.0'],
      "unknown option '--host' (did you mean --port?)",
    ],
  ])('refuses bad arguments with exit 2: %j', async (argv, message) => {
    const io = recordingIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.errors[0]).toContain(message);
  });

  it.each([
    [
      'a missing event file',
      () => ['--event', join(scratch, 'nope.json'), '--snapshot', SEED_SNAPSHOT],
      'no such file',
    ],
    [
      'an event file that is not JSON',
      () => ['--event', file('bad.json', '{'), '--snapshot', SEED_SNAPSHOT],
      'not JSON',
    ],
    [
      'a snapshot without the principal',
      () => [
        '--event',
        SEED_EVENT,
        '--snapshot',
        file(
          'empty.json',
          JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }),
        ),
      ],
      'has no IAM entity arn:aws:iam::123456789012:user/mei.tanaka',
    ],
  ])('refuses %s with one line and exit 2, before listening', async (_what, args, message) => {
    const io = recordingIo();
    expect(await runCli(['serve', ...args(), '--port', '0'], io)).toBe(2);
    expect(io.errors).toHaveLength(1);
    expect(io.errors[0]).toContain(message);
    expect(io.lines).toEqual([]);
  });
});

describe('InProcessApplyTrigger', () => {
  async function approvedSeed(): Promise<InMemoryIncidentStore> {
    const store = new InMemoryIncidentStore();
    const record = approved(await diagnosedSeedRecord());
    await store.create(record, new Date(record.createdAt));
    return store;
  }

  it('reports what the apply found, refusals included, without throwing', async () => {
    const store = await approvedSeed();
    const world = applyWorld(approved(await diagnosedSeedRecord()));
    const results: string[] = [];
    const trigger = new InProcessApplyTrigger(
      { ...world.deps, store, settings: { ...SETTINGS, allowedTargetTypes: ['role'] } },
      (id, result) => results.push(`${id}: ${describeApplyResult(result)}`),
    );
    await expect(trigger.requestApply(PROPOSAL_ID)).resolves.toBeUndefined();
    expect(results).toEqual([expect.stringMatching(/^p-seed: refused: .* \(nothing was written\)$/)]);
    expect((await store.get(PROPOSAL_ID))?.status).toBe('failed');
  });

  it('throws when the apply cannot start (the store cannot be read)', async () => {
    const world = applyWorld(approved(await diagnosedSeedRecord()));
    const unreadable = new InMemoryIncidentStore();
    unreadable.get = () => Promise.reject(new TransientAwsError('the store is unavailable'));
    const results: string[] = [];
    const trigger = new InProcessApplyTrigger({ ...world.deps, store: unreadable }, (id) => results.push(id));
    await expect(trigger.requestApply(PROPOSAL_ID)).rejects.toThrow('the store is unavailable');
    expect(results).toEqual([]);
  });
});

describe('the local server’s reconciler', () => {
  it('applies an approval whose apply stopped, as the stack’s reconciler does, once', async () => {
    // The server's own decision keys, so the test signs the decision the approval function would.
    const decisionKeys = new LocalDecisionKeys();
    const server = await startLocalServer({
      event: SEED_EVENT,
      snapshot: SEED_SNAPSHOT,
      port: 0,
      reconcileGraceMs: 0,
      // Only the passes this test asks for.
      reconcileIntervalMs: 3_600_000,
      decisionKeys,
    });
    try {
      const [proposal] = server.proposals;
      if (proposal === undefined) throw new Error('the seed has no proposal');
      const roleArn = proposal.record.denial.roleArn;
      const target = proposal.record.proposal?.target;
      if (roleArn === null || target === undefined) throw new Error('the seed proposal names no role');
      const inputs = await server.snapshot.readEscalationInputs(roleArn, target);
      if (inputs.role === null) throw new Error('the seed role was not read');
      const at = new Date();
      const decision = await signDecision(
        decisionKeys.signer,
        envelopeFor(proposal.record, {
          fingerprint: escalationFingerprint(inputs.role, inputs.gainers),
          decidedAt: at,
        }),
      );
      // Approved (and signed), and then the apply died before it began (no trigger reached it).
      const moved = await server.approvals.transition(proposal.id, {
        from: 'pending',
        to: 'approved',
        actor: { kind: 'link-holder', name: 'link holder', sourceIp: '127.0.0.1', userAgent: null },
        at,
        decision,
      });
      expect(moved.kind).toBe('moved');

      expect(await server.reconcile()).toEqual([
        `proposal ${proposal.id} (apply-not-started): applied and verified: allowed with MFA present (assumed by the simulation: the denied request did not have it) (1 simulation)`,
      ]);
      expect((await server.store.get(proposal.id))?.status).toBe('verified');
      expect(server.messages.at(-1)?.subject).toContain('Applied and verified');
      expect(await server.reconcile()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('never applies an approval the approval function did not sign, and says so', async () => {
    const server = await startLocalServer({
      event: SEED_EVENT,
      snapshot: SEED_SNAPSHOT,
      port: 0,
      reconcileGraceMs: 0,
      reconcileIntervalMs: 3_600_000,
    });
    try {
      const [proposal] = server.proposals;
      if (proposal === undefined) throw new Error('the seed has no proposal');
      // Approved in the table directly, as a forged item would be: no signed decision.
      await server.store.transition(proposal.id, {
        from: 'pending',
        to: 'approved',
        actor: { kind: 'link-holder', name: 'link holder', sourceIp: '127.0.0.1', userAgent: null },
        at: new Date(),
      });
      expect(await server.reconcile()).toEqual([
        expect.stringMatching(new RegExp(`^proposal ${proposal.id}: not applied: .*needs re-approval`)),
      ]);
      expect((await server.store.get(proposal.id))?.status).toBe('approved');
    } finally {
      await server.close();
    }
  });
});
