/**
 * The hub in organization mode (`npx tsx bench/organization.ts`, or runOrganizationBench() through
 * bench/run.ts): one container's MemberAccountAccess diagnoses the seed denial in each of 2, then 20
 * simulated member accounts on one moto_server (requests choose their account), each member holding
 * the seed scenario and its member roles, STS's role checks by the tests' named fake in front of moto
 * (test/integration/support/member-role-sts-fake.ts), which also records the account of every call.
 * ROUNDS incidents per account, round-robin, one at a time.
 *
 * Per fleet size: throughput (incidents/s; the first round apart: it assumes every role and reads
 * the managed policies for the first time), IAM calls per incident and in which accounts they landed,
 * AssumeRole calls per incident, simulations per incident (the local simulator: moto has no
 * SimulatePrincipalPolicy; on AWS each is one call). Then whether each target holds.
 *
 * moto's times compare runs of this code; they do not predict AWS's.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { MemberAccountAccess } from '../lambda/adapters/aws/organization/member-account-access';
import { InMemoryAuthorizationRecordReader } from '../lambda/adapters/memory/in-memory-authorization-record-reader';
import { LocalPolicySimulator } from '../lambda/adapters/local/local-policy-simulator';
import { createDiagnoser } from '../lambda/core/diagnose';
import { verdictOf } from '../lambda/core/diagnosis/derived';
import type { Denial } from '../lambda/core/model';
import { defaultEscalationDependencies } from '../lambda/core/proposal/assess-escalation';
import { requestHandlerSettings } from '../lambda/handlers/client-settings';
import type { AccountAccess } from '../lambda/ports/account-access';
import type { PolicySimulator } from '../lambda/ports/policy-simulator';
import {
  EXTERNAL_ID,
  HUB_ACCOUNT,
  memberAccountId,
  memberDenial,
  seedMemberAccount,
} from '../test/integration/support/member-accounts';
import {
  startMemberRoleStsFake,
  type MemberRoleStsFake,
} from '../test/integration/support/member-role-sts-fake';
import { startMoto } from '../test/integration/support/moto';
import { printBenchLines } from './support';

const FLEETS = [2, 20];
/** Incidents per member account. */
const ROUNDS = 10;
/** The target: one AssumeRole per account per container per credential lifetime. */
const ASSUME_ROLE_PER_ACCOUNT = 1;
/** IAM calls per incident must not grow with the number of accounts (largest within this of smallest). */
const FLAT_RATIO = 1.2;
const BENCH_REQUEST_TIMEOUT_MS = 60_000;

/**
 * THE ONE PLACE the bench turns a member's denial into a diagnosis: the hub's access to that account,
 * then a diagnoser on its readers. Switch this to the diagnose handler to measure the handler instead.
 */
async function hubDiagnose(
  access: AccountAccess,
  denial: Denial,
  simulator: PolicySimulator,
): Promise<string> {
  const read = await access.read(denial.account);
  const diagnosis = await createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: read.accountReader,
    simulator,
    instanceProfiles: read.instanceProfiles,
    escalation: defaultEscalationDependencies(read.escalationReader),
  }).diagnose(denial);
  return verdictOf(diagnosis);
}

/** The local simulator, counting what would be SimulatePrincipalPolicy calls on AWS. */
function countingSimulator(): { simulator: PolicySimulator; count: () => number } {
  const local = new LocalPolicySimulator();
  let count = 0;
  return {
    simulator: {
      simulate: (request) => {
        count += 1;
        return local.simulate(request);
      },
    },
    count: () => count,
  };
}

function hubAccess(fake: MemberRoleStsFake): MemberAccountAccess {
  const config = (credentials: AwsCredentialIdentityProvider) => ({
    endpoint: fake.endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: requestHandlerSettings(BENCH_REQUEST_TIMEOUT_MS),
  });
  return new MemberAccountAccess({
    sts: new STSClient(config(async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }))),
    partition: 'aws',
    externalId: EXTERNAL_ID,
    roleSessionName: 'PassRoleDoctorHub-Diagnose',
    clients: {
      iam: (credentials) => new IAMClient(config(credentials)),
      sts: (credentials) => new STSClient(config(credentials)),
    },
  });
}

interface FleetFigures {
  accounts: number;
  incidents: number;
  wallMs: number;
  firstRoundMs: number;
  iamCalls: number;
  iamCallsOutsideMembers: number;
  assumeRoleCalls: number;
  simulations: number;
  verdicts: Set<string>;
}

async function measureFleet(fake: MemberRoleStsFake, accounts: readonly string[]): Promise<FleetFigures> {
  const access = hubAccess(fake);
  const { simulator, count } = countingSimulator();
  const denials = new Map(accounts.map((account) => [account, memberDenial(account)]));
  const verdicts = new Set<string>();
  fake.calls.length = 0;
  const start = performance.now();
  let firstRoundMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const account of accounts) {
      const denial = denials.get(account);
      if (denial !== undefined) verdicts.add(await hubDiagnose(access, denial, simulator));
    }
    if (round === 0) firstRoundMs = performance.now() - start;
  }
  const wallMs = performance.now() - start;
  const members = new Set(accounts);
  const iam = fake.calls.filter((call) => call.operation.startsWith('iam:'));
  return {
    accounts: accounts.length,
    incidents: accounts.length * ROUNDS,
    wallMs,
    firstRoundMs,
    iamCalls: iam.length,
    iamCallsOutsideMembers: iam.filter((call) => !members.has(call.account)).length,
    assumeRoleCalls: access.assumeRoleCalls,
    simulations: count(),
    verdicts,
  };
}

const perSecond = (count: number, ms: number) => (count / (ms / 1000)).toFixed(1);
const holds = (ok: boolean) => (ok ? 'holds' : 'FAILS');

function fleetLine(figures: FleetFigures): string {
  const later = figures.incidents - figures.accounts;
  return (
    `  ${figures.accounts} member accounts, ${figures.incidents} incidents (${ROUNDS} each, round-robin): ` +
    `${perSecond(figures.incidents, figures.wallMs)} incidents/s overall ` +
    `(first round ${perSecond(figures.accounts, figures.firstRoundMs)}/s with every AssumeRole and cold ` +
    `policy caches, later rounds ${perSecond(later, figures.wallMs - figures.firstRoundMs)}/s); ` +
    `IAM calls per incident ${(figures.iamCalls / figures.incidents).toFixed(1)} ` +
    `(${figures.iamCallsOutsideMembers} outside the incident's member accounts); ` +
    `AssumeRole ${figures.assumeRoleCalls} (${(figures.assumeRoleCalls / figures.incidents).toFixed(2)} per incident, ` +
    `${(figures.assumeRoleCalls / figures.accounts).toFixed(2)} per account); ` +
    `simulations per incident ${(figures.simulations / figures.incidents).toFixed(1)} ` +
    `(local; SimulatePrincipalPolicy calls on AWS); verdicts ${[...figures.verdicts].join(', ')}`
  );
}

function targetLines(all: readonly FleetFigures[]): string[] {
  const first = all[0];
  const last = all[all.length - 1];
  if (first === undefined || last === undefined) return [];
  const perIncident = (figures: FleetFigures) => figures.iamCalls / figures.incidents;
  const ratio = perIncident(last) / Math.max(1, perIncident(first));
  const assumeOk = all.every(
    (figures) => figures.assumeRoleCalls <= figures.accounts * ASSUME_ROLE_PER_ACCOUNT,
  );
  const outside = all.reduce((sum, figures) => sum + figures.iamCallsOutsideMembers, 0);
  return [
    `  target: at most ${ASSUME_ROLE_PER_ACCOUNT} AssumeRole per account per container per credential lifetime: ` +
      all.map((figures) => `${figures.assumeRoleCalls} for ${figures.accounts} accounts`).join(', ') +
      `: ${holds(assumeOk)}`,
    `  target: IAM calls per incident flat in the number of accounts (within ${FLAT_RATIO}x): ` +
      `${perIncident(first).toFixed(1)} -> ${perIncident(last).toFixed(1)} (${ratio.toFixed(2)}x): ${holds(ratio <= FLAT_RATIO)}`,
    `  target: no IAM call in the hub's account (${HUB_ACCOUNT}) or another member's: ${outside} such calls: ` +
      holds(outside === 0),
  ];
}

export async function runOrganizationBench(): Promise<string[]> {
  const moto = await startMoto({ readyTimeoutMs: 60_000, accountPerRequest: true });
  const fake = await startMemberRoleStsFake(moto.endpoint);
  const all: FleetFigures[] = [];
  try {
    let seeded = 0;
    for (const size of FLEETS) {
      for (; seeded < size; seeded++) await seedMemberAccount(moto.endpoint, memberAccountId(seeded + 1));
      const accounts = Array.from({ length: size }, (_, index) => memberAccountId(index + 1));
      all.push(await measureFleet(fake, accounts));
      console.error(`organization: ${size} member accounts measured`);
    }
  } finally {
    await fake.stop();
    await moto.stop();
  }
  return [
    'organization hub: the seed denial diagnosed in each member through MemberAccountAccess (one container; ' +
      'moto with per-request accounts, STS role checks by the named fake, the local simulator)',
    ...all.map(fleetLine),
    ...targetLines(all),
  ];
}

if (require.main === module) printBenchLines(runOrganizationBench);
