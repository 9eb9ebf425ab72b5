/**
 * An approved permission-set proposal applied through Identity Center: the set read again and checked,
 * the statement merged into its inline policy, the set provisioned to the denial's account only and
 * polled, the reserved role read back in that account and re-simulated; each step stored, resumed,
 * and rolled back when provisioning or verification fails.
 */
import { applyProposal } from '../../../../lambda/core/apply/apply-proposal';
import { IDENTITY_CENTER_NOT_CONFIGURED } from '../../../../lambda/core/apply/permission-set/apply-permission-set';
import { canonicalJson, type IncidentRecord } from '../../../../lambda/core/incident';
import type { PolicyDocument } from '../../../../lambda/core/model';
import { ACCOUNT, diagnosedSeedRecord, PROPOSAL_ID, SEED_ROLE_ARN } from '../seed-apply';
import {
  MANAGEMENT_ACCOUNT,
  permissionSetApproved,
  permissionSetWorld,
  PREVIOUS_INLINE,
  RESERVED_ROLE_ARN,
  setDefinition,
  SET_ARN,
  type PermissionSetWorld,
} from './world';

let seed: IncidentRecord;
let record: IncidentRecord;

beforeAll(async () => {
  seed = await diagnosedSeedRecord();
  record = permissionSetApproved(seed);
});

const STATEMENT = {
  Sid: 'AllowPassEtlNightlyRuntimeToGlue',
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: SEED_ROLE_ARN,
  Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
};

function statementsOf(text: string | null): unknown[] {
  if (text === null) return [];
  return [(JSON.parse(text) as PolicyDocument).Statement].flat();
}

function stored(world: PermissionSetWorld): IncidentRecord {
  const found = world.store.peek(PROPOSAL_ID);
  if (found === undefined) throw new Error('gone');
  return found;
}

describe('the whole apply', () => {
  it('merges, provisions the denial account only, reads back there and verifies', async () => {
    const world = permissionSetWorld(record);
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('applied-verified');
    // One write: the previous statement kept, the grant added.
    expect(world.ic.puts).toHaveLength(1);
    const written = world.ic.puts[0]?.policy ?? null;
    expect(statementsOf(written).map((s) => canonicalJson(s))).toEqual(
      [...statementsOf(PREVIOUS_INLINE), STATEMENT].map((s) => canonicalJson(s)),
    );
    expect(world.ic.provisions).toEqual([{ permissionSetArn: SET_ARN, accountId: ACCOUNT }]);
    // Verified against the reserved role as provisioned, never with the document added.
    expect(world.simulator.requests).toHaveLength(1);
    expect(world.simulator.requests[0]).toMatchObject({
      policySourceArn: RESERVED_ROLE_ARN,
      resourceArn: SEED_ROLE_ARN,
      additionalPolicies: [],
    });
    const end = stored(world);
    expect(end.status).toBe('verified');
    expect(end.history.map((event) => event.status)).toEqual(['approved', 'applied', 'verified']);
    expect(end.applyProgress).toMatchObject({
      previousInlinePolicy: PREVIOUS_INLINE,
      mergedInlinePolicy: written,
      provisionRequestId: 'request-1',
      rollback: null,
    });
    expect(end.outcome).toMatchObject({ kind: 'verified', readBackMatches: true, verification: 'allowed' });
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.events.events).toHaveLength(1);
    // Identity Center is written as the decision's approver (the apply role's SourceIdentity).
    expect(world.approvers).toEqual(['link holder']);
  });
});

describe('provisioning', () => {
  it('polls an IN_PROGRESS provisioning with backoff until it succeeds', async () => {
    const world = permissionSetWorld(record);
    world.ic.script.push({ states: ['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED'] });
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('applied-verified');
    expect(world.ic.polls).toEqual(['request-1', 'request-1', 'request-1', 'request-1']);
    expect(world.time.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(world.ic.provisions).toHaveLength(1);
  });

  it('leaves a provisioning that outlasts the run to the next run, which polls the same request', async () => {
    const world = permissionSetWorld(record, {
      settings: { ...permissionSetWorld(record).deps.settings, verifyTimeoutMs: 10_000 },
    });
    world.ic.script.push({ states: [...Array<'IN_PROGRESS'>(6).fill('IN_PROGRESS'), 'SUCCEEDED'] });
    const first = await applyProposal(PROPOSAL_ID, world.deps);
    expect(first).toMatchObject({ kind: 'provisioning', requestId: 'request-1' });
    // No wait past the run's time, the lease given back, the request on the record.
    expect(world.time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(10_000);
    const between = stored(world);
    expect(between.status).toBe('approved');
    expect(between.applyLeaseUntil).toBeNull();
    expect(between.applyProgress?.provisionRequestId).toBe('request-1');
    expect(world.notifier.messages).toEqual([]);

    world.time.advance(60_000);
    const second = await applyProposal(PROPOSAL_ID, world.deps);
    expect(second.kind).toBe('applied-verified');
    // Written once, provisioned once: the second run only polled.
    expect(world.ic.puts).toHaveLength(1);
    expect(world.ic.provisions).toHaveLength(1);
    expect(new Set(world.ic.polls)).toEqual(new Set(['request-1']));
  });

  it('rolls back a failed provisioning: the previous inline policy restored and provisioned again', async () => {
    const world = permissionSetWorld(record);
    world.ic.script.push({ states: ['IN_PROGRESS', 'FAILED'], failureReason: 'the role quota is reached' });
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({ kind: 'failed', policyWritten: true });
    if (result.kind !== 'failed') return;
    expect(result.reason).toBe(
      `provisioning permission set Data_Engineer to account ${ACCOUNT} failed (request request-1): the role quota is reached; rolled back: the previous inline policy of permission set Data_Engineer is restored and provisioned to account ${ACCOUNT} again (request request-2)`,
    );
    expect(world.ic.puts.map((put) => put.policy)).toEqual([expect.any(String), PREVIOUS_INLINE]);
    expect(world.ic.inlineOf(SET_ARN)).toBe(PREVIOUS_INLINE);
    expect(world.ic.provisions).toEqual([
      { permissionSetArn: SET_ARN, accountId: ACCOUNT },
      { permissionSetArn: SET_ARN, accountId: ACCOUNT },
    ]);
    expect(world.simulator.requests).toEqual([]);
    const end = stored(world);
    expect(end.status).toBe('failed');
    expect(end.applyProgress?.rollback).toMatchObject({ restored: true, provisionRequestId: 'request-2' });
    expect(world.notifier.messages).toHaveLength(1);
    expect(world.notifier.messages[0]?.text).toContain('rolled back');
  });

  it('rolls back when Identity Center refuses the provisioning request', async () => {
    const world = permissionSetWorld(record);
    world.ic.provisionError = Object.assign(new Error('ConflictException: another operation'), {});
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.reason).toMatch(
      /^ProvisionPermissionSet to account 123456789012 was refused: ConflictException: another operation; the previous inline policy of permission set Data_Engineer is restored, but ProvisionPermissionSet to account 123456789012 was refused: .*: account 123456789012 may still hold the statement$/,
    );
    expect(world.ic.inlineOf(SET_ARN)).toBe(PREVIOUS_INLINE);
  });

  it('says the statement stays when the set had no inline policy to restore', async () => {
    const definition = setDefinition({ inlinePolicy: null });
    const world = permissionSetWorld(permissionSetApproved(seed, definition), { definition });
    world.ic.script.push({ states: ['FAILED'], failureReason: 'broken' });
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.reason).toContain(
      'not rolled back: permission set Data_Engineer had no inline policy before, and the apply role may not delete one, so the statement stays on the set; remove it in Identity Center and provision the set to account 123456789012',
    );
    expect(world.ic.puts).toHaveLength(1);
    expect(statementsOf(world.ic.inlineOf(SET_ARN)).map((s) => canonicalJson(s))).toEqual([
      canonicalJson(STATEMENT),
    ]);
  });
});

describe('verification in the member account', () => {
  it('rolls back when the reserved role does not hold the merged policy after provisioning', async () => {
    const world = permissionSetWorld(record);
    // Identity Center says SUCCEEDED but the role was not changed.
    world.ic.script.push({ states: ['SUCCEEDED'], pushes: false });
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.reason).toMatch(
      /^not verified in account 123456789012 after \d+ simulations?: arn:aws:iam::123456789012:role\/aws-reserved\/sso\.amazonaws\.com\/ap-northeast-1\/AWSReservedSSO_Data_Engineer_0123456789abcdef does not hold the set's merged inline policy after provisioning; .*rolled back: the previous inline policy of permission set Data_Engineer is restored and provisioned to account 123456789012 again \(request request-2\)$/,
    );
    const end = stored(world);
    expect(end.history.map((event) => event.status)).toEqual(['approved', 'applied', 'failed']);
    expect(end.outcome).toMatchObject({
      kind: 'failed',
      readBackMatches: false,
      verification: 'implicitDeny',
    });
    expect(world.ic.inlineOf(SET_ARN)).toBe(PREVIOUS_INLINE);
  });

  it('resumes an applied record: verifies without writing or provisioning again', async () => {
    const world = permissionSetWorld(record);
    world.ic.script.push({ states: ['SUCCEEDED'] });
    // The first run dies during verification.
    world.simulator.failures.push(new Error('the container ran out of memory'));
    await expect(applyProposal(PROPOSAL_ID, world.deps)).rejects.toThrow('out of memory');
    expect(stored(world).status).toBe('applied');
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('applied-verified');
    expect(world.ic.puts).toHaveLength(1);
    expect(world.ic.provisions).toHaveLength(1);
  });
});

describe('refusals before anything is written', () => {
  async function expectRefused(world: PermissionSetWorld, reason: string | RegExp): Promise<void> {
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('refused');
    if (result.kind !== 'refused') return;
    if (typeof reason === 'string') expect(result.reason).toBe(reason);
    else expect(result.reason).toMatch(reason);
    expect(world.ic.puts).toEqual([]);
    expect(world.ic.provisions).toEqual([]);
    expect(stored(world).status).toBe('failed');
    expect(world.notifier.messages).toHaveLength(1);
  }

  it('a set someone else edited since the analysis (their edit would be provisioned too)', async () => {
    const world = permissionSetWorld(record);
    world.ic.edit(SET_ARN, (set) =>
      set.managedPolicyArns.push('arn:aws:iam::aws:policy/AdministratorAccess'),
    );
    await expectRefused(
      world,
      'permission set Data_Engineer changed since it was analysed (its definition hashes otherwise): provisioning would push that change too, so nothing is written; the next denial opens a new proposal',
    );
  });

  it('a set without the managed tag', async () => {
    const definition = setDefinition({ tags: { team: 'data' } });
    const world = permissionSetWorld(permissionSetApproved(seed, definition), { definition });
    await expectRefused(
      world,
      'permission set Data_Engineer does not carry the tag passrole-doctor:managed=true: the organization has not allowed it to be changed from here',
    );
  });

  it('a set provisioned to the management account while administration is delegated', async () => {
    const world = permissionSetWorld(record, {
      provisionedTo: [ACCOUNT, MANAGEMENT_ACCOUNT],
      administration: {
        kind: 'delegated',
        accountId: '555555555555',
        managementAccountId: MANAGEMENT_ACCOUNT,
      },
    });
    await expectRefused(
      world,
      `permission set Data_Engineer is provisioned to the management account ${MANAGEMENT_ACCOUNT}, and Identity Center is administered from the delegated administrator 555555555555, which may not change such a set: change it from the management account`,
    );
  });

  it('applies a set under a delegated administrator when the management account does not have it', async () => {
    const world = permissionSetWorld(record, {
      administration: {
        kind: 'delegated',
        accountId: '555555555555',
        managementAccountId: MANAGEMENT_ACCOUNT,
      },
    });
    expect((await applyProposal(PROPOSAL_ID, world.deps)).kind).toBe('applied-verified');
  });

  it('a merge over IAM’s 10,240 characters for the provisioned role', async () => {
    const big = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Big', Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(10_200) }],
    };
    const definition = setDefinition({ inlinePolicy: JSON.stringify(big) });
    const world = permissionSetWorld(permissionSetApproved(seed, definition), { definition });
    await expectRefused(
      world,
      /^the statement does not fit permission set Data_Engineer: the provisioned role's inline policy may hold at most 10,240 characters, the merged policy has 10,\d{3}$/,
    );
  });

  it('without Identity Center access', async () => {
    const world = permissionSetWorld(record);
    delete world.deps.identityCenter;
    await expectRefused(world, IDENTITY_CENTER_NOT_CONFIGURED);
  });

  it('a decision that names no permission set', async () => {
    const world = permissionSetWorld(permissionSetApproved(seed, setDefinition(), null));
    await expectRefused(
      world,
      'the signed decision does not hold: the decision names no permission set definition',
    );
  });

  it('a decision for another account', async () => {
    const world = permissionSetWorld(
      permissionSetApproved(seed, setDefinition(), { accountId: '210987654321' }),
    );
    await expectRefused(
      world,
      `the signed decision does not hold: the decision provisions account 210987654321, not ${ACCOUNT}`,
    );
  });

  it('a decision for another definition', async () => {
    const world = permissionSetWorld(
      permissionSetApproved(seed, setDefinition(), { definitionHash: 'f'.repeat(64) }),
    );
    await expectRefused(
      world,
      'the signed decision does not hold: the permission set definition is not the one the decision approved',
    );
  });

  it('a replayed decision (its id used for another proposal)', async () => {
    const world = permissionSetWorld(record);
    const decisionId = (JSON.parse(record.decision?.envelope ?? '{}') as { decisionId: string }).decisionId;
    await world.ledger.record(decisionId, 'p-other', new Date(), new Date(Date.now() + 3_600_000));
    await expectRefused(
      world,
      `the signed decision ${decisionId} was already used for proposal p-other: a decision is applied once`,
    );
  });
});

describe('resuming', () => {
  /** The record as a run left it after storing its progress; `requestId` when it asked to provision. */
  function leftAfterWrite(requestId: string | null = null): IncidentRecord {
    const merged = JSON.stringify({
      ...(JSON.parse(PREVIOUS_INLINE) as PolicyDocument),
      Statement: [...statementsOf(PREVIOUS_INLINE), STATEMENT],
    });
    const decisionId = (JSON.parse(record.decision?.envelope ?? '{}') as { decisionId: string }).decisionId;
    return {
      ...structuredClone(record),
      applyAttempts: 1,
      applyLeaseUntil: null,
      applyProgress: {
        kind: 'permission-set',
        decisionId,
        previousInlinePolicy: PREVIOUS_INLINE,
        mergedInlinePolicy: merged,
        provisionRequestId: requestId,
        rollback: null,
      },
    };
  }

  it('does not write again when the set already holds what the last run wrote', async () => {
    const left = leftAfterWrite();
    const world = permissionSetWorld(left);
    const merged = left.applyProgress?.mergedInlinePolicy ?? '';
    world.ic.edit(SET_ARN, (set) => (set.inlinePolicy = merged));
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('applied-verified');
    expect(world.ic.puts).toEqual([]);
    expect(world.ic.provisions).toHaveLength(1);
  });

  it('writes once when the last run stored its progress but died before the write', async () => {
    const world = permissionSetWorld(leftAfterWrite());
    expect((await applyProposal(PROPOSAL_ID, world.deps)).kind).toBe('applied-verified');
    expect(world.ic.puts).toHaveLength(1);
  });

  it('fails, saying what is in place, when someone else changed the inline policy after the write', async () => {
    const world = permissionSetWorld(leftAfterWrite());
    world.ic.edit(SET_ARN, (set) => (set.inlinePolicy = '{"Version":"2012-10-17","Statement":[]}'));
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'failed',
      reason:
        'the inline policy of permission set Data_Engineer changed since this apply began; the statement may be in the inline policy of permission set Data_Engineer (its write was under way); nothing was provisioned',
    });
    expect(world.ic.puts).toEqual([]);
    expect(world.ic.provisions).toEqual([]);
  });

  it('gives up after the attempts are spent, saying what is in place', async () => {
    const left = { ...leftAfterWrite('request-7'), applyAttempts: 6 };
    const world = permissionSetWorld(left);
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result).toMatchObject({
      kind: 'failed',
      reason: `gave up after 6 attempts that did not finish (see the apply function's logs); the statement is in the inline policy of permission set Data_Engineer and its provisioning to account ${ACCOUNT} was requested (request-7)`,
    });
    expect(world.ic.provisions).toEqual([]);
  });
});
