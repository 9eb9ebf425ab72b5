/**
 * The seed scenario, ready to apply: the seed denial diagnosed with the product's own engine over the
 * seed snapshot, stored as an approved proposal, plus the test doubles the apply step runs against
 * (a fake clock whose sleep advances it, recording/lagging ports).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryEventPublisher } from '../../../lambda/adapters/memory/in-memory-event-publisher';
import { InMemoryNotifier } from '../../../lambda/adapters/memory/in-memory-notifier';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import {
  APPLY_ACTOR,
  type ApplyDependencies,
  type ApplySettings,
} from '../../../lambda/core/apply/apply-proposal';
import { readDenials } from '../../../lambda/core/denial';
import { createDiagnoser } from '../../../lambda/core/diagnose';
import {
  documentHash,
  incidentKeyOf,
  newIncidentRecord,
  type IncidentRecord,
} from '../../../lambda/core/incident';
import type {
  AccountScope,
  Denial,
  PolicyDocument,
  ProposalTarget,
  SimulationRequest,
  SimulationResult,
} from '../../../lambda/core/model';
import type { AccountReader } from '../../../lambda/ports/account-reader';
import type { PolicySimulator } from '../../../lambda/ports/policy-simulator';
import type { PolicyWriter } from '../../../lambda/ports/policy-writer';
import { FakeApprovalStore } from '../../support/fake-approval-store';
import {
  escalationInputs,
  FakeEscalationReader,
  testDecisionVerifier,
  withDecision,
} from '../../support/signed-approval';
import { InMemoryDecisionLedger } from '../../../lambda/adapters/memory/in-memory-decision-ledger';
import { scopeFromAuthorizationDetails } from '../../../lambda/adapters/authorization-details';
import type { AuthorizationDetails } from '../../../lambda/adapters/gaad/shapes';
import type { EscalationInputs } from '../../../lambda/core/escalation/model';
import { defaultEscalationDependencies } from '../../../lambda/core/proposal/assess-escalation';
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';

const ROOT = join(__dirname, '../../..');
export const SEED_ACCOUNT_JSON: unknown = JSON.parse(
  readFileSync(join(ROOT, 'examples/seed/account.json'), 'utf8'),
);
const SEED_EVENT: unknown = JSON.parse(readFileSync(join(ROOT, 'examples/seed/denial.json'), 'utf8'));

export const ACCOUNT = '123456789012';
export const PROPOSAL_ID = 'p-seed';
export const APPROVED_AT = new Date('2026-06-17T03:00:00.000Z');

export function seedDenial(): Denial {
  const [outcome] = readDenials(SEED_EVENT, 'examples/seed/denial.json');
  if (outcome?.kind !== 'denial') throw new Error('the seed event is not a denial');
  return outcome.denial;
}

/** The seed denial diagnosed offline, as a pending record (the diagnose function's output). */
export async function diagnosedSeedRecord(): Promise<IncidentRecord> {
  const accountReader = new SnapshotAccountReader(SEED_ACCOUNT_JSON, 'account.json');
  const diagnoser = createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader,
    simulator: new LocalPolicySimulator(),
    instanceProfiles: accountReader,
    escalation: defaultEscalationDependencies(accountReader),
  });
  const denial = seedDenial();
  const diagnosis = await diagnoser.diagnose(denial);
  if (diagnosis.outcome !== 'proposed') throw new Error('the seed should yield a proposal');
  return newIncidentRecord({
    id: PROPOSAL_ID,
    incidentKey: incidentKeyOf(denial),
    diagnosis: { ...diagnosis, denial },
    now: new Date('2026-06-17T02:05:00.000Z'),
    ttlHours: 72,
  });
}

export const SEED_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
/** The members of GlueAccess, the seed proposal's target group. */
export const SEED_GAINERS = [
  `arn:aws:iam::${ACCOUNT}:user/li.wei`,
  `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
];

/** R (the seed role) and the seed group's members, as the approver saw them and IAM still holds them. */
export function seedEscalationInputs(): EscalationInputs {
  const scope = scopeFromAuthorizationDetails(
    SEED_ACCOUNT_JSON as AuthorizationDetails,
    `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
    SEED_ROLE_ARN,
  );
  return escalationInputs(ACCOUNT, scope.passedRole, SEED_GAINERS);
}

/** `record` with a fresh decision signed for it as it stands (the seed role and members unchanged). */
export function signed(record: IncidentRecord, decidedAt: Date = APPROVED_AT): IncidentRecord {
  const fingerprint = new FakeEscalationReader(seedEscalationInputs()).fingerprint();
  return withDecision(record, { fingerprint, decidedAt });
}

/** A pending record approved by a link holder, its decision signed: what the apply function finds. */
export function approved(record: IncidentRecord): IncidentRecord {
  return signed({
    ...structuredClone(record),
    status: 'approved',
    history: [
      {
        status: 'approved',
        actor: {
          kind: 'link-holder',
          name: 'link holder',
          sourceIp: '203.0.113.9',
          userAgent: 'Mozilla/5.0',
        },
        at: APPROVED_AT.toISOString(),
        detail: null,
      },
    ],
  });
}

/** When an earlier run wrote the policy and moved the record to applied (before fakeTime's start). */
export const EARLIER_WRITE_AT = new Date('2026-06-17T03:00:01.000Z');

/**
 * An approved record an earlier apply run left behind: `attempts` claims counted, its lease expired
 * (or given back), and, with `appliedAt`, the policy written and the record moved to `applied` then.
 */
export function leftBehind(
  record: IncidentRecord,
  { attempts, appliedAt = null }: { attempts: number; appliedAt?: Date | null },
): IncidentRecord {
  const copy: IncidentRecord = {
    ...structuredClone(record),
    applyAttempts: attempts,
    applyLeaseUntil: attempts > 0 ? new Date(APPROVED_AT.getTime() + 1_000).toISOString() : null,
  };
  if (appliedAt === null) return copy;
  return {
    ...copy,
    status: 'applied',
    history: [
      ...copy.history,
      {
        status: 'applied',
        actor: APPLY_ACTOR,
        at: appliedAt.toISOString(),
        detail: 'written by an earlier run',
      },
    ],
  };
}

/** What the earlier run wrote to IAM: the proposal's document, under its name, on its target. */
export async function writtenBefore(world: ApplyWorld, record: IncidentRecord): Promise<void> {
  if (record.proposal === null) throw new Error('no proposal');
  const { target, policyName, document } = record.proposal;
  // Straight into IAM: not a write of the run under test.
  await world.iam.putInlinePolicy(target, policyName, document);
}

/**
 * Changes the proposal document's (first) statement and, unless told otherwise, re-hashes the document
 * (a consistent but bad record).
 */
export function withDocument(
  record: IncidentRecord,
  change: (statement: Record<string, unknown>) => void,
  { rehash = true } = {},
): IncidentRecord {
  const copy = structuredClone(record);
  if (copy.proposal === null) throw new Error('no proposal');
  const [statement] = [copy.proposal.document.Statement].flat();
  if (statement === undefined) throw new Error('no statement');
  change(statement as unknown as Record<string, unknown>);
  if (copy.diagnosis.outcome === 'proposed') copy.diagnosis.proposal = copy.proposal;
  if (rehash) copy.documentHash = documentHash(copy.proposal.document);
  // Approved as it now stands: what the gate alone must catch.
  return copy.decision ? signed(copy) : copy;
}

export function withTarget(record: IncidentRecord, target: ProposalTarget): IncidentRecord {
  const copy = structuredClone(record);
  if (copy.proposal === null) throw new Error('no proposal');
  copy.proposal.target = target;
  if (copy.diagnosis.outcome === 'proposed') copy.diagnosis.proposal = copy.proposal;
  return copy.decision ? signed(copy) : copy;
}

/** The one element of a list, failing the test otherwise. */
export function only<T>(list: readonly T[]): T {
  const [first] = list;
  if (list.length !== 1 || first === undefined) throw new Error(`expected one element, got ${list.length}`);
  return first;
}

// ---------------------------------------------------------------- time

export interface FakeTime {
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Every wait asked for, in order. */
  sleeps: number[];
}

/** A clock that only moves when the code under test sleeps (or a test advances it). */
export function fakeTime(
  start = new Date('2026-06-17T03:00:05.000Z'),
): FakeTime & { advance(ms: number): void } {
  let now = start.getTime();
  const sleeps: number[] = [];
  return {
    clock: () => new Date(now),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

// ---------------------------------------------------------------- ports

/** Counts writes and reads and can answer a different read-back than what was written. */
export class RecordingWriter implements PolicyWriter {
  readonly puts: { target: ProposalTarget; policyName: string; document: PolicyDocument }[] = [];
  readonly gets: { target: ProposalTarget; policyName: string }[] = [];
  /** Replaces what IAM answers to the read-back. */
  readBackOverride: ((stored: PolicyDocument | null) => PolicyDocument | null) | null = null;
  putError: unknown = null;

  constructor(private readonly inner: PolicyWriter) {}

  async putInlinePolicy(target: ProposalTarget, policyName: string, document: PolicyDocument): Promise<void> {
    this.puts.push({ target, policyName, document: structuredClone(document) });
    if (this.putError !== null) throw this.putError;
    await this.inner.putInlinePolicy(target, policyName, document);
  }

  async getInlinePolicy(target: ProposalTarget, policyName: string): Promise<PolicyDocument | null> {
    this.gets.push({ target, policyName });
    const stored = await this.inner.getInlinePolicy(target, policyName);
    return this.readBackOverride === null ? stored : this.readBackOverride(stored);
  }
}

/**
 * IAM propagating a change: the first `staleReads` reads see the account as it was before the write,
 * later ones see it as it is.
 */
export class PropagatingReader implements AccountReader {
  reads = 0;

  constructor(
    private readonly before: AccountReader,
    private readonly after: AccountReader,
    private readonly staleReads: number,
  ) {}

  async loadScope(policySourceArn: string, roleArn: string): Promise<AccountScope> {
    this.reads++;
    const source = this.reads <= this.staleReads ? this.before : this.after;
    return source.loadScope(policySourceArn, roleArn);
  }
}

/** Records what was simulated; can fail the first calls. */
export class RecordingSimulator implements PolicySimulator {
  readonly requests: Omit<SimulationRequest, 'scope'>[] = [];
  failures: unknown[] = [];

  constructor(private readonly inner: PolicySimulator) {}

  async simulate(request: SimulationRequest): Promise<SimulationResult> {
    const { scope, ...rest } = request;
    this.requests.push(structuredClone(rest));
    const failure = this.failures.shift();
    if (failure !== undefined) {
      // The scope is read whatever happens next, as a real simulator would.
      await scope;
      throw failure;
    }
    return this.inner.simulate(request);
  }
}

// ---------------------------------------------------------------- a whole world

export const SETTINGS: ApplySettings = {
  accountId: ACCOUNT,
  protectedRoleArns: [
    `arn:aws:iam::${ACCOUNT}:role/PassRoleDoctor-ApplyFunctionRole-1A2B3C`,
    `arn:aws:iam::${ACCOUNT}:role/PassRoleDoctor-DiagnoseFunctionRole-4D5E6F`,
  ],
  allowedTargetTypes: ['group', 'user', 'role'],
  verifyTimeoutMs: 120_000,
  leaseMs: 300_000,
  reviewBaseUrl: 'https://review.example.com',
};

export interface ApplyWorld {
  store: FakeApprovalStore;
  /** The account IAM holds: what the write changes. */
  iam: SnapshotAccountReader;
  writer: RecordingWriter;
  simulator: RecordingSimulator;
  reader: AccountReader;
  notifier: InMemoryNotifier;
  events: InMemoryEventPublisher;
  time: ReturnType<typeof fakeTime>;
  /** What the apply step re-reads of R and the group (change it to play a change in IAM). */
  escalation: FakeEscalationReader;
  ledger: InMemoryDecisionLedger;
  deps: ApplyDependencies;
}

/**
 * A store holding `record`, IAM as the seed snapshot, the local simulator reading IAM (after
 * `staleReads` reads that still see it as before the write).
 */
export function applyWorld(
  record: IncidentRecord,
  { staleReads = 0, settings = SETTINGS }: { staleReads?: number; settings?: ApplySettings } = {},
): ApplyWorld {
  const store = new FakeApprovalStore([record]);
  const iam = new SnapshotAccountReader(SEED_ACCOUNT_JSON, 'iam');
  const before = new SnapshotAccountReader(SEED_ACCOUNT_JSON, 'iam before the write');
  const reader = staleReads > 0 ? new PropagatingReader(before, iam, staleReads) : iam;
  const writer = new RecordingWriter(iam);
  const simulator = new RecordingSimulator(new LocalPolicySimulator());
  const notifier = new InMemoryNotifier();
  const events = new InMemoryEventPublisher();
  const time = fakeTime();
  const escalation = new FakeEscalationReader(seedEscalationInputs());
  const ledger = new InMemoryDecisionLedger();
  return {
    store,
    iam,
    writer,
    simulator,
    reader,
    notifier,
    events,
    time,
    escalation,
    ledger,
    deps: {
      store,
      decisionVerifier: testDecisionVerifier,
      escalationReader: escalation,
      decisionLedger: ledger,
      writer,
      simulator,
      accountReader: reader,
      notifier,
      events,
      clock: time.clock,
      sleep: time.sleep,
      settings,
    },
  };
}
