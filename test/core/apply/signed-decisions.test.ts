/**
 * The apply step writes IAM only for a decision the approval function signed for exactly this record,
 * with the key of the apply function's own settings, while R's policies and the target's members are
 * what the approver saw, and at most once per decision id. Everything else is refused before any IAM
 * call, recorded `failed` with a 'refused: ' reason, and reported (message and event).
 */
import { LocalDecisionKeys } from '../../../lambda/adapters/local/local-keys';
import { InMemoryDecisionLedger } from '../../../lambda/adapters/memory/in-memory-decision-ledger';
import { applyProposal, type ApplyResult } from '../../../lambda/core/apply/apply-proposal';
import { UNSIGNED_APPROVAL_PROBLEM } from '../../../lambda/core/apply/verify-decision';
import { signDecision, type SignedDecision } from '../../../lambda/core/approval/signed-decision';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { envelopeFor, envelopeOf, gainer, signEnvelope, withDecision } from '../../support/signed-approval';
import {
  ACCOUNT,
  applyWorld,
  approved,
  APPROVED_AT,
  diagnosedSeedRecord,
  PROPOSAL_ID,
  SEED_ROLE_ARN,
  seedEscalationInputs,
  withDocument,
  writtenBefore,
  type ApplyWorld,
} from './seed-apply';
import { FakeEscalationReader } from '../../support/signed-approval';

let seed: IncidentRecord;
let seedApproved: IncidentRecord;

beforeAll(async () => {
  seed = await diagnosedSeedRecord();
  seedApproved = approved(seed);
});

function decisionOf(record: IncidentRecord): SignedDecision {
  if (record.decision === null || record.decision === undefined) throw new Error('not signed');
  return record.decision;
}

const FINGERPRINT = () => new FakeEscalationReader(seedEscalationInputs()).fingerprint();

/** The seed record approved, its decision as `sign` makes it. */
function approvedWith(decision: IncidentRecord['decision']): IncidentRecord {
  return { ...seedApproved, decision };
}

async function expectRefused(world: ApplyWorld, result: ApplyResult, reason: RegExp): Promise<void> {
  expect(result).toMatchObject({ kind: 'refused', reason: expect.stringMatching(reason) });
  // Nothing reached IAM: no write, not even a read.
  expect(world.writer.puts).toEqual([]);
  expect(world.writer.gets).toEqual([]);
  const stored = world.store.peek(PROPOSAL_ID);
  expect(stored?.status).toBe('failed');
  expect(stored?.history.at(-1)?.detail).toMatch(/^refused: /);
  // Reported as refusals are: the channel's message and the Proposal Applied event.
  expect(world.notifier.messages).toHaveLength(1);
  expect(world.notifier.messages[0]?.text).toContain('refused');
  expect(world.events.events).toEqual([
    expect.objectContaining({
      detail: expect.objectContaining({
        status: 'failed',
        policyWritten: false,
        reason: expect.stringMatching(reason),
      }),
    }),
  ]);
}

describe('a valid signed decision', () => {
  it('signed with LocalDecisionKeys is applied once, and its decision id noted written', async () => {
    const keys = new LocalDecisionKeys('local:trusted');
    const envelope = envelopeFor(seedApproved, { fingerprint: FINGERPRINT(), decidedAt: APPROVED_AT });
    const decision = await signDecision(keys.signer, envelope);
    const world = applyWorld(approvedWith(decision));
    world.deps.decisionVerifier = keys.verifier;

    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result.kind).toBe('applied-verified');
    expect(world.writer.puts).toHaveLength(1);
    expect(world.ledger.peek(envelope.decisionId)).toEqual({
      proposalId: PROPOSAL_ID,
      recordedAt: '2026-06-17T03:00:05.000Z',
      writtenAt: '2026-06-17T03:00:05.000Z',
    });
    // R and the group were re-read before the write, with the role the document grants.
    expect(world.escalation.reads).toEqual([{ roleArn: SEED_ROLE_ARN, target: seed.proposal?.target }]);
  });
});

describe('refused before any IAM call', () => {
  it('an approval without a signed decision needs re-approval (records approved before signing)', async () => {
    const world = applyWorld(approvedWith(undefined));
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    await expectRefused(world, result, /needs re-approval/);
    expect(result).toMatchObject({ reason: UNSIGNED_APPROVAL_PROBLEM });
    expect(world.escalation.reads).toEqual([]);
  });

  it('a null decision is unsigned too', async () => {
    const world = applyWorld(approvedWith(null));
    await expectRefused(world, await applyProposal(PROPOSAL_ID, world.deps), /needs re-approval/);
  });

  it('a signature that does not verify', async () => {
    const decision = decisionOf(seedApproved);
    const bytes = Buffer.from(decision.signature, 'base64');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0x01;
    const world = applyWorld(approvedWith({ ...decision, signature: bytes.toString('base64') }));
    await expectRefused(world, await applyProposal(PROPOSAL_ID, world.deps), /the signature does not verify/);
  });

  it('an envelope changed after signing (an approver swapped in)', async () => {
    const decision = decisionOf(seedApproved);
    const envelope = decision.envelope.replace('"link holder"', '"arn:aws:iam::123456789012:user/boss"');
    expect(envelope).not.toBe(decision.envelope);
    const world = applyWorld(approvedWith({ ...decision, envelope }));
    await expectRefused(world, await applyProposal(PROPOSAL_ID, world.deps), /the signature does not verify/);
  });

  it('a decision signed with another key, named as such', async () => {
    const other = new LocalDecisionKeys('arn:aws:kms:us-east-1:123456789012:key/attacker');
    const envelope = envelopeFor(seedApproved, { fingerprint: FINGERPRINT(), decidedAt: APPROVED_AT });
    const world = applyWorld(approvedWith(await signDecision(other.signer, envelope)));
    await expectRefused(
      world,
      await applyProposal(PROPOSAL_ID, world.deps),
      /signed with arn:aws:kms:us-east-1:123456789012:key\/attacker, not the trusted key/,
    );
  });

  it('a decision signed with another key that claims the trusted key id', async () => {
    const impostor = new LocalDecisionKeys('test:decision-signing-key');
    const envelope = envelopeFor(seedApproved, { fingerprint: FINGERPRINT(), decidedAt: APPROVED_AT });
    const world = applyWorld(approvedWith(await signDecision(impostor.signer, envelope)));
    await expectRefused(world, await applyProposal(PROPOSAL_ID, world.deps), /the signature does not verify/);
  });

  it('a document changed after signing, its hash recomputed to pass the gate', async () => {
    const altered = withDocument(
      { ...seedApproved, decision: undefined },
      (statement) => (statement['Resource'] = `arn:aws:iam::${ACCOUNT}:role/etl-admin`),
    );
    const world = applyWorld({ ...altered, decision: seedApproved.decision });
    await expectRefused(
      world,
      await applyProposal(PROPOSAL_ID, world.deps),
      /the policy document is not the one the decision approved/,
    );
  });

  it('another proposal’s valid decision copied onto a forged item', async () => {
    const forged: IncidentRecord = { ...seedApproved, id: 'p-forged', incidentKey: 'forged' };
    const world = applyWorld(forged);
    const result = await applyProposal('p-forged', world.deps);
    expect(result).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/the decision is for proposal p-seed, not p-forged/),
    });
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek('p-forged')?.status).toBe('failed');
    expect(world.notifier.messages).toHaveLength(1);
  });

  it('a decision for another target or policy name', async () => {
    for (const overrides of [
      { target: { type: 'group' as const, name: 'Admins', arn: `arn:aws:iam::${ACCOUNT}:group/Admins` } },
      { policyName: 'SomethingElse' },
      { account: '210987654321' },
    ]) {
      const record = {
        ...seedApproved,
        decision: signEnvelope(
          envelopeFor(seedApproved, { fingerprint: FINGERPRINT(), decidedAt: APPROVED_AT, overrides }),
        ),
      };
      const world = applyWorld(record);
      const result = await applyProposal(PROPOSAL_ID, world.deps);
      expect(result).toMatchObject({
        kind: 'refused',
        reason: expect.stringMatching(/the decision (approved|is for account)/),
      });
      expect(world.writer.puts).toEqual([]);
    }
  });

  it('an expired decision', async () => {
    const record = withDecision(seedApproved, {
      fingerprint: FINGERPRINT(),
      decidedAt: APPROVED_AT,
      expiresAt: new Date('2026-06-17T03:00:05.000Z'),
    });
    const world = applyWorld(record);
    await expectRefused(
      world,
      await applyProposal(PROPOSAL_ID, world.deps),
      /the decision expired at 2026-06-17T03:00:05.000Z/,
    );
  });

  it('R’s policies changed since the approval (a policy attached to the role)', async () => {
    const world = applyWorld(seedApproved);
    world.escalation.inputs.role?.attachedPolicies.push({
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      name: 'AdministratorAccess',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    });
    await expectRefused(
      world,
      await applyProposal(PROPOSAL_ID, world.deps),
      /the policies of arn:aws:iam::123456789012:role\/etl-nightly-runtime changed since the approval/,
    );
  });

  it('R’s trust policy changed since the approval', async () => {
    const world = applyWorld(seedApproved);
    const role = world.escalation.inputs.role;
    if (role === null) throw new Error('the seed role exists');
    role.trustPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    };
    await expectRefused(world, await applyProposal(PROPOSAL_ID, world.deps), /changed since the approval/);
  });

  it('the group’s members changed since the approval', async () => {
    const world = applyWorld(seedApproved);
    world.escalation.inputs.gainers.push(gainer(`arn:aws:iam::${ACCOUNT}:user/sam.ortiz`));
    await expectRefused(
      world,
      await applyProposal(PROPOSAL_ID, world.deps),
      /the members of group GlueAccess changed since the approval/,
    );
  });

  it('R no longer exists', async () => {
    const world = applyWorld(seedApproved);
    world.escalation.inputs.role = null;
    await expectRefused(world, await applyProposal(PROPOSAL_ID, world.deps), /no longer exists/);
  });

  it('R and the members could not be re-read for good', async () => {
    const world = applyWorld(seedApproved);
    world.escalation.failure = new AwsCallError('iam:GetAccountAuthorizationDetails failed (AccessDenied)');
    await expectRefused(
      world,
      await applyProposal(PROPOSAL_ID, world.deps),
      /could not re-read .*AccessDenied/,
    );
  });

  it('a transient failure to re-read leaves it approved for a retry, nothing written', async () => {
    const world = applyWorld(seedApproved);
    world.escalation.failure = new TransientAwsError('throttled');
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toThrow('throttled');
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('approved');
    expect(world.writer.puts).toEqual([]);
  });
});

describe('one IAM write per decision id', () => {
  it('a decision id already used for another proposal is refused (a replay)', async () => {
    const ledger = new InMemoryDecisionLedger();
    const decisionId = envelopeOf(seedApproved).decisionId;
    await ledger.record(decisionId, 'p-earlier', APPROVED_AT, new Date('2027-01-01T00:00:00Z'));
    const world = applyWorld(seedApproved);
    world.deps.decisionLedger = ledger;
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'refused',
      reason: `the signed decision ${decisionId} was already used for proposal p-earlier: a decision is applied once`,
    });
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.status).toBe('failed');
    expect(world.events.events).toHaveLength(1);
  });

  it('two proposals carrying the same decision id: the second is refused', async () => {
    const ledger = new InMemoryDecisionLedger();
    const shared = { fingerprint: FINGERPRINT(), decidedAt: APPROVED_AT, decisionId: 'decision-shared' };
    const first = applyWorld(withDecision(seedApproved, shared));
    first.deps.decisionLedger = ledger;
    expect((await applyProposal(PROPOSAL_ID, first.deps)).kind).toBe('applied-verified');

    const second = applyWorld(withDecision({ ...seedApproved, id: 'p-second' }, shared));
    second.deps.decisionLedger = ledger;
    const result = await applyProposal('p-second', second.deps);
    expect(result).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/already used for proposal p-seed/),
    });
    expect(second.writer.puts).toEqual([]);
  });

  it('a run that finds its decision written never writes again, and still settles', async () => {
    const world = applyWorld(seedApproved);
    const decisionId = envelopeOf(seedApproved).decisionId;
    await world.ledger.record(decisionId, PROPOSAL_ID, APPROVED_AT, new Date('2027-01-01T00:00:00Z'));
    await world.ledger.markWritten(decisionId, PROPOSAL_ID, APPROVED_AT);
    await writtenBefore(world, seedApproved);

    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result.kind).toBe('applied-verified');
    expect(world.writer.puts).toEqual([]);
    expect(world.store.peek(PROPOSAL_ID)?.history.map((event) => event.status)).toEqual([
      'approved',
      'applied',
      'verified',
    ]);
  });

  it('a decision written once whose policy IAM no longer holds is not written again', async () => {
    const world = applyWorld(seedApproved);
    const decisionId = envelopeOf(seedApproved).decisionId;
    await world.ledger.record(decisionId, PROPOSAL_ID, APPROVED_AT, new Date('2027-01-01T00:00:00Z'));
    await world.ledger.markWritten(decisionId, PROPOSAL_ID, APPROVED_AT);

    const result = await applyProposal(PROPOSAL_ID, world.deps);

    expect(result).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/applied once, so it needs re-approval/),
    });
    expect(world.writer.puts).toEqual([]);
  });

  it('a resumed run that finds the policy written notes the decision written', async () => {
    const world = applyWorld({ ...seedApproved, applyAttempts: 1 });
    await writtenBefore(world, seedApproved);
    expect((await applyProposal(PROPOSAL_ID, world.deps)).kind).toBe('applied-verified');
    expect(world.writer.puts).toEqual([]);
    expect(world.ledger.peek(envelopeOf(seedApproved).decisionId)?.writtenAt).toBe(
      '2026-06-17T03:00:05.000Z',
    );
  });

  it('a write IAM refuses leaves the decision recorded, not written', async () => {
    const world = applyWorld(seedApproved);
    world.writer.putError = new AwsCallError('MalformedPolicyDocument');
    expect((await applyProposal(PROPOSAL_ID, world.deps)).kind).toBe('failed');
    expect(world.ledger.peek(envelopeOf(seedApproved).decisionId)).toMatchObject({ writtenAt: null });
  });
});
