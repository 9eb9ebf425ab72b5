/**
 * The apply function's figures (`npx tsx bench/apply.ts`, or runApplyBench() from bench/run.ts):
 * - the API calls one apply of the seed proposal makes: IAM, SNS and EventBridge through
 *   aws-sdk-client-mock, the approval store's port calls counted; with moto_server, also the DynamoDB
 *   requests the real DynamoDbIncidentStore makes for them (moto's DynamoDB, counted on the wire)
 * Each approval is signed with an in-process key pair (KMS in the stack) and verified before the write.
 * - with moto_server: approve-to-verified time, median of 20 (and p95): the seed's account built in
 *   moto's IAM, the proposal record in the in-memory store, approve (pending -> approved), then
 *   applyProposal with IamPolicyWriter writing to moto and verification by the local simulator over
 *   what TargetedAccountReader reads back from moto (moto has no SimulatePrincipalPolicy). The policy is
 *   deleted between runs, so each run writes into an account without it.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DeleteGroupPolicyCommand,
  GetGroupPolicyCommand,
  IAMClient,
  PutGroupPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { TargetedAccountReader } from '../lambda/adapters/aws/targeted-account-reader';
import { recordAwsCalls, summarizeAwsCalls } from '../lambda/adapters/aws/aws-call-recorder';
import { AwsPolicySimulator } from '../lambda/adapters/aws/aws-policy-simulator';
import { DynamoDbDecisionLedger } from '../lambda/adapters/aws/dynamodb-decision-ledger';
import { DynamoDbIncidentStore } from '../lambda/adapters/aws/dynamodb-incident-store';
import { LocalDecisionKeys } from '../lambda/adapters/local/local-keys';
import { InMemoryDecisionLedger } from '../lambda/adapters/memory/in-memory-decision-ledger';
import type { EscalationReader } from '../lambda/ports/escalation-reader';
import { EventBridgePublisher } from '../lambda/adapters/aws/eventbridge-publisher';
import { IamPolicyWriter } from '../lambda/adapters/aws/iam-policy-writer';
import { SnsNotifier } from '../lambda/adapters/aws/sns-notifier';
import { LocalPolicySimulator } from '../lambda/adapters/local/local-policy-simulator';
import { InMemoryEventPublisher } from '../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../lambda/adapters/memory/in-memory-incident-store';
import { SnapshotAccountReader } from '../lambda/adapters/snapshot/snapshot-account-reader';
import {
  applyProposal,
  type ApplyDependencies,
  type ApplySettings,
} from '../lambda/core/apply/apply-proposal';
import { signDecision } from '../lambda/core/approval/signed-decision';
import type { Actor } from '../lambda/core/approval/status';
import { escalationFingerprint } from '../lambda/core/escalation/fingerprint';
import { readDenials } from '../lambda/core/denial';
import { createDiagnoser } from '../lambda/core/diagnose';
import { incidentKeyOf, newIncidentRecord, type IncidentRecord } from '../lambda/core/incident';
import type { ApprovalStore } from '../lambda/ports/approval-store';
import { motoClientConfig } from '../test/integration/support/aws-clients';
import { startMoto, type MotoServer } from '../test/integration/support/moto';
import { createProposalsTable } from '../test/integration/support/proposal-tables';
import { seedGlueAccount } from '../test/integration/support/seed-account';
import { percentile, printBenchLines } from './support';
import { defaultEscalationDependencies } from '../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../lambda/adapters/memory/in-memory-authorization-record-reader';

const ROOT = join(__dirname, '..');
const ACCOUNT = '123456789012';
const RUNS = 20;
const REVIEWER: Actor = {
  kind: 'link-holder',
  name: 'link holder',
  sourceIp: '127.0.0.1',
  userAgent: 'bench',
};

const SETTINGS: ApplySettings = {
  accountId: ACCOUNT,
  protectedRoleArns: [`arn:aws:iam::${ACCOUNT}:role/PassRoleDoctor-ApplyFunctionRole`],
  allowedTargetTypes: ['group', 'user', 'role'],
  verifyTimeoutMs: 120_000,
  leaseMs: 240_000,
};

/** The decision key pair (KMS in the stack): approvals are signed, the apply verifies them. */
const DECISION_KEYS = new LocalDecisionKeys();

/** R and the target's members, read as the approval and apply functions read them (the same reader class). */
function motoEscalationReader(iam: IAMClient): EscalationReader {
  return new TargetedAccountReader(iam);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The seed denial diagnosed offline: the pending record the diagnose function would have stored. */
async function seedPendingRecord(id: string): Promise<IncidentRecord> {
  const event: unknown = JSON.parse(readFileSync(join(ROOT, 'examples/seed/denial.json'), 'utf8'));
  const [outcome] = readDenials(event, 'examples/seed/denial.json');
  if (outcome?.kind !== 'denial') throw new Error('the seed event is not a denial');
  const reader = await SnapshotAccountReader.fromFile(join(ROOT, 'examples/seed/account.json'));
  const diagnosis = await createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: reader,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: reader,
    escalation: defaultEscalationDependencies(reader),
  }).diagnose(outcome.denial);
  return newIncidentRecord({
    id,
    incidentKey: incidentKeyOf(outcome.denial),
    diagnosis: { ...diagnosis, denial: outcome.denial },
    now: new Date(),
    ttlHours: 72,
  });
}

/**
 * Approves as the approval function does: R and the target's members read through `reader`, the
 * decision signed over their fingerprint, stored with the move to approved.
 */
async function approve(store: ApprovalStore, proposalId: string, reader: EscalationReader): Promise<void> {
  const record = await store.get(proposalId);
  const proposal = record?.proposal ?? null;
  const roleArn = record?.denial.roleArn ?? null;
  if (record === null || proposal === null || record.documentHash === null || roleArn === null) {
    throw new Error(`${proposalId} has nothing to approve`);
  }
  const inputs = await reader.readEscalationInputs(roleArn, proposal.target);
  if (inputs.role === null) throw new Error(`${roleArn} was not read`);
  const fingerprint = escalationFingerprint(inputs.role, inputs.gainers);
  const at = new Date();
  const { type, name, arn } = proposal.target;
  const decision = await signDecision(DECISION_KEYS.signer, {
    decisionId: randomUUID(),
    proposalId,
    account: record.denial.account,
    documentHash: record.documentHash,
    target: { type, name, arn },
    policyName: proposal.policyName,
    escalationLevel: proposal.escalation?.kind === 'analysed' ? proposal.escalation.level : 'contained',
    rolePoliciesHash: fingerprint.rolePolicies,
    membershipHash: fingerprint.membership,
    approvers: [{ kind: REVIEWER.kind, name: REVIEWER.name, identity: 'link holder' }],
    decidedAt: at.toISOString(),
    expiresAt: record.expiresAt,
  });
  const moved = await store.transition(proposalId, {
    from: 'pending',
    to: 'approved',
    actor: REVIEWER,
    at,
    decision,
  });
  if (moved.kind !== 'moved') throw new Error(`could not approve ${proposalId}: ${moved.kind}`);
}

/** Counts the approval store's port calls. */
function countingStore(inner: ApprovalStore): { store: ApprovalStore; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  return {
    counts,
    store: {
      get: (id) => (count('get'), inner.get(id)),
      transition: (id, request) => (count('transition'), inner.transition(id, request)),
      claimApply: (id, now, until) => (count('claimApply'), inner.claimApply(id, now, until)),
      releaseApply: (id, until) => (count('releaseApply'), inner.releaseApply(id, until)),
      saveApplyProgress: (id, progress, until) => (
        count('saveApplyProgress'),
        inner.saveApplyProgress(id, progress, until)
      ),
      markResultPublished: (id, published) => (
        count('markResultPublished'),
        inner.markResultPublished(id, published)
      ),
      listByStatus: (status, limit) => (count('listByStatus'), inner.listByStatus(status, limit)),
    },
  };
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, count]) => `${name.replace(/Command$/, '')} ${count}`)
    .join(', ');
}

// ---------------------------------------------------------------- API calls, mocked AWS

async function apiCallsMocked(record: IncidentRecord): Promise<string> {
  const proposal = record.proposal;
  if (proposal === null) throw new Error('the seed has a proposal');
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
  const region = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const iam = new IAMClient(region);
  const sns = new SNSClient(region);
  const eventBridge = new EventBridgeClient(region);
  const iamMock = mockClient(iam);
  const snsMock = mockClient(sns);
  const eventsMock = mockClient(eventBridge);
  iamMock.on(PutGroupPolicyCommand).resolves({});
  // The apply step reads the target's same-named policy first (none yet), then reads its write back.
  iamMock
    .on(GetGroupPolicyCommand)
    .rejectsOnce(
      Object.assign(new Error('The group policy was not found.'), { name: 'NoSuchEntityException' }),
    )
    .resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(proposal.document)) });
  iamMock.on(SimulatePrincipalPolicyCommand).resolves({
    EvaluationResults: [
      { EvalActionName: 'iam:PassRole', EvalResourceName: roleArn, EvalDecision: 'allowed' },
    ],
  });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

  const memory = new InMemoryIncidentStore();
  await memory.create(record, new Date());
  // R and the group re-read from the seed snapshot: those reads are not among the counted IAM calls.
  const snapshot = await SnapshotAccountReader.fromFile(join(ROOT, 'examples/seed/account.json'));
  await approve(memory, record.id, snapshot);
  const { store, counts } = countingStore(memory);
  const result = await applyProposal(record.id, {
    store,
    decisionVerifier: DECISION_KEYS.verifier,
    escalationReader: snapshot,
    decisionLedger: new InMemoryDecisionLedger(),
    writer: new IamPolicyWriter(iam),
    simulator: new AwsPolicySimulator(iam),
    notifier: new SnsNotifier(sns, `arn:aws:sns:us-east-1:${ACCOUNT}:passrole-doctor`),
    events: new EventBridgePublisher(eventBridge, 'default'),
    clock: () => new Date(),
    sleep: realSleep,
    settings: SETTINGS,
  });
  const iamCounts: Record<string, number> = {};
  for (const call of iamMock.calls()) {
    const name = (call.args[0] as { constructor: { name: string } }).constructor.name;
    iamCounts[name] = (iamCounts[name] ?? 0) + 1;
  }
  const iamCalls = iamMock.calls().length;
  const snsCalls = snsMock.calls().length;
  const eventCalls = eventsMock.calls().length;
  const storeCalls = Object.values(counts).reduce((sum, count) => sum + count, 0);
  iamMock.restore();
  snsMock.restore();
  eventsMock.restore();
  return (
    `apply API calls (seed proposal, allowed at the first re-simulation, result ${result.kind}): ` +
    `${iamCalls + snsCalls + eventCalls + storeCalls} in all — IAM ${iamCalls} (${describeCounts(iamCounts)}), ` +
    `approval store ${storeCalls} (${describeCounts(counts)}), SNS Publish ${snsCalls}, EventBridge PutEvents ${eventCalls}`
  );
}

// ---------------------------------------------------------------- moto

function motoAvailable(): boolean {
  try {
    execFileSync('which', ['moto_server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The DynamoDB requests DynamoDbIncidentStore makes for one apply, counted against moto's DynamoDB. */
/** The apply function's ports over moto's IAM (the local simulator reading it), messages kept in memory. */
function motoApplyDependencies(iam: IAMClient): Omit<ApplyDependencies, 'store'> {
  return {
    decisionVerifier: DECISION_KEYS.verifier,
    escalationReader: motoEscalationReader(iam),
    decisionLedger: new InMemoryDecisionLedger(),
    writer: new IamPolicyWriter(iam),
    simulator: new LocalPolicySimulator(),
    accountReader: new TargetedAccountReader(iam),
    notifier: new InMemoryNotifier(),
    events: new InMemoryEventPublisher(),
    clock: () => new Date(),
    sleep: realSleep,
    settings: SETTINGS,
  };
}

async function dynamoDbCallsOnMoto(endpoint: string, record: IncidentRecord): Promise<string> {
  const config = motoClientConfig(endpoint);
  const dynamodb = new DynamoDBClient(config);
  const iam = new IAMClient(config);
  const tableName = 'bench-proposals';
  try {
    await createProposalsTable(dynamodb, tableName);
    const table = new DynamoDbIncidentStore(dynamodb, tableName);
    const created = await table.create(record, new Date());
    if (created.kind !== 'created') throw new Error('the bench record was not created');
    const store = table;
    await approve(store, record.id, motoEscalationReader(iam));
    const dynamoCalls = recordAwsCalls(dynamodb);
    const iamCalls = recordAwsCalls(iam);
    const result = await applyProposal(record.id, {
      ...motoApplyDependencies(iam),
      decisionLedger: new DynamoDbDecisionLedger(dynamodb, tableName),
      store,
    });
    const dynamo = summarizeAwsCalls(dynamoCalls);
    const writes = summarizeAwsCalls(iamCalls.filter((call) => /(Put|Get)GroupPolicy/.test(call.command)));
    await iam.send(
      new DeleteGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: record.proposal?.policyName }),
    );
    return (
      `apply against moto with DynamoDbIncidentStore (result ${result.kind}): DynamoDB ${dynamo.calls} requests ` +
      `(${describeCounts(dynamo.byCommand)}), IAM writes/read-backs ${writes.calls} (${describeCounts(writes.byCommand)})`
    );
  } finally {
    dynamodb.destroy();
    iam.destroy();
  }
}

async function approveToVerifiedOnMoto(endpoint: string, template: IncidentRecord): Promise<string> {
  const iam = new IAMClient(motoClientConfig(endpoint));
  try {
    const memory = new InMemoryIncidentStore();
    const store = memory;
    const approvalReader = motoEscalationReader(iam);
    // One reader for the runs, as one warm container keeps it (AWS managed policies are cached).
    const deps = motoApplyDependencies(iam);
    const samples: number[] = [];
    const attempts: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const id = `bench-${run}`;
      // Each run is its own incident: the record of a verified one would not reopen in the same millisecond.
      const record = { ...structuredClone(template), id, incidentKey: `${template.incidentKey}-${run}` };
      const created = await memory.create(record, new Date());
      if (created.kind !== 'created') throw new Error(`run ${run}: the record was not created`);
      const started = performance.now();
      await approve(store, id, approvalReader);
      const result = await applyProposal(id, { ...deps, store });
      samples.push(performance.now() - started);
      if (result.kind !== 'applied-verified') throw new Error(`run ${run} ended ${result.kind}`);
      attempts.push(result.outcome.attempts);
      // Take the policy away again: the next run writes into an account without it.
      await iam.send(
        new DeleteGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: template.proposal?.policyName }),
      );
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return (
      `approve-to-verified against moto (IamPolicyWriter on moto IAM, local simulator over TargetedAccountReader): ` +
      `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, ` +
      `min ${sorted[0]?.toFixed(1)} ms over ${RUNS} runs, ${Math.max(...attempts)} simulation(s) per run`
    );
  } finally {
    iam.destroy();
  }
}

export async function runApplyBench(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(await apiCallsMocked(await seedPendingRecord('bench-calls')));
  if (!motoAvailable()) {
    lines.push('approve-to-verified against moto: skipped (moto_server not found)');
    return lines;
  }
  let moto: MotoServer | null = null;
  try {
    moto = await startMoto();
    const iam = new IAMClient(motoClientConfig(moto.endpoint));
    await seedGlueAccount(iam);
    iam.destroy();
    const template = await seedPendingRecord('bench-template');
    lines.push(await approveToVerifiedOnMoto(moto.endpoint, template));
    lines.push(await dynamoDbCallsOnMoto(moto.endpoint, { ...template, id: 'bench-dynamodb' }));
  } finally {
    await moto?.stop();
  }
  return lines;
}

if (require.main === module) printBenchLines(runApplyBench);
