/**
 * `passrole-doctor serve`, in-process: the approval function (the same createApprovalHandler the stack
 * deploys) behind node:http on 127.0.0.1, against an offline snapshot. At start it diagnoses every
 * denial in the event file, stores a pending record per proposal and renders the message the team
 * channel would receive, with its signed review link. Approving applies to the in-memory snapshot
 * (applyProposal: write, read back, re-simulate) before the POST is answered; nothing reaches AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalDecisionKeys, LocalLinkMac } from '../../adapters/local/local-keys';
import { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import { InMemoryDecisionLedger } from '../../adapters/memory/in-memory-decision-ledger';
import { InMemoryEventPublisher } from '../../adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../adapters/memory/in-memory-notifier';
import { InMemoryProposalStore } from '../../adapters/memory/in-memory-proposal-store';
import { SnapshotAccountReader } from '../../adapters/snapshot/snapshot-account-reader';
import { applyProposal, type ApplyDependencies } from '../../core/apply/apply-proposal';
import { planReconcile } from '../../core/apply/reconcile';
import { approvalLinksOf } from '../../core/approval/links';
import type { EscalationAnalyser } from '../../core/approval/recheck';
import { readDenials } from '../../core/denial';
import { createDiagnoser } from '../../core/diagnose';
import { defaultEscalationDependencies } from '../../core/proposal/assess-escalation';
import { InvalidInputError, PrincipalNotFoundError } from '../../core/errors';
import { incidentKeyOf, newProposalRecord, type ProposalRecord } from '../../core/incident';
import type { Denial, Diagnosis } from '../../core/model';
import { escapeHtml, page, PAGE_HEADERS } from '../../core/render/html';
import { renderMessage, type RenderedMessage } from '../../core/render/message';
import type { ApprovalStore } from '../../ports/approval-store';
import { createApprovalHandler, type ApprovalLogger, type LogAttributes } from '../approval/handler';
import { readJsonFile } from '../cli/io';
import { toHttpApiEvent, writeHttpApiResponse } from './http-api-event';
import { describeApplyResult, InProcessApplyTrigger } from './in-process-apply-trigger';
import { renderSummary } from '../../core/render/diagnosis-summary';

/** The only address the server binds: the review page approves IAM changes, so it is never exposed. */
export const LOOPBACK_ADDRESS = '127.0.0.1';
export const DEFAULT_PORT = 8787;
/** Request bodies beyond this are refused with 413 before the handler sees them (a form is ~60 bytes). */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/** As the diagnose function keeps a proposal open. */
export const PROPOSAL_TTL_HOURS = 72;
/** The snapshot changes at once; a short window still shows how a lagging account would be retried. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 10_000;
/** The local reconciler: much sooner than the stack's (every 5 minutes), a person is waiting. */
export const DEFAULT_RECONCILE_INTERVAL_MS = 10_000;
export const DEFAULT_RECONCILE_GRACE_MS = 30_000;

export interface LocalServerOptions {
  /** A CloudTrail record, an EventBridge event or a CloudTrail log file. */
  event: string;
  /** `aws iam get-account-authorization-details` output: what is diagnosed and what approvals change. */
  snapshot: string;
  /** SCPs in force for the account, root first. */
  scp?: string[];
  /** 0 picks a free port. Default 8787. */
  port?: number;
  /** Lines for the terminal while serving: apply outcomes, refused links, requests. */
  log?: (line: string) => void;
  verifyTimeoutMs?: number;
  /** How often the local reconciler looks for approvals whose apply stopped. Default 10 s. */
  reconcileIntervalMs?: number;
  /** How long after its last move a record is left to the apply under way. Default 30 s. */
  reconcileGraceMs?: number;
  /** The escalation analysis the approvals re-run (core/escalation/analyse.ts unless a test injects one). */
  analyseEscalation?: EscalationAnalyser;
  /** The decision keys (fresh per run unless a test brings its own, to sign a decision itself). */
  decisionKeys?: LocalDecisionKeys;
}

export interface LocalProposal {
  id: string;
  /** The signed review link, as the published message carries it. */
  reviewUrl: string;
  /** The record as first stored (pending). */
  record: ProposalRecord;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  proposals: LocalProposal[];
  reviewUrls: string[];
  /** What the team channel would have received so far: the proposals, then each apply's outcome. */
  messages: readonly RenderedMessage[];
  /** Denials in the file that yield nothing to review (not PassRole denials, no fix proposed), one line each. */
  skipped: string[];
  /** The account as it now stands: approvals write here. */
  snapshot: SnapshotAccountReader;
  store: InMemoryProposalStore;
  /** The store as the approval function and the apply step see it (the same store as `store`). */
  approvals: ApprovalStore;
  events: InMemoryEventPublisher;
  /**
   * One pass of the local reconciler (it also runs every reconcileIntervalMs): applies again what an
   * apply left unfinished, as the stack's reconciler does. One line per proposal it took up.
   */
  reconcile(): Promise<string[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- diagnosis at start

interface Diagnosed {
  proposals: (Diagnosis & { denial: Denial })[];
  skipped: string[];
}

/** Every denial in the file diagnosed over the snapshot; bad input throws InvalidInputError. */
async function diagnoseFile(
  options: LocalServerOptions,
  snapshot: SnapshotAccountReader,
  simulator: LocalPolicySimulator,
): Promise<Diagnosed> {
  const input = await readJsonFile(options.event);
  // Offline, as the CLI: the default approval settings, said to be assumed.
  const diagnoser = createDiagnoser({
    accountReader: snapshot,
    simulator,
    escalation: defaultEscalationDependencies(snapshot),
  });
  const diagnosed: Diagnosed = { proposals: [], skipped: [] };
  for (const outcome of readDenials(input, options.event)) {
    if (outcome.kind === 'invalid') throw new InvalidInputError(outcome.reason, outcome.where);
    if (outcome.kind === 'not-applicable') {
      diagnosed.skipped.push(`${outcome.where}: not an iam:PassRole denial (${outcome.reason})`);
      continue;
    }
    let diagnosis: Diagnosis;
    try {
      diagnosis = await diagnoser.diagnose(outcome.denial);
    } catch (error) {
      if (error instanceof PrincipalNotFoundError) {
        throw new InvalidInputError(
          `${options.snapshot} has no IAM entity ${error.policySourceArn}`,
          outcome.where,
          { cause: error },
        );
      }
      throw error;
    }
    if (diagnosis.outcome !== 'proposed') {
      diagnosed.skipped.push(`${outcome.where}: no fix proposed: ${renderSummary(diagnosis)}`);
      continue;
    }
    diagnosed.proposals.push({ ...diagnosis, denial: outcome.denial });
  }
  if (diagnosed.proposals.length === 0) {
    const why = diagnosed.skipped.length > 0 ? ` (${diagnosed.skipped.join('; ')})` : '';
    throw new InvalidInputError(
      `nothing to review: no denial in the file has a proposed fix${why}`,
      options.event,
    );
  }
  return diagnosed;
}

/** One record per incident (denials of the same incident count as occurrences of it). */
async function storeProposals(
  store: InMemoryProposalStore,
  diagnoses: Diagnosed['proposals'],
  now: Date,
): Promise<string[]> {
  const ids: string[] = [];
  for (const diagnosis of diagnoses) {
    const record = newProposalRecord({
      id: randomUUID(),
      incidentKey: incidentKeyOf(diagnosis.denial),
      diagnosis,
      now,
      ttlHours: PROPOSAL_TTL_HOURS,
    });
    const created = await store.create(record, now);
    if (created.kind === 'created') ids.push(record.id);
    else if (created.proposalId !== null) {
      await store.recordOccurrence(created.proposalId, { eventId: diagnosis.denial.eventId, seenAt: now });
    }
  }
  return ids;
}

// ---------------------------------------------------------------- terminal

/** The approval function's logger, for a person at a terminal: warnings, errors and decisions. */
class TerminalLogger implements ApprovalLogger {
  private keys: LogAttributes = {};
  constructor(private readonly log: (line: string) => void) {}

  private line(prefix: string, message: string, attributes: LogAttributes[]): void {
    const all: LogAttributes = Object.assign({}, this.keys, ...attributes);
    const id = typeof all['proposalId'] === 'string' ? ` (proposal ${all['proposalId']})` : '';
    const reason = typeof all['reason'] === 'string' ? `: ${all['reason']}` : '';
    this.log(`${prefix}${message}${id}${reason}`);
  }
  debug(): void {}
  info(message: string, ...attributes: LogAttributes[]): void {
    if (message === 'proposal approved' || message === 'proposal rejected')
      this.line('', message, attributes);
  }
  warn(message: string, ...attributes: LogAttributes[]): void {
    this.line('warning: ', message, attributes);
  }
  error(message: string, ...attributes: LogAttributes[]): void {
    this.line('error: ', message, attributes);
  }
  appendKeys(attributes: LogAttributes): void {
    this.keys = { ...this.keys, ...attributes };
  }
  resetKeys(): void {
    this.keys = {};
  }
  addContext(): void {}
}

// ---------------------------------------------------------------- HTTP

/** Loopback names only: a page reached through another name (DNS rebinding) is refused. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const host = hostHeader.trim().toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(host);
}

type BodyRead = { ok: true; body: string } | { ok: false };

/** The request body as text, or not ok once it passes the limit (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        request.pause();
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve({ ok: true, body: Buffer.concat(chunks).toString('utf8') });
    });
    request.on('error', reject);
  });
}

function sendPage(response: ServerResponse, statusCode: number, title: string, message: string): void {
  const body = Buffer.from(
    page(title, `<h1 id="result">${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>`),
    'utf8',
  );
  // The connection is closed: an unread body must not be taken for the next request.
  response.writeHead(statusCode, {
    ...PAGE_HEADERS,
    'content-length': String(body.length),
    connection: 'close',
  });
  response.end(body);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${port} is already in use: pick another with --port`
          : `cannot listen on ${LOOPBACK_ADDRESS}:${port} (${error.code ?? error.message})`;
      reject(new InvalidInputError(why, '--port', { cause: error }));
    };
    server.once('error', failed);
    server.listen(port, LOOPBACK_ADDRESS, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

// ---------------------------------------------------------------- the server

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const log = options.log ?? (() => undefined);
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidInputError(`the port must be a whole number from 0 to 65535, not ${port}`, '--port');
  }
  const scps = await LocalPolicySimulator.loadScpFiles(options.scp ?? []);
  const snapshot = await SnapshotAccountReader.fromFile(options.snapshot, {
    scps: scps.length > 0 ? scps.map((scp) => [scp]) : null,
  });
  const simulator = new LocalPolicySimulator({ serviceControlPolicies: scps });
  const diagnosed = await diagnoseFile(options, snapshot, simulator);

  const now = new Date();
  const store = new InMemoryProposalStore();
  const ids = await storeProposals(store, diagnosed.proposals, now);
  const notifier = new InMemoryNotifier();
  const events = new InMemoryEventPublisher();
  // Fresh keys per run: links and decisions of an earlier run (or another machine) mean nothing here.
  const linkMac = new LocalLinkMac();
  const decisionKeys = options.decisionKeys ?? new LocalDecisionKeys();
  const verifyTimeoutMs = options.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  // One reader over the one snapshot: the approval signs the fingerprint the apply step re-reads.
  const escalationReader = snapshot;
  // The approval handler signs with the in-process key; the apply step verifies with its public half.
  const approvals = store;

  const applyDeps: ApplyDependencies = {
    store: approvals,
    decisionVerifier: decisionKeys.verifier,
    escalationReader,
    decisionLedger: new InMemoryDecisionLedger(),
    writer: snapshot,
    simulator,
    accountReader: snapshot,
    notifier,
    events,
    clock: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    settings: {
      protectedRoleArns: [],
      allowedTargetTypes: ['group', 'user', 'role'],
      verifyTimeoutMs,
      verifyFirstDelayMs: 250,
      verifyMaxDelayMs: 2_000,
      leaseMs: verifyTimeoutMs + 60_000,
      reviewBaseUrl: null,
    },
  };
  const handler = createApprovalHandler({
    store: approvals,
    applyTrigger: new InProcessApplyTrigger(applyDeps, (id, result) =>
      log(`proposal ${id}: ${describeApplyResult(result)}`),
    ),
    linkMac,
    // In-process decision keys: the same signing code path as the KMS key.
    signer: decisionKeys.signer,
    escalationReader,
    ...(options.analyseEscalation ? { analyse: options.analyseEscalation } : {}),
    logger: new TerminalLogger(log),
    // The IAM routes need API Gateway's SigV4 authorizer: locally only the review link decides.
    settings: { approvalMode: 'link' },
    // Forms must come from this server's own pages: plain http, on the loopback name the request used
    // (the Host header is checked to be a loopback name before the handler sees the request).
    ownOrigin: (event) => `http://${event.requestContext.domainName}`,
  });

  let url = '';
  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = new Date();
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (!isLoopbackHost(request.headers.host)) {
      sendPage(response, 421, 'Wrong address', `This server answers at ${url} only.`);
      log(`${method} ${path} 421 (Host ${String(request.headers.host).slice(0, 100)})`);
      return;
    }
    const read = await readBody(request, MAX_REQUEST_BODY_BYTES);
    if (!read.ok) {
      sendPage(
        response,
        413,
        'Request too large',
        `Requests are limited to ${MAX_REQUEST_BODY_BYTES} bytes.`,
      );
      log(`${method} ${path} 413`);
      return;
    }
    const result = await handler(
      toHttpApiEvent({
        method,
        url: request.url ?? '/',
        headers: request.headers,
        sourceIp: request.socket.remoteAddress ?? '',
        httpVersion: request.httpVersion,
        body: read.body,
        at,
      }),
    );
    writeHttpApiResponse(response, result);
    // The path only: the query string holds the review token.
    log(`${method} ${path} ${result.statusCode}`);
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      log(`error: ${requestLine(request)} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendPage(response, 500, 'Something went wrong', 'Nothing was decided.');
      else response.destroy();
    });
  });
  const boundPort = await listen(server, port);
  url = `http://${LOOPBACK_ADDRESS}:${boundPort}`;

  const proposals: LocalProposal[] = [];
  for (const id of ids) {
    const record = await store.get(id);
    if (record === null) continue;
    const links = await approvalLinksOf({ mode: 'link', record, reviewBaseUrl: url, linkMac });
    if (links.reviewUrl === null) continue;
    await notifier.publish(renderMessage({ kind: 'new', record, reviewBaseUrl: null, links }));
    await store.markNotified(id, now);
    proposals.push({ id, reviewUrl: links.reviewUrl, record });
  }

  const reconcileSettings = {
    graceMs: options.reconcileGraceMs ?? DEFAULT_RECONCILE_GRACE_MS,
    announceWithinMs: 24 * 3_600_000,
    limitPerStatus: 100,
  };
  async function reconcile(): Promise<string[]> {
    const lines: string[] = [];
    const plan = await planReconcile(approvals, new Date(), reconcileSettings, decisionKeys.verifier);
    for (const { proposalId, problem } of plan.unverified) {
      const line = `proposal ${proposalId}: not applied: ${problem}`;
      log(line);
      lines.push(line);
    }
    for (const stalled of plan.stalled) {
      let line: string;
      try {
        line = `proposal ${stalled.proposalId} (${stalled.reason}): ${describeApplyResult(await applyProposal(stalled.proposalId, applyDeps))}`;
      } catch (error) {
        line = `proposal ${stalled.proposalId} (${stalled.reason}): the apply stopped again (${error instanceof Error ? error.message : String(error)}); retried later`;
      }
      log(line);
      lines.push(line);
    }
    return lines;
  }
  const reconciling = setInterval(() => {
    reconcile().catch(() => undefined);
  }, options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS);
  // The server keeps the process alive; the timer alone must not.
  reconciling.unref();

  let closed: Promise<void> | null = null;
  return {
    url,
    proposals,
    reviewUrls: proposals.map((proposal) => proposal.reviewUrl),
    messages: notifier.messages,
    skipped: diagnosed.skipped,
    snapshot,
    store,
    approvals,
    events,
    reconcile,
    close: () => {
      clearInterval(reconciling);
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive: without this, close would wait for them to time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function requestLine(request: IncomingMessage): string {
  return `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0] ?? '/'}`;
}
