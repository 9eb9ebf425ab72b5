/**
 * The live diagnosis's cost by account size (`npx tsx bench/account-size.ts`, or runAccountSizeBench()
 * from bench/run.ts). One moto_server for the run, grown through the sizes of the table
 * (bench/account-builder.ts) with the seed scenario's entities added once; at each size a fresh
 * process (bench/account-size-child.ts, bundled as Lambda runs it) diagnoses the seed denial live,
 * reading IAM through a counting proxy in this process (bench/counting-proxy.ts). Per size: IAM calls
 * by command, the escalation analysis's own reads counted apart, sequential round trips, response
 * bytes, wall time and peak RSS; then whether each of the targets holds.
 *
 * moto answers GetAccountAuthorizationDetails in one response at any size; IAM pages it (at most
 * 1,000 entities a page, one page after another), so a whole-account read's line also gives the calls
 * and round trips with its pages as IAM would send them, and the targets are judged on those. moto's
 * bytes and times compare runs of this code; they do not predict AWS's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { createMotoClients } from '../test/integration/support/aws-clients';
import { startMoto } from '../test/integration/support/moto';
import { SEED_ACCOUNT, seedGlueAccount } from '../test/integration/support/seed-account';
import { growAccount, type AccountSize } from './account-builder';
import type { ChildResult, TimelineEntry } from './account-size-child';
import { startCountingProxy } from './counting-proxy';
import { printBenchLines } from './support';

const ROOT = join(__dirname, '..');
const CHILD_BUNDLE = join(ROOT, 'dist/bench/account-size-child.cjs');

/** The table: roles, users, groups, customer managed policies. */
const SIZES: AccountSize[] = [
  { roles: 20, users: 10, groups: 5, customerPolicies: 5 },
  { roles: 500, users: 100, groups: 30, customerPolicies: 50 },
  { roles: 2_000, users: 400, groups: 100, customerPolicies: 200 },
  { roles: 5_000, users: 1_000, groups: 300, customerPolicies: 500 },
  { roles: 10_000, users: 2_000, groups: 600, customerPolicies: 1_000 },
];
const EMPTY: AccountSize = { roles: 0, users: 0, groups: 0, customerPolicies: 0 };

/** The targets. */
const FLAT_RATIO = 1.2;
const MAX_READS = 20;
const MAX_ROUND_TRIPS = 4;
const MAX_SIMULATIONS = 4;
const MAX_PEAK_RSS_MIB = 128;
/** What one GetAccountAuthorizationDetails page holds at most on IAM. */
const IAM_PAGE_ENTITIES = 1_000;

const MIB = 1024 * 1024;
const count = (value: number) => value.toLocaleString('en-US');
const kb = (bytes: number) =>
  bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;

interface SizeFigures {
  size: AccountSize;
  reads: TimelineEntry[];
  escalationReads: TimelineEntry[];
  simulations: number;
  readRoundTrips: number;
  /** The critical path with every simulation counted as one call (SimulatePrincipalPolicy on AWS). */
  roundTripsWithSimulations: number;
  /** Pages IAM would send for one GetAccountAuthorizationDetails of this account. */
  iamPages: number;
  /** The same figures with every GetAccountAuthorizationDetails counted as the pages IAM sends. */
  onIam: {
    reads: number;
    escalationReads: number;
    readRoundTrips: number;
    roundTripsWithSimulations: number;
  };
  bytes: number;
  escalationBytes: number;
  wallMs: number;
  peakRssBytes: number;
  rssBeforeBytes: number;
  verdict: string;
  proposalVerified: boolean | null;
}

function bundleChild(): void {
  mkdirSync(join(ROOT, 'dist/bench'), { recursive: true });
  // Packages stay external (as the CLI's bundle): node resolves them from ./node_modules.
  buildSync({
    entryPoints: [join(__dirname, 'account-size-child.ts')],
    outfile: CHILD_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
}

function byCommand(entries: readonly TimelineEntry[]): string {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.command] = (counts[entry.command] ?? 0) + 1;
  const listed = Object.entries(counts).map(([name, value]) => `${name} ${value}`);
  return listed.length > 0 ? listed.join(', ') : 'none';
}

/**
 * The longest chain of entries each started after the one before it finished: the sequential round
 * trips. (summarizeAwsCalls computes the same for the product's call recorder, whose module the
 * targeted reader moves; this keeps the bench's one link to the reader its import in the child.)
 */
function sequentialRoundTrips(entries: readonly TimelineEntry[]): number {
  const ordered = [...entries].sort((a, b) => a.startTick - b.startTick);
  const chain: number[] = [];
  ordered.forEach((entry, index) => {
    const before = ordered
      .slice(0, index)
      .flatMap((earlier, earlierIndex) =>
        earlier.finishTick < entry.startTick ? [chain[earlierIndex] ?? 0] : [],
      );
    chain.push(1 + Math.max(0, ...before));
  });
  return Math.max(0, ...chain);
}

function entitiesOf(size: AccountSize): number {
  const seed =
    SEED_ACCOUNT.RoleDetailList.length +
    SEED_ACCOUNT.UserDetailList.length +
    SEED_ACCOUNT.GroupDetailList.length;
  return size.roles + size.users + size.groups + size.customerPolicies + seed;
}

function figuresOf(size: AccountSize, child: ChildResult, bytes: Record<string, number>): SizeFigures {
  const iamPages = Math.ceil(entitiesOf(size) / IAM_PAGE_ENTITIES);
  // moto sends one page where IAM sends iamPages, one after another: each is one more call and, as the
  // pages are read in sequence, one more round trip on the path that reads them.
  const extraPages = (entries: readonly TimelineEntry[]) =>
    entries.filter((entry) => entry.command === 'GetAccountAuthorizationDetails').length * (iamPages - 1);
  const reads = child.timeline.filter(
    (entry) => entry.phase !== 'simulation' && entry.phase !== 'escalation',
  );
  const escalationReads = child.timeline.filter((entry) => entry.phase === 'escalation');
  const escalationBytes = bytes['escalation'] ?? 0;
  const allBytes = Object.values(bytes).reduce((sum, value) => sum + value, 0);
  const readRoundTrips = sequentialRoundTrips(reads);
  const roundTripsWithSimulations = sequentialRoundTrips(
    child.timeline.filter((entry) => entry.phase !== 'escalation'),
  );
  return {
    size,
    reads,
    escalationReads,
    simulations: child.timeline.length - reads.length - escalationReads.length,
    readRoundTrips,
    roundTripsWithSimulations,
    iamPages,
    onIam: {
      reads: reads.length + extraPages(reads),
      escalationReads: escalationReads.length + extraPages(escalationReads),
      readRoundTrips: readRoundTrips + extraPages(reads),
      roundTripsWithSimulations: roundTripsWithSimulations + extraPages(reads),
    },
    bytes: allBytes - escalationBytes,
    escalationBytes,
    wallMs: child.wallMs,
    peakRssBytes: child.peakRssBytes,
    rssBeforeBytes: child.rssBeforeBytes,
    verdict: child.verdict,
    proposalVerified: child.proposalVerified,
  };
}

function sizeLine(figures: SizeFigures): string {
  const { size } = figures;
  const { onIam } = figures;
  const paged =
    onIam.reads !== figures.reads.length || onIam.escalationReads !== figures.escalationReads.length;
  const paging = paged
    ? `; as IAM pages GetAccountAuthorizationDetails (${figures.iamPages} pages): reads ${onIam.reads} in ` +
      `${onIam.readRoundTrips} round trips (${onIam.roundTripsWithSimulations} counting simulations), ` +
      `escalation reads ${onIam.escalationReads}`
    : '';
  return (
    `  ${count(size.roles)} roles, ${count(size.users)} users, ${count(size.groups)} groups, ` +
    `${count(size.customerPolicies)} customer policies (+ the seed's): ` +
    `reads ${figures.reads.length} (${byCommand(figures.reads)}) in ${figures.readRoundTrips} round trips, ` +
    `${figures.simulations} simulations (${figures.roundTripsWithSimulations} round trips counting them as calls); ` +
    `escalation reads ${figures.escalationReads.length} (${byCommand(figures.escalationReads)}); ` +
    `response bytes ${kb(figures.bytes)} (+ escalation ${kb(figures.escalationBytes)}); ` +
    `wall ${(figures.wallMs / 1000).toFixed(2)} s; peak RSS ${mib(figures.peakRssBytes)} ` +
    `(${mib(figures.rssBeforeBytes)} before the diagnosis); verdict ${figures.verdict}, ` +
    `proposal verified ${String(figures.proposalVerified)}${paging}`
  );
}

const holds = (ok: boolean) => (ok ? 'holds' : 'FAILS');

/** Whether a figure stays within FLAT_RATIO of its value at the smallest size. */
function flatLine(what: string, first: number, last: number, show: (value: number) => string): string {
  const ratio = last / Math.max(1, first);
  return (
    `  target: ${what} flat (largest within ${FLAT_RATIO}x of smallest): ${show(first)} -> ${show(last)} ` +
    `(${ratio.toFixed(2)}x): ${holds(ratio <= FLAT_RATIO)}`
  );
}

function targetLines(all: SizeFigures[]): string[] {
  const first = all[0];
  const last = all[all.length - 1];
  if (first === undefined || last === undefined) return [];
  // Judged on the calls IAM would answer (GetAccountAuthorizationDetails as its pages), not moto's.
  const maxReads = Math.max(...all.map((figures) => figures.onIam.reads));
  const maxTrips = Math.max(...all.map((figures) => figures.onIam.readRoundTrips));
  const maxSimulations = Math.max(...all.map((figures) => figures.simulations));
  const maxTripsWithSimulations = Math.max(...all.map((figures) => figures.onIam.roundTripsWithSimulations));
  const maxRss = Math.max(...all.map((figures) => figures.peakRssBytes));
  return [
    flatLine('IAM calls of the diagnosis (as IAM pages)', first.onIam.reads, last.onIam.reads, count),
    flatLine('response bytes of the diagnosis', first.bytes, last.bytes, kb),
    `  target: at most ${MAX_READS} reads in at most ${MAX_ROUND_TRIPS} sequential round trips: ` +
      `at most ${maxReads} reads in ${maxTrips}: ${holds(maxReads <= MAX_READS && maxTrips <= MAX_ROUND_TRIPS)}`,
    // The first simulation needs no read on AWS; the verification needs the proposal, made from the
    // reads: it and the one beneath a relievable deny start together once the reads are done.
    `  target: at most ${MAX_SIMULATIONS} simulations, each started once what it needs is read: ` +
      `at most ${maxSimulations}, ${maxTripsWithSimulations} round trips counting each as one call ` +
      `(the reads' ${maxTrips} and the verification's 1): ` +
      `${holds(maxSimulations <= MAX_SIMULATIONS && maxTripsWithSimulations <= maxTrips + 1)}`,
    // The issue counts the escalation analysis's reads apart: its ListRoles scan grows with the account.
    `  apart: the escalation analysis's own reads: ${count(first.onIam.escalationReads)} -> ` +
      `${count(last.onIam.escalationReads)} calls, ${kb(first.escalationBytes)} -> ${kb(last.escalationBytes)}` +
      ` (ListRoles pages: which roles trust the passed role)`,
    `  target: peak RSS <= ${MAX_PEAK_RSS_MIB} MiB at every size: at most ${mib(maxRss)}: ` +
      `${holds(maxRss <= MAX_PEAK_RSS_MIB * MIB)}`,
  ];
}

export async function runAccountSizeBench(): Promise<string[]> {
  bundleChild();
  const moto = await startMoto({ readyTimeoutMs: 60_000 });
  const proxy = await startCountingProxy(moto.endpoint);
  const clients = createMotoClients(moto.endpoint);
  const all: SizeFigures[] = [];
  const lines: string[] = [];
  let reader: string | null = null;
  try {
    await seedGlueAccount(clients.iam);
    let built = EMPTY;
    for (const size of SIZES) {
      const buildStart = performance.now();
      await growAccount(clients.iam, built, size);
      built = size;
      const buildSeconds = (performance.now() - buildStart) / 1000;
      proxy.reset();
      // Asynchronously: the proxy in this process must keep answering while the child runs.
      const { stdout } = await promisify(execFile)(process.execPath, [CHILD_BUNDLE, proxy.endpoint, ROOT], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * MIB,
      });
      const child = JSON.parse(stdout) as ChildResult;
      reader ??= child.reader;
      const figures = figuresOf(size, child, proxy.bytes());
      all.push(figures);
      const line = `${sizeLine(figures)} [account grown in ${buildSeconds.toFixed(1)} s]`;
      // Progress on stderr: the largest sizes take minutes to build.
      console.error(
        `account size: ${count(size.roles)} roles measured (account grown in ${buildSeconds.toFixed(1)} s)`,
      );
      lines.push(line);
    }
  } finally {
    clients.destroy();
    await proxy.stop();
    await moto.stop();
  }
  return [
    `account size: one live diagnosis of the seed scenario per size with ${reader ?? 'the live reader'} ` +
      '(moto IAM through a counting proxy, the local simulator, a fresh process per size)',
    ...lines,
    ...targetLines(all),
  ];
}

if (require.main === module) printBenchLines(runAccountSizeBench);
