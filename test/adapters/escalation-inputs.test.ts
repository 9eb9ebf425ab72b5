/**
 * The escalation inputs as both readers build them from GetAccountAuthorizationDetails data: the seed
 * account, with roles that trust its etl-nightly-runtime role (and some that only seem to).
 */
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';
import { escalationAccount, READ_ONLY } from './support/escalation-account';
import type { ProposalTarget, UserDetails } from '../../lambda/core/model';

const ACCOUNT = '123456789012';
const ETL_ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;

const GLUE_ACCESS: ProposalTarget = {
  type: 'group',
  name: 'GlueAccess',
  arn: `arn:aws:iam::${ACCOUNT}:group/GlueAccess`,
  memberCount: 2,
};

function reader(scps: ConstructorParameters<typeof SnapshotAccountReader>[2] = {}) {
  return new SnapshotAccountReader(escalationAccount(), 'account.json', scps);
}

describe('SnapshotAccountReader.readEscalationInputs', () => {
  it('a group target: every member with all their groups and policies, the role, the roles trusting it', async () => {
    const inputs = await reader().readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    expect(inputs.accountId).toBe(ACCOUNT);
    expect(inputs.role?.arn).toBe(ETL_ROLE);
    expect(inputs.role?.inlinePolicies.map((policy) => policy.name)).toEqual(['EtlData']);
    expect(inputs.gainers.map((gainer) => gainer.arn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
      `arn:aws:iam::${ACCOUNT}:user/li.wei`,
    ]);
    const mei = inputs.gainers[0] as UserDetails;
    expect(mei.groups.map((group) => group.name)).toEqual(['GlueAccess', 'Developers']);
    expect(mei.groups[0]?.attachedPolicies[0]?.arn).toBe('arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess');
    expect(mei.groups[1]?.inlinePolicies.map((policy) => policy.name)).toEqual([
      'RequireMFA',
      'DeveloperRead',
    ]);
    expect(inputs.trustingRoles.map((role) => role.name)).toEqual(['etl-admin', 'etl-chain']);
    expect(inputs.scps).toBeNull();
    // li.wei's ReadOnlyAccess is not in the data: left out, and said so (the level stays at least contained).
    expect((inputs.gainers[1] as UserDetails).attachedPolicies).toEqual([]);
    expect(inputs.notes).toEqual([
      `Managed policy ReadOnlyAccess (${READ_ONLY}), attached to user/li.wei, is left out: its document is not in the account data.`,
    ]);
  });

  it('a user target: the user; a role target: the role', async () => {
    const user = await reader().readEscalationInputs(ETL_ROLE, {
      type: 'user',
      name: 'sam.ortiz',
      arn: `arn:aws:iam::${ACCOUNT}:user/sam.ortiz`,
      memberCount: 1,
    });
    expect(user.gainers.map((gainer) => `${gainer.kind}/${gainer.name}`)).toEqual(['user/sam.ortiz']);
    expect((user.gainers[0] as UserDetails).groups.map((group) => group.name)).toEqual(['Developers']);
    expect(user.notes).toEqual([]);

    const role = await reader().readEscalationInputs(ETL_ROLE, {
      type: 'role',
      name: 'etl-admin',
      arn: `arn:aws:iam::${ACCOUNT}:role/etl-admin`,
      memberCount: null,
    });
    expect(role.gainers.map((gainer) => `${gainer.kind}/${gainer.name}`)).toEqual(['role/etl-admin']);
  });

  it('a role that does not exist: role null, no trusting roles; a role ARN without its path still finds it', async () => {
    const missing = await reader().readEscalationInputs(
      `arn:aws:iam::${ACCOUNT}:role/bootstrap`,
      GLUE_ACCESS,
    );
    expect(missing.role).toBeNull();
    expect(missing.trustingRoles).toEqual([]);
    expect(missing.gainers).toHaveLength(2);

    const json = escalationAccount();
    const etl = json.RoleDetailList.find((role) => role.RoleName === 'etl-nightly-runtime');
    if (etl === undefined) throw new Error('the seed lost its role');
    etl.Path = '/service-role/';
    etl.Arn = `arn:aws:iam::${ACCOUNT}:role/service-role/etl-nightly-runtime`;
    const byName = await new SnapshotAccountReader(json, 'account.json').readEscalationInputs(
      ETL_ROLE,
      GLUE_ACCESS,
    );
    expect(byName.role?.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/service-role/etl-nightly-runtime`);
  });

  it('a target not in the data, or a permission set: no gainers, and a note saying who gains is unknown', async () => {
    const gone = await reader().readEscalationInputs(ETL_ROLE, { ...GLUE_ACCESS, name: 'Gone', arn: null });
    expect(gone.gainers).toEqual([]);
    expect(gone.notes).toContain('group Gone is not in the account data: who gains the grant is unknown.');
    const sso = await reader().readEscalationInputs(ETL_ROLE, {
      type: 'permission-set',
      name: 'DataEngineer',
      arn: null,
      memberCount: null,
    });
    expect(sso.gainers).toEqual([]);
    expect(sso.notes).toEqual([
      'The target is the Identity Center permission set DataEngineer: who is assigned it is not in the account data.',
    ]);
  });

  it('carries the SCPs it was given, one list per level', async () => {
    const scp = {
      name: 'DenyLeaving',
      document: { Statement: [{ Effect: 'Deny' as const, Action: '*', Resource: '*' }] },
    };
    const inputs = await reader({ scps: [[scp]] }).readEscalationInputs(ETL_ROLE, GLUE_ACCESS);
    expect(inputs.scps).toEqual([[scp]]);
  });
});
