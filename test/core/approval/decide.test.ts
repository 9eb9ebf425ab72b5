import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import type { LinkMacVerifier } from '../../../lambda/ports/link-mac';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import {
  APPLY_DEFERRED_REASON,
  decideById,
  decideByLink,
  decideProposal,
  decisionRefusal,
  type DecideDependencies,
  type DecisionProgress,
  type DecisionRequest,
} from '../../../lambda/core/approval/decide';
import { approvalClaimsOf } from '../../../lambda/core/approval/links';
import type { Actor } from '../../../lambda/core/approval/status';
import { linkMacOf, tokenOf } from '../../support/link-tokens';
import { TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { DEFAULT_APPROVAL_POLICY } from '../../../lambda/core/approval/requirement';
import { proposalRecord, SEED_PROPOSAL } from '../../adapters/support/proposal-records';
import { analyserAt, FakeEscalationReader } from '../../support/escalation';

const KEY = 'decide-test-signing-key-'.padEnd(64, 'k');
/** The day after the seed proposal was made; it expires two days later. */
const NOW = new Date('2026-06-18T00:00:00Z');
const AFTER_EXPIRY = new Date('2026-06-21T00:00:00Z');
const ALICE: Actor = {
  kind: 'iam',
  name: 'arn:aws:iam::123456789012:user/alice',
  sourceIp: '198.51.100.7',
  userAgent: 'passrole-doctor',
};
const PERMISSION_SET = {
  ...SEED_PROPOSAL,
  target: { ...SEED_PROPOSAL.target, type: 'permission-set' as const },
};

function request(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return { decision: 'approve', actor: ALICE, now: NOW, reason: null, ...overrides };
}

/** Another proposal of another incident (a store opens one record per incident). */
function anotherRecord(id: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return proposalRecord({ id, incidentKey: `incident-${id}`, ...overrides });
}

function tokenFor(record: IncidentRecord): string {
  const claims = approvalClaimsOf(record);
  if (claims === null) throw new Error('the record has no proposal to sign');
  return tokenOf(claims, KEY);
}

interface Setup {
  deps: DecideDependencies & { linkMac: LinkMacVerifier };
  store: InMemoryIncidentStore;
  requested: string[];
  progress: DecisionProgress[];
  /** What the trigger does when asked (the local server applies in-process); nothing by default. */
  onApply: (id: string) => Promise<void>;
}

async function setup(...records: IncidentRecord[]): Promise<Setup> {
  const store = new InMemoryIncidentStore();
  for (const record of records.length > 0 ? records : [proposalRecord()]) {
    await store.create(record, new Date(record.createdAt));
  }
  const result: Setup = {
    store,
    requested: [],
    progress: [],
    onApply: async () => undefined,
    deps: {
      store,
      applyTrigger: {
        requestApply: async (id) => {
          result.requested.push(id);
          await result.onApply(id);
        },
      },
      clock: () => NOW,
      linkMac: linkMacOf(KEY),
      signer: new LocalDecisionKeys().signer,
      escalationReader: new FakeEscalationReader(),
      analyse: analyserAt('contained'),
      policy: DEFAULT_APPROVAL_POLICY,
      ownResourceArns: [],
      onProgress: (step) => result.progress.push(step),
    },
  };
  return result;
}

describe('decisionRefusal', () => {
  it('lets a pending proposal before its expiry be approved or rejected', () => {
    expect(decisionRefusal(proposalRecord(), 'approve', NOW)).toBeNull();
    expect(decisionRefusal(proposalRecord(), 'reject', NOW)).toBeNull();
  });

  it('refuses a diagnosis without a proposal, a decided proposal and an expired one', () => {
    const report = proposalRecord({ proposal: null, status: 'reported' });
    expect(decisionRefusal(report, 'approve', NOW)).toEqual({ kind: 'no-proposal', record: report });
    const rejected = proposalRecord({ status: 'rejected' });
    expect(decisionRefusal(rejected, 'approve', NOW)).toEqual({ kind: 'conflict', record: rejected });
    const pending = proposalRecord();
    expect(decisionRefusal(pending, 'reject', AFTER_EXPIRY)).toEqual({ kind: 'expired', record: pending });
    expect(decisionRefusal(pending, 'approve', new Date(pending.expiresAt))?.kind).toBe('expired');
  });

  it('refuses to approve a permission set, but lets it be rejected', () => {
    const record = proposalRecord({ proposal: PERMISSION_SET });
    expect(decisionRefusal(record, 'approve', NOW)).toEqual({ kind: 'permission-set', record });
    expect(decisionRefusal(record, 'reject', NOW)).toBeNull();
  });

  it('lets a permission set read from Identity Center be approved (its definition is signed)', () => {
    const read = {
      ...PERMISSION_SET,
      target: {
        ...PERMISSION_SET.target,
        instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
        permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-abcdef0123456789',
        definitionHash: 'a'.repeat(64),
      },
    };
    expect(decisionRefusal(proposalRecord({ proposal: read }), 'approve', NOW)).toBeNull();
    // Without its definition hash there is nothing the apply could compare: advice only.
    const { definitionHash: _hash, ...unhashed } = read.target;
    const record = proposalRecord({ proposal: { ...read, target: unhashed } });
    expect(decisionRefusal(record, 'approve', NOW)).toEqual({ kind: 'permission-set', record });
  });
});

describe('decideProposal', () => {
  it('rejects: one move with the reason in the history, no apply', async () => {
    const s = await setup();
    const outcome = await decideProposal(
      s.deps,
      proposalRecord(),
      request({ decision: 'reject', reason: 'not this role' }),
    );

    expect(outcome.kind).toBe('moved');
    const stored = await s.store.get('p-1');
    expect(stored?.status).toBe('rejected');
    expect(stored?.history).toEqual([
      { status: 'rejected', actor: ALICE, at: NOW.toISOString(), detail: 'not this role' },
    ]);
    expect(s.requested).toEqual([]);
    expect(s.progress).toEqual([{ kind: 'decided', decision: 'reject', actor: ALICE, record: stored }]);
  });

  it('approves and starts the apply, telling the decision before the apply runs', async () => {
    const s = await setup();
    const seenAtApply: DecisionProgress['kind'][][] = [];
    s.onApply = async () => {
      seenAtApply.push(s.progress.map((step) => step.kind));
    };
    const outcome = await decideProposal(s.deps, proposalRecord(), request());

    expect(outcome).toMatchObject({ kind: 'moved', record: { status: 'approved' } });
    expect(s.requested).toEqual(['p-1']);
    expect(seenAtApply).toEqual([['decided']]);
    expect(s.progress.map((step) => step.kind)).toEqual(['decided', 'apply-requested']);
  });

  it('answers with the record as the apply left it when the trigger applies in-process', async () => {
    const s = await setup();
    s.onApply = async (id) => {
      await s.store.transition(id, { from: 'approved', to: 'applied', actor: ALICE, at: NOW });
    };
    const outcome = await decideProposal(s.deps, proposalRecord(), request());
    expect(outcome).toMatchObject({ kind: 'moved', record: { status: 'applied' } });
  });

  it('keeps the proposal approved when the apply cannot be started now: the reconciler starts it', async () => {
    const s = await setup();
    const cause = new TransientAwsError('lambda:InvokeFunction failed (TooManyRequestsException)');
    s.onApply = async () => {
      throw cause;
    };
    const outcome = await decideProposal(s.deps, proposalRecord(), request());

    expect(outcome).toMatchObject({
      kind: 'apply-deferred',
      reason: APPLY_DEFERRED_REASON,
      record: { status: 'approved' },
    });
    const stored = await s.store.get('p-1');
    expect(stored?.history.map((event) => [event.status, event.detail])).toEqual([['approved', null]]);
    expect(s.progress).toEqual([
      expect.objectContaining({ kind: 'decided' }),
      { kind: 'apply-deferred', proposalId: 'p-1', cause },
    ]);
  });

  it('loses to a decision made since the record was read: conflict, nothing written, no apply', async () => {
    const s = await setup();
    const stale = proposalRecord();
    await s.store.transition('p-1', { from: 'pending', to: 'rejected', actor: ALICE, at: NOW });

    const outcome = await decideProposal(s.deps, stale, request());

    expect(outcome).toMatchObject({ kind: 'conflict', record: { status: 'rejected' } });
    expect((await s.store.get('p-1'))?.history).toHaveLength(1);
    expect(s.requested).toEqual([]);
    expect(s.progress).toEqual([]);
  });

  it('writes nothing for a refusal', async () => {
    const s = await setup(proposalRecord({ proposal: PERMISSION_SET }));
    const outcome = await decideProposal(s.deps, proposalRecord({ proposal: PERMISSION_SET }), request());
    expect(outcome.kind).toBe('permission-set');
    expect((await s.store.get('p-1'))?.status).toBe('pending');
    expect(s.requested).toEqual([]);
  });
});

describe('decideById (IAM callers)', () => {
  it('answers not-found for an unknown id, and decides a known one', async () => {
    const s = await setup();
    expect(await decideById(s.deps, 'p-unknown', request())).toEqual({ kind: 'not-found' });
    expect(await decideById(s.deps, 'p-1', request({ decision: 'reject' }))).toMatchObject({
      kind: 'moved',
      record: { status: 'rejected' },
    });
  });
});

describe('decideByLink (review link holders)', () => {
  it('decides with the token signed for the record', async () => {
    const s = await setup();
    const outcome = await decideByLink(s.deps, 'p-1', tokenFor(proposalRecord()), request());
    expect(outcome).toMatchObject({ kind: 'moved', record: { status: 'approved' } });
  });

  it('is forbidden without a valid token, and writes nothing', async () => {
    const s = await setup();
    const other = tokenFor(anotherRecord('p-2'));
    expect(await decideByLink(s.deps, 'p-1', other, request())).toEqual({
      kind: 'forbidden',
      reason: 'wrong token',
    });
    expect(await decideByLink(s.deps, 'p-1', null, request())).toEqual({
      kind: 'forbidden',
      reason: 'no token',
    });
    expect((await s.store.get('p-1'))?.status).toBe('pending');
  });

  it('past the expiry: a pending proposal is expired, a decided one tells who decided it', async () => {
    const s = await setup(proposalRecord(), anotherRecord('p-2'));
    await s.store.transition('p-2', { from: 'pending', to: 'rejected', actor: ALICE, at: NOW });
    const late = request({ now: AFTER_EXPIRY });

    expect(await decideByLink(s.deps, 'p-1', tokenFor(proposalRecord()), late)).toMatchObject({
      kind: 'expired',
      record: { id: 'p-1' },
    });
    expect(await decideByLink(s.deps, 'p-2', tokenFor(anotherRecord('p-2')), late)).toMatchObject({
      kind: 'conflict',
      record: { id: 'p-2', status: 'rejected' },
    });
    expect(s.requested).toEqual([]);
  });
});
