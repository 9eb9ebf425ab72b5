/**
 * OrganizationsReader against moto's Organizations: an organization with nested OUs, accounts, and
 * an SCP attached to an OU, read over the reader's own signed JSON 1.1 calls.
 */
import { OrganizationsReader } from '../../lambda/adapters/aws/organizations-reader';
import { motoEndpoint } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { seedOrganization, type SeededOrganization } from './support/organizations';

const DENY_PASSROLE = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'NoPassRoleToGlue', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }],
};

function newReader(): OrganizationsReader {
  return OrganizationsReader.fromEnvironment({
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_ORGANIZATIONS: motoEndpoint(),
  });
}

describe('OrganizationsReader, live against moto_server', () => {
  let org: SeededOrganization;
  const accountId = (name: string): string => org.accounts[name] ?? name;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    org = await seedOrganization({
      ous: [{ name: 'Workloads' }, { name: 'Data <Team>', parent: 'Workloads' }, { name: 'Sandbox' }],
      accounts: [
        { name: 'data-prod', ou: 'Data <Team>' },
        { name: 'sandbox-1', ou: 'Sandbox' },
        { name: 'at-root' },
      ],
      scps: [{ name: 'DenyPassRole', document: DENY_PASSROLE, attachTo: ['Workloads'] }],
    });
  });

  afterAll(() => resetMoto(motoEndpoint()));

  it('names an account with its OU path, the root first', async () => {
    const account = await newReader().account(accountId('data-prod'));
    expect(account).toEqual({
      id: org.accounts['data-prod'],
      name: 'data-prod',
      ouPath: [
        { id: org.rootId, name: 'Root' },
        { id: org.ous['Workloads'], name: 'Workloads' },
        { id: org.ous['Data <Team>'], name: 'Data <Team>' },
      ],
    });
    const atRoot = await newReader().account(accountId('at-root'));
    expect(atRoot?.ouPath).toEqual([{ id: org.rootId, name: 'Root' }]);
  });

  it('answers null for an account the organization does not have', async () => {
    expect(await newReader().account('999999999999')).toBeNull();
  });

  it('reads the SCPs in force level by level, the OU SCP at its own level', async () => {
    const levels = await newReader().serviceControlPolicies(accountId('data-prod'));
    expect(levels.map((level) => level.map((policy) => policy.name))).toEqual([
      ['FullAWSAccess'],
      ['FullAWSAccess', 'DenyPassRole'],
      ['FullAWSAccess'],
      ['FullAWSAccess'],
    ]);
    expect(levels[1]?.[1]?.document).toEqual(DENY_PASSROLE);
    const sandbox = await newReader().serviceControlPolicies(accountId('sandbox-1'));
    expect(sandbox.flat().map((policy) => policy.name)).not.toContain('DenyPassRole');
  });

  it('reports no SCP in force for the management account, which SCPs never restrict', async () => {
    expect(await newReader().serviceControlPolicies(org.managementAccountId)).toEqual([]);
  });

  it('reads each shared answer once per container: the root, the OUs, FullAWSAccess', async () => {
    const reader = newReader();
    await reader.serviceControlPolicies(accountId('data-prod'));
    await reader.serviceControlPolicies(accountId('data-prod'));
    await reader.account(accountId('data-prod'));
    expect(Object.fromEntries(reader.api.calls)).toEqual({
      DescribeAccount: 1,
      ListParents: 3,
      DescribeOrganizationalUnit: 2,
      ListRoots: 1,
      DescribeOrganization: 1,
      ListPoliciesForTarget: 4,
      DescribePolicy: 2,
    });
  });
});

describe('OrganizationsReader, an organization without SCPs enabled', () => {
  let org: SeededOrganization;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    org = await seedOrganization({
      ous: [{ name: 'Workloads' }],
      accounts: [{ name: 'data-prod', ou: 'Workloads' }],
      scps: [],
      enableScps: false,
    });
  });

  afterAll(() => resetMoto(motoEndpoint()));

  it('has no SCP in force, though moto lists FullAWSAccess on the root', async () => {
    const reader = newReader();
    const accountId = org.accounts['data-prod'] ?? '';
    expect(await reader.serviceControlPolicies(accountId)).toEqual([]);
    expect(reader.api.calls.get('ListPoliciesForTarget')).toBeUndefined();
    expect((await reader.account(accountId))?.ouPath.map((unit) => unit.name)).toEqual(['Root', 'Workloads']);
  });
});
