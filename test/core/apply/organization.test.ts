/**
 * The apply step keyed by account (core/apply over AccountAccess): it writes only in the denial's
 * account, through that account's write access with the approver as the source identity, and
 * refuses when the signed decision, the denial and the target do not all name the same account.
 */
import { applyProposal } from '../../../lambda/core/apply/apply-proposal';
import { MemberAccessError } from '../../../lambda/core/errors';
import { documentHash, type IncidentRecord } from '../../../lambda/core/incident';
import type { ApplyDependencies } from '../../../lambda/core/apply/apply-step';
import { FakeAccountAccess } from '../../support/account-access';
import { envelopeOf, withDecision } from '../../support/signed-approval';
import {
  ACCOUNT,
  applyWorld,
  approved,
  diagnosedSeedRecord,
  EARLIER_WRITE_AT,
  leftBehind,
  PROPOSAL_ID,
  SETTINGS,
  signed,
  withTarget,
  writtenBefore,
  type ApplyWorld,
} from './seed-apply';

const OTHER_MEMBER = '210987654321';
/** The hub's apply function acts only through AccountAccess: its own ports must never be used. */
const NOT_THE_HUB = (): never => {
  throw new MemberAccessError('111111111111', 'not-this-account', 'the hub never acts in its own IAM');
};

let seedApproved: IncidentRecord;

beforeAll(async () => {
  seedApproved = approved(await diagnosedSeedRecord());
});

interface HubWorld extends ApplyWorld {
  accounts: FakeAccountAccess;
}

/** The seed world as the hub runs it: no own account, the member's ports behind AccountAccess. */
function hubWorld(record: IncidentRecord, settings: Partial<ApplyDependencies['settings']> = {}): HubWorld {
  const world = applyWorld(record);
  const accounts = new FakeAccountAccess({
    [ACCOUNT]: {
      escalationReader: world.escalation,
      writer: world.writer,
      simulator: world.simulator,
      accountReader: world.reader,
    },
  });
  const { accountId: _own, ...organization } = SETTINGS;
  world.deps = {
    ...world.deps,
    accounts,
    writer: { putInlinePolicy: NOT_THE_HUB, getInlinePolicy: NOT_THE_HUB },
    simulator: { simulate: NOT_THE_HUB },
    escalationReader: { readEscalationInputs: NOT_THE_HUB },
    // The re-simulation reads the member's policies, never the hub's (an offline simulator's scope).
    accountReader: { loadScope: NOT_THE_HUB },
    settings: { ...organization, protectedRoleNames: ['PassRoleDoctorMember-*'], ...settings },
  };
  return { ...world, accounts };
}

/** Why the run refused (null when it did not). */
async function refusalOf(world: ApplyWorld): Promise<string | null> {
  const result = await applyProposal(PROPOSAL_ID, world.deps);
  return result.kind === 'refused' ? result.reason : null;
}

describe('the apply step in organization mode', () => {
  it("writes in the denial's account through its write access, as the approver", async () => {
    const world = hubWorld(seedApproved);
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('applied-verified');
    expect(world.writer.puts).toHaveLength(1);
    const approver = envelopeOf(seedApproved).approvers.at(-1)?.identity;
    expect(world.accounts.writes).toEqual([{ accountId: ACCOUNT, sourceIdentity: approver }]);
  });

  it('names the second approver of two as the source identity', async () => {
    const both = withDecision(seedApproved, {
      fingerprint: fingerprintOf(seedApproved),
      decidedAt: EARLIER_WRITE_AT,
      overrides: {
        approvers: [
          {
            kind: 'iam',
            name: 'arn:aws:iam::111111111111:user/alice',
            identity: 'arn:aws:iam::111111111111:user/alice',
          },
          {
            kind: 'iam',
            name: 'arn:aws:iam::111111111111:user/bob',
            identity: 'arn:aws:iam::111111111111:user/bob',
          },
        ],
      },
    });
    const world = hubWorld(both);
    await applyProposal(PROPOSAL_ID, world.deps);
    expect(world.accounts.writes.map((write) => write.sourceIdentity)).toEqual([
      'arn:aws:iam::111111111111:user/bob',
    ]);
  });

  it('verifies an earlier write through read access only', async () => {
    const world = hubWorld(leftBehind(seedApproved, { attempts: 1, appliedAt: EARLIER_WRITE_AT }));
    await writtenBefore(world, seedApproved);
    const result = await applyProposal(PROPOSAL_ID, world.deps);
    expect(result.kind).toBe('applied-verified');
    expect(world.accounts.reads).toEqual([ACCOUNT]);
    expect(world.accounts.writes).toEqual([]);
  });

  it('refuses, writing nothing, when the member role cannot be assumed', async () => {
    const world = hubWorld(seedApproved);
    const missing = new FakeAccountAccess();
    world.deps = { ...world.deps, accounts: missing };
    expect(await refusalOf(world)).toMatch(/^account 123456789012 cannot be reached \(role-unavailable\)/);
    expect(world.writer.puts).toEqual([]);
  });
});

describe('account agreement: the decision, the denial and the target', () => {
  it("refuses a decision replayed into another account's record, before any access", async () => {
    // The same proposal as it would stand in account B, every ARN there, carrying A's signed decision.
    const inB = JSON.parse(
      JSON.stringify({ ...seedApproved, decision: null }).replaceAll(ACCOUNT, OTHER_MEMBER),
    ) as IncidentRecord;
    if (inB.proposal === null) throw new Error('no proposal');
    const replayed: IncidentRecord = {
      ...inB,
      documentHash: documentHash(inB.proposal.document),
      decision: seedApproved.decision ?? null,
    };
    const world = hubWorld(replayed);
    world.accounts.set(OTHER_MEMBER, { escalationReader: world.escalation, writer: world.writer });
    expect(await refusalOf(world)).toBe(
      `the signed decision does not hold: the decision is for account ${ACCOUNT}, not ${OTHER_MEMBER}`,
    );
    expect(world.accounts.writes).toEqual([]);
    expect(world.writer.puts).toEqual([]);
  });

  it('refuses a target in another account than the denial', async () => {
    const record = withTarget(seedApproved, {
      type: 'group',
      name: 'GlueAccess',
      arn: `arn:aws:iam::${OTHER_MEMBER}:group/GlueAccess`,
      memberCount: 2,
    });
    const world = hubWorld(record);
    expect(await refusalOf(world)).toBe(
      `the target arn:aws:iam::${OTHER_MEMBER}:group/GlueAccess is not in account ${ACCOUNT}`,
    );
    expect(world.accounts.writes).toEqual([]);
  });

  it('refuses a record whose organization account is not its denial account', async () => {
    const record = signed({
      ...seedApproved,
      organizationAccount: { id: OTHER_MEMBER, name: 'sandbox', ouPath: [] },
    });
    const world = hubWorld(record);
    expect(await refusalOf(world)).toBe(
      `the record names account ${OTHER_MEMBER} and its denial account ${ACCOUNT}`,
    );
  });

  it('refuses an excluded account', async () => {
    const world = hubWorld(seedApproved, { excludedAccounts: [ACCOUNT] });
    expect(await refusalOf(world)).toBe(`account ${ACCOUNT} is excluded: the hub never writes there`);
    expect(world.accounts.writes).toEqual([]);
  });

  it('never writes the member roles the hub acts through, in any account', async () => {
    const record = withTarget(seedApproved, {
      type: 'role',
      name: 'PassRoleDoctorMember-Apply',
      arn: `arn:aws:iam::${ACCOUNT}:role/PassRoleDoctorMember-Apply`,
      memberCount: null,
    });
    const world = hubWorld(record);
    expect(await refusalOf(world)).toBe(
      `the target arn:aws:iam::${ACCOUNT}:role/PassRoleDoctorMember-Apply is one of this stack's own roles`,
    );
  });
});

/** R's policies and the membership as the record's decision signed them. */
function fingerprintOf(record: IncidentRecord): { rolePolicies: string; membership: string } {
  const envelope = envelopeOf(record);
  return { rolePolicies: envelope.rolePoliciesHash, membership: envelope.membershipHash };
}
