/**
 * The live EscalationReader against moto's IAM (with AWS's real managed policies): the seed account,
 * li.wei also holding ReadOnlyAccess, and two roles whose trust policies name etl-nightly-runtime.
 */
import { AttachUserPolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { TargetedAccountReader } from '../../lambda/adapters/aws/targeted-account-reader';
import { recordAwsCalls } from '../../lambda/adapters/aws/aws-call-recorder';
import type { ProposalTarget, UserDetails } from '../../lambda/core/model';
import { createMotoClients, motoEndpoint, MOTO_ACCOUNT_ID, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { seedGlueAccount } from './support/seed-account';

const ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/etl-nightly-runtime`;
const MEI = `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/mei.tanaka`;
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const GLUE_ACCESS: ProposalTarget = {
  type: 'group',
  name: 'GlueAccess',
  arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:group/GlueAccess`,
  memberCount: 2,
};

describe('TargetedAccountReader.readEscalationInputs, live against moto_server', () => {
  let clients: MotoClients;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    await clients.iam.send(new AttachUserPolicyCommand({ UserName: 'li.wei', PolicyArn: READ_ONLY }));
    const trust = (statement: Record<string, unknown>) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }],
      });
    await clients.iam.send(
      new CreateRoleCommand({
        RoleName: 'etl-admin',
        AssumeRolePolicyDocument: trust({ Principal: { AWS: ROLE } }),
      }),
    );
    await clients.iam.send(
      new CreateRoleCommand({
        RoleName: 'account-wide',
        AssumeRolePolicyDocument: trust({ Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT_ID}:root` } }),
      }),
    );
  });

  afterAll(() => clients.destroy());

  it('reads the members with AWS managed documents, the role and the roles that trust it', async () => {
    const inputs = await new TargetedAccountReader(clients.iam).readEscalationInputs(ROLE, GLUE_ACCESS);
    expect(inputs.accountId).toBe(MOTO_ACCOUNT_ID);
    expect(inputs.role?.inlinePolicies.map((policy) => policy.name)).toEqual(['EtlData']);
    expect(inputs.gainers.map((gainer) => gainer.name).sort()).toEqual(['li.wei', 'mei.tanaka']);
    const li = inputs.gainers.find((gainer) => gainer.name === 'li.wei') as UserDetails;
    expect(li.attachedPolicies.map((policy) => policy.arn)).toEqual([READ_ONLY]);
    expect(JSON.stringify(li.attachedPolicies[0]?.document)).toContain('"Effect":"Allow"');
    expect(li.groups.map((group) => group.name).sort()).toEqual(['Developers', 'GlueAccess']);
    expect(inputs.trustingRoles.map((role) => role.name)).toEqual(['etl-admin']);
    expect(inputs.notes).toEqual([]);
  });

  it('after loadScope, the escalation inputs reuse its reads: the role is read once', async () => {
    const reader = new TargetedAccountReader(clients.iam);
    const calls = recordAwsCalls(clients.iam);
    await reader.loadScope(MEI, ROLE);
    await reader.readEscalationInputs(ROLE, GLUE_ACCESS);
    const roleReads = calls.filter((call) => call.command === 'GetRoleCommand').length;
    // R once, then etl-admin (the role that trusts it): never R again.
    expect(roleReads).toBe(2);
    expect(calls.filter((call) => call.command === 'GetAccountAuthorizationDetailsCommand')).toHaveLength(0);
  });
});
