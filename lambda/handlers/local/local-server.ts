/**
 * `passrole-doctor serve`, in-process: the approval function (the same createApprovalHandler the stack
 * deploys) behind node:http on 127.0.0.1, against an offline snapshot. At start it diagnoses every
 * denial in the event file and runs those with a proposed fix through the incident workflow the
 * diagnose function runs, over in-memory ports: a pending record per incident and the message the team
 * channel would receive, with its signed review link. Approving applies to the in-memory snapshot
 * (applyProposal: write, read back, re-simulate) before the POST is answered; nothing reaches AWS.
 *
 * This file wires; the HTTP side is local-http-server.ts, the incidents open-incidents.ts.
 */
import { LocalDecisionKeys, LocalLinkMac } from '../../adapters/local/local-keys';
import { LocalPolicySimulator } from '../../adapters/local/local-policy-simulator';
import { InMemoryDecisionLedger } from '../../adapters/memory/in-memory-decision-ledger';
import { InMemoryEventPublisher } from '../../adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../../adapters/memory/in-memory-incident-store';
import { SnapshotAccountReader } from '../../adapters/snapshot/snapshot-account-reader';
import type { ApplyDependencies } from '../../core/apply/apply-proposal';
import type { EscalationAnalyser } from '../../core/approval/recheck';
import { InvalidInputError } from '../../core/errors';
import type { RenderedMessage } from '../../core/render/message';
import type { ApprovalStore } from '../../ports/approval-store';
import { createApprovalHandler } from '../approval/handler';
import { diagnoseEventFile } from './diagnose-event-file';
import { describeApplyResult, InProcessApplyTrigger } from './in-process-apply-trigger';
import { startLocalHttpServer } from './local-http-server';
import { startLocalReconciler } from './local-reconciler';
import { openIncidents, type LocalProposal } from './open-incidents';
import { TerminalLogger } from './terminal-logger';

// Where the tests and the CLI have always imported them from.
export { isLoopbackHost, LOOPBACK_ADDRESS, MAX_REQUEST_BODY_BYTES } from './local-http-server';
export { PROPOSAL_TTL_HOURS, type LocalProposal } from './open-incidents';

export const DEFAULT_PORT = 8787;
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
  store: InMemoryIncidentStore;
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

function applyDependencies(
  parts: Pick<ApplyDependencies, 'store' | 'notifier' | 'events' | 'decisionVerifier' | 'simulator'>,
  snapshot: SnapshotAccountReader,
  verifyTimeoutMs: number,
): ApplyDependencies {
  return {
    ...parts,
    // One reader over the one snapshot: the approval signs the fingerprint the apply step re-reads.
    escalationReader: snapshot,
    decisionLedger: new InMemoryDecisionLedger(),
    writer: snapshot,
    accountReader: snapshot,
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
}

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
  // Bad input is refused here, before anything listens.
  const diagnosed = await diagnoseEventFile(options, snapshot, simulator);

  const store = new InMemoryIncidentStore();
  const notifier = new InMemoryNotifier();
  const events = new InMemoryEventPublisher();
  // Fresh keys per run: links and decisions of an earlier run (or another machine) mean nothing here.
  const linkMac = new LocalLinkMac();
  const decisionKeys = options.decisionKeys ?? new LocalDecisionKeys();
  // The approval handler signs with the in-process key; the apply step verifies with its public half.
  const approvals = store;
  const applyDeps = applyDependencies(
    { store: approvals, notifier, events, decisionVerifier: decisionKeys.verifier, simulator },
    snapshot,
    options.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
  );
  const handler = createApprovalHandler({
    store: approvals,
    applyTrigger: new InProcessApplyTrigger(applyDeps, (id, result) =>
      log(`proposal ${id}: ${describeApplyResult(result)}`),
    ),
    linkMac,
    // In-process decision keys: the same signing code path as the KMS key.
    signer: decisionKeys.signer,
    escalationReader: snapshot,
    ...(options.analyseEscalation ? { analyse: options.analyseEscalation } : {}),
    logger: new TerminalLogger(log),
    // The IAM routes need API Gateway's SigV4 authorizer: locally only the review link decides.
    settings: { approvalMode: 'link' },
    // Forms must come from this server's own pages: plain http, on the loopback name the request used
    // (the Host header is checked to be a loopback name before the handler sees the request).
    ownOrigin: (event) => `http://${event.requestContext.domainName}`,
  });

  const http = await startLocalHttpServer({ port, handler, log });
  let proposals: LocalProposal[];
  try {
    // The review links start with the server's URL: the messages go out once it listens.
    proposals = await openIncidents(
      { store, notifier, linkMac, reviewBaseUrl: http.url },
      diagnosed.proposals,
    );
  } catch (error) {
    await http.close();
    throw error;
  }

  const reconciler = startLocalReconciler(applyDeps, {
    graceMs: options.reconcileGraceMs ?? DEFAULT_RECONCILE_GRACE_MS,
    intervalMs: options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
    log,
  });

  return {
    url: http.url,
    proposals,
    reviewUrls: proposals.map((proposal) => proposal.reviewUrl),
    messages: notifier.messages,
    skipped: diagnosed.skipped,
    snapshot,
    store,
    approvals,
    events,
    reconcile: reconciler.reconcile,
    close: () => {
      reconciler.stop();
      return http.close();
    },
  };
}
