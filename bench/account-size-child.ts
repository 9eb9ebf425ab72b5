/**
 * One live diagnosis of the seed scenario, in a process of its own so its peak RSS is the diagnosis's
 * (bench/account-size.ts bundles this file with esbuild and runs it once per account size, as Lambda
 * runs a bundle). The reader reads IAM through the counting proxy given as argv[2]; every call is
 * recorded with the part of the diagnosis that made it (the scope, the escalation inputs), and each
 * simulation on the same timeline, so the sequential round trips count simulations as calls. The
 * local simulator stands in for SimulatePrincipalPolicy (moto has none). Prints one JSON line.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import type { HttpRequest } from '@smithy/protocol-http';
// The live reader under measurement: switch this one import to measure another.
import { TargetedAccountReader as LiveAccountReader } from '../lambda/adapters/aws/targeted-account-reader';
import { InMemoryAuthorizationRecordReader } from '../lambda/adapters/memory/in-memory-authorization-record-reader';
import { LocalPolicySimulator } from '../lambda/adapters/local/local-policy-simulator';
import { readDenials } from '../lambda/core/denial';
import { createDiagnoser } from '../lambda/core/diagnose';
import { proposalOf, verdictOf } from '../lambda/core/diagnosis/derived';
import { defaultEscalationDependencies } from '../lambda/core/proposal/assess-escalation';
import { requestHandlerSettings } from '../lambda/handlers/client-settings';
import type { AccountReader } from '../lambda/ports/account-reader';
import type { EscalationReader } from '../lambda/ports/escalation-reader';
import type { PolicySimulator } from '../lambda/ports/policy-simulator';
import { PHASE_HEADER } from './counting-proxy';

const BENCH_REQUEST_TIMEOUT_MS = 300_000;

export type Phase = 'scope' | 'escalation' | 'simulation' | 'other';

export interface TimelineEntry {
  command: string;
  phase: Phase;
  startTick: number;
  finishTick: number;
}

export interface ChildResult {
  /** The live reader's class name. */
  reader: string;
  timeline: TimelineEntry[];
  wallMs: number;
  /** RSS once the modules are loaded and the clients built, before the diagnosis. */
  rssBeforeBytes: number;
  peakRssBytes: number;
  verdict: string;
  proposalVerified: boolean | null;
}

async function main(): Promise<void> {
  const endpoint = process.argv[2];
  const root = process.argv[3];
  if (endpoint === undefined || root === undefined)
    throw new Error('usage: account-size-child ENDPOINT ROOT');
  const eventPath = join(root, 'examples/seed/denial.json');
  const [outcome] = readDenials(JSON.parse(readFileSync(eventPath, 'utf8')), eventPath);
  if (outcome?.kind !== 'denial') throw new Error('the seed event is not a denial');

  const phases = new AsyncLocalStorage<Phase>();
  const timeline: TimelineEntry[] = [];
  let tick = 0;
  const iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    // The product's settings but a longer wait for an answer: moto builds a large account's
    // GetAccountAuthorizationDetails in one response, slower than IAM sends a page, and a timeout
    // would retry it and count the calls twice.
    requestHandler: requestHandlerSettings(BENCH_REQUEST_TIMEOUT_MS),
  });
  iam.middlewareStack.add(
    (next, context) => async (args) => {
      const phase = phases.getStore() ?? 'other';
      (args.request as HttpRequest).headers[PHASE_HEADER] = phase;
      const entry: TimelineEntry = {
        command: (context.commandName ?? 'unknown').replace(/Command$/, ''),
        phase,
        startTick: ++tick,
        finishTick: 0,
      };
      timeline.push(entry);
      try {
        return await next(args);
      } finally {
        entry.finishTick = ++tick;
      }
    },
    { step: 'build', name: 'benchPhaseRecorder' },
  );

  const reader = new LiveAccountReader(iam, {});
  const accountReader: AccountReader = {
    loadScope: (policySourceArn, roleArn) =>
      phases.run('scope', () => reader.loadScope(policySourceArn, roleArn)),
  };
  const escalationReader: EscalationReader = {
    readEscalationInputs: (roleArn, target) =>
      phases.run('escalation', () => reader.readEscalationInputs(roleArn, target)),
  };
  const local = new LocalPolicySimulator();
  const simulator: PolicySimulator = {
    simulate: async (request) => {
      const entry: TimelineEntry = {
        command: 'Simulation',
        phase: 'simulation',
        startTick: ++tick,
        finishTick: 0,
      };
      timeline.push(entry);
      try {
        return await local.simulate(request);
      } finally {
        entry.finishTick = ++tick;
      }
    },
  };
  const diagnoser = createDiagnoser({
    accountReader,
    simulator,
    instanceProfiles: reader,
    authorizationRecords: new InMemoryAuthorizationRecordReader([], 'the bench measures the IAM reads'),
    escalation: defaultEscalationDependencies(escalationReader),
  });

  const rssBeforeBytes = process.memoryUsage().rss;
  const start = performance.now();
  const diagnosis = await diagnoser.diagnose(outcome.denial);
  const wallMs = performance.now() - start;
  const result: ChildResult = {
    reader: reader.constructor.name,
    timeline,
    wallMs,
    rssBeforeBytes,
    // maxRSS is in kibibytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    verdict: verdictOf(diagnosis),
    proposalVerified: proposalOf(diagnosis)?.verified ?? null,
  };
  iam.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
