/**
 * `npm run bench`: the figures the issues ask for, measured here and never inside tests.
 * - offline diagnosis time per event on the seed scenario (median, p95 after warm-up)
 * - AWS calls per diagnosis of the seed scenario, through a mocked IAM with a fixed latency per call,
 *   so elapsed time / latency gives the sequential round trips on the critical path
 * - CLI cold start for one event
 * - the CLI's input path (bench/cli-input.ts): a directory of .json.gz log files and JSON lines, records/s
 * - the diagnose function (bench/handler.ts): handler overhead per record with AWS mocked, the
 *   10,000-denial storm, peak memory
 * - the diagnose function's bundle (bench/bundle.ts): zipped size with and without the source map,
 *   cold module init
 * - the escalation analysis (bench/escalation.ts): median and p95 per proposal for the seed, a custom
 *   role, PowerUserAccess and AdministratorAccess
 * - the live diagnosis by account size (bench/account-size.ts): IAM calls, round trips, response bytes,
 *   wall time and peak RSS of one seed diagnosis in moto accounts of 20 to 10,000 roles, and the targets
 * - the Identity Center reader (bench/identity-center.ts): calls and round trips to resolve a set, read
 *   its definition and its blast radius; the time to check a large Identity Center snapshot file
 * - the organization hub (bench/organization.ts): throughput, IAM and AssumeRole calls per incident with
 *   2 and 20 member accounts on moto through MemberAccountAccess, and the targets
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IAMClient,
  SimulatePrincipalPolicyCommand,
  type SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { runApplyBench } from './apply';
import { runBundleBench } from './bundle';
import { runCliInputBench } from './cli-input';
import { runEscalationBench } from './escalation';
import { runHandlerBench } from './handler';
import { runIdentityCenterBench } from './identity-center';
import { seedAuthorizationDetails, seedSimulationAnswer } from './seed-iam';
import { fakeIamFromSnapshot } from '../test/support/iam-snapshot-fake';
import { stats } from './support';
import { TargetedAccountReader } from '../lambda/adapters/aws/targeted-account-reader';
import { AwsPolicySimulator } from '../lambda/adapters/aws/aws-policy-simulator';
import { LocalPolicySimulator } from '../lambda/adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../lambda/adapters/snapshot/snapshot-account-reader';
import { readDenials } from '../lambda/core/denial';
import { createDiagnoser } from '../lambda/core/diagnose';
import { incidentKeyOf, newIncidentRecord } from '../lambda/core/incident';
import type { Denial } from '../lambda/core/model';
import { renderReviewPage } from '../lambda/core/render/review-page';
import { defaultEscalationDependencies } from '../lambda/core/proposal/assess-escalation';
import { proposalOf, verdictOf } from '../lambda/core/diagnosis/derived';
import { InMemoryAuthorizationRecordReader } from '../lambda/adapters/memory/in-memory-authorization-record-reader';

const ROOT = join(__dirname, '..');
const SNAPSHOT = join(ROOT, 'examples/seed/account.json');
const EVENT = join(ROOT, 'examples/seed/denial.json');

function seedDenial(): Denial {
  const [outcome] = readDenials(JSON.parse(readFileSync(EVENT, 'utf8')), EVENT);
  if (outcome?.kind !== 'denial') throw new Error('the seed event is not a denial');
  return outcome.denial;
}

async function offlineDiagnosis(): Promise<void> {
  const reader = await SnapshotAccountReader.fromFile(SNAPSHOT);
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  });
  const denial = seedDenial();
  const coldStart = performance.now();
  await diagnoser.diagnose(denial);
  const cold = performance.now() - coldStart;
  for (let i = 0; i < 200; i++) await diagnoser.diagnose(denial);
  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const start = performance.now();
    await diagnoser.diagnose(denial);
    samples.push(performance.now() - start);
  }
  const { median, p95 } = stats(samples);
  console.log(
    `offline diagnosis (seed, local simulator): median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms over ${samples.length} runs (first run ${cold.toFixed(1)} ms); target <= 5 ms`,
  );
}

// Long enough that local CPU work (a few ms) cannot add up to a round trip: elapsed / latency, floored.
const LATENCY_MS = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function awsCallsPerDiagnosis(): Promise<void> {
  const calls: string[] = [];
  // IAM's targeted reads answered from the seed snapshot, each after LATENCY_MS.
  const iamMock = fakeIamFromSnapshot(IAMClient, seedAuthorizationDetails(), {
    onCall: async (command) => {
      calls.push(command.replace(/Command$/, ''));
      await sleep(LATENCY_MS);
    },
  });
  iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input: SimulatePrincipalPolicyCommandInput) => {
    calls.push('SimulatePrincipalPolicy');
    await sleep(LATENCY_MS);
    return seedSimulationAnswer(input);
  });
  const iam = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const reader = new TargetedAccountReader(iam);
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new AwsPolicySimulator(iam),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  });
  const start = performance.now();
  const diagnosis = await diagnoser.diagnose(seedDenial());
  const elapsed = performance.now() - start;
  const counts = calls.reduce<Record<string, number>>(
    (acc, name) => ({ ...acc, [name]: (acc[name] ?? 0) + 1 }),
    {},
  );
  console.log(
    `AWS calls per diagnosis (seed, mocked IAM): ${calls.length} (${Object.entries(counts)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}); sequential round trips: ${Math.floor(elapsed / LATENCY_MS)} ` +
      `(${elapsed.toFixed(0)} ms at ${LATENCY_MS} ms a call); verdict ${verdictOf(diagnosis)}, proposal verified ${proposalOf(diagnosis)?.verified}; targets <= 20 reads in <= 4 round trips, simulations alongside`,
  );
  iamMock.restore();
}

function cliColdStart(): void {
  const cli = join(ROOT, 'dist/passrole-doctor.cjs');
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    execFileSync(process.execPath, [cli, 'diagnose', '--event', EVENT, '--snapshot', SNAPSHOT, '--json'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    samples.push(performance.now() - start);
  }
  const { median } = stats(samples);
  console.log(
    `CLI cold start, one event offline: median ${median.toFixed(0)} ms over ${samples.length} runs (min ${Math.min(...samples).toFixed(0)} ms)`,
  );
}

/** The review page for the seed's proposal, as the approval function renders it on GET. */
async function reviewPageRender(): Promise<void> {
  const reader = await SnapshotAccountReader.fromFile(SNAPSHOT);
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  });
  const denial = seedDenial();
  const diagnosis = await diagnoser.diagnose(denial);
  const record = newIncidentRecord({
    id: 'bench-proposal',
    incidentKey: incidentKeyOf(denial),
    diagnosis: { ...diagnosis, denial },
    now: new Date(),
    ttlHours: 72,
  });
  const input = {
    record,
    history: [],
    token: 'T'.repeat(43),
    actionBase: '/proposals/bench-proposal',
    now: new Date(),
  };
  for (let i = 0; i < 200; i++) renderReviewPage(input);
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    bytes = renderReviewPage(input).length;
    samples.push(performance.now() - start);
  }
  const { median, p95 } = stats(samples);
  console.log(
    `review page render (seed proposal, ${bytes} bytes): median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms over ${samples.length} renders; target <= 5 ms`,
  );
}

async function main(): Promise<void> {
  await offlineDiagnosis();
  await reviewPageRender();
  for (const line of await runEscalationBench()) console.log(line);
  await awsCallsPerDiagnosis();
  cliColdStart();
  for (const line of await runCliInputBench()) console.log(line);
  console.log(`peak RSS of the bench process: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
  for (const line of await runHandlerBench()) console.log(line);
  for (const line of await runBundleBench()) console.log(line);
  for (const line of await runApplyBench()) console.log(line);
  for (const line of await runIdentityCenterBench()) console.log(line);
  // Its own process: the peak memory it reports is the pipeline's, not what the benches before it left.
  execFileSync(process.execPath, [...process.execArgv, join(__dirname, 'pipeline.ts')], { stdio: 'inherit' });
  // Its own moto and a child process per account size (the peak RSS it reports is the diagnosis's).
  execFileSync(process.execPath, [...process.execArgv, join(__dirname, 'account-size.ts')], {
    stdio: 'inherit',
  });
  // Its own moto, whose requests choose their account (the other benches' moto fixes one).
  execFileSync(process.execPath, [...process.execArgv, join(__dirname, 'organization.ts')], {
    stdio: 'inherit',
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
