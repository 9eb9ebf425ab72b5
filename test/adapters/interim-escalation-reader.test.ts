import { join } from 'node:path';
import { InterimEscalationReader } from '../../lambda/adapters/interim-escalation-reader';
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';

const SEED_SNAPSHOT = join(__dirname, '..', '..', 'examples', 'seed', 'account.json');
const ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const GROUP = {
  type: 'group' as const,
  name: 'GlueAccess',
  arn: 'arn:aws:iam::123456789012:group/GlueAccess',
  memberCount: 2,
};

async function reader(): Promise<InterimEscalationReader> {
  const snapshot = await SnapshotAccountReader.fromFile(SEED_SNAPSHOT);
  return new InterimEscalationReader(snapshot, async () => snapshot.toAuthorizationDetails());
}

describe('InterimEscalationReader over the seed snapshot', () => {
  it("reads the group's members with their policies, and the passed role", async () => {
    const inputs = await (await reader()).readEscalationInputs(ROLE, GROUP);
    expect(inputs.accountId).toBe('123456789012');
    expect(inputs.role?.arn).toBe(ROLE);
    expect(inputs.gainers.map((gainer) => gainer.arn)).toEqual([
      'arn:aws:iam::123456789012:user/mei.tanaka',
      'arn:aws:iam::123456789012:user/li.wei',
    ]);
    expect(inputs.gainers[0]).toMatchObject({ kind: 'user', groups: expect.any(Array) });
    // What it cannot read keeps the level at least contained.
    expect(inputs.notes[0]).toMatch(/not read at decision time/);
    expect(inputs.trustingRoles).toEqual([]);
  });

  it('reads the target user or role as the one who gains it', async () => {
    const user = 'arn:aws:iam::123456789012:user/sam.ortiz';
    const inputs = await (
      await reader()
    ).readEscalationInputs(ROLE, { type: 'user', name: 'sam.ortiz', arn: user, memberCount: 1 });
    expect(inputs.gainers.map((gainer) => gainer.arn)).toEqual([user]);
  });

  it("resolves a role's path in its own account only", async () => {
    const r = await reader();
    expect(await r.rolePath('123456789012', 'etl-nightly-runtime')).toBe('/');
    expect(await r.rolePath('210987654321', 'etl-nightly-runtime')).toBeNull();
    expect(await r.rolePath('123456789012', 'nobody')).toBeNull();
  });
});
