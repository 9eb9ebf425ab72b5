/**
 * SsoAdminIdentityCenterReader and SsoAdminIdentityCenterWriter against moto's sso-admin and
 * identitystore. moto 5.2.1 lacks ListTagsForResource and GetPermissionsBoundaryForPermissionSet:
 * those two come from the FAKE in support/sso-admin-read-fake.ts (named as such), everything else is
 * moto. moto provisions a set to its own account only, whatever the target (so the provisioned
 * accounts read here are moto's account).
 */
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  ListInstancesCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import { SsoAdminIdentityCenterReader } from '../../lambda/adapters/aws/identity-center/sso-admin-reader';
import { SsoAdminIdentityCenterWriter } from '../../lambda/adapters/aws/identity-center/sso-admin-writer';
import { takeIdentityCenterSnapshot } from '../../lambda/adapters/aws/identity-center/identity-center-snapshot';
import { SnapshotIdentityCenterReader } from '../../lambda/adapters/snapshot/snapshot-identity-center-reader';
import { definitionHash } from '../../lambda/core/identity-center/definition-hash';
import type { PermissionSetRef } from '../../lambda/core/identity-center/model';
import { MOTO_ACCOUNT_ID, MOTO_REGION, motoEndpoint } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { startSsoAdminReadFake, type SsoAdminReadFake } from './support/sso-admin-read-fake';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'ReadLogs', Effect: 'Allow', Action: 'logs:Get*', Resource: '*' }],
});
/** Names that share `_`-separated parts, so a split on `_` would pick the wrong one. */
const SET_NAMES = ['Data', 'Data_Engineer', 'Data_Engineer_Prod', 'Engineer', 'Ops_1', 'Ops_2', 'Ops_3'];

let fake: SsoAdminReadFake;
let seedSsoAdmin: SSOAdminClient;
let seedIdentityStore: IdentitystoreClient;
let instanceArn: string;
let identityStoreId: string;
const setArns = new Map<string, string>();
const users = new Map<string, string>();
let groupId: string;

const ssoAdminClient = () =>
  new SSOAdminClient({ region: MOTO_REGION, endpoint: fake.endpoint, credentials, maxAttempts: 1 });
const identityStoreClient = (endpoint = motoEndpoint()) =>
  new IdentitystoreClient({ region: MOTO_REGION, endpoint, credentials, maxAttempts: 1 });
const newReader = (options: ConstructorParameters<typeof SsoAdminIdentityCenterReader>[2] = {}) =>
  new SsoAdminIdentityCenterReader(ssoAdminClient(), identityStoreClient(), { pageSize: 2, ...options });
const refOf = (name: string): PermissionSetRef => ({
  instanceArn,
  permissionSetArn: setArns.get(name) ?? '',
  name,
});
const callsOf = (operation: string) => fake.calls.filter((call) => call.operation === operation).length;

async function createSet(name: string): Promise<string> {
  const created = await seedSsoAdmin.send(
    new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: name }),
  );
  const arn = created.PermissionSet?.PermissionSetArn ?? '';
  setArns.set(name, arn);
  return arn;
}

beforeAll(async () => {
  await resetMoto(motoEndpoint());
  fake = await startSsoAdminReadFake(motoEndpoint());
  seedSsoAdmin = new SSOAdminClient({ region: MOTO_REGION, endpoint: motoEndpoint(), credentials });
  seedIdentityStore = identityStoreClient();
  const [instance] = (await seedSsoAdmin.send(new ListInstancesCommand({}))).Instances ?? [];
  instanceArn = instance?.InstanceArn ?? '';
  identityStoreId = instance?.IdentityStoreId ?? '';

  for (const name of SET_NAMES) await createSet(name);
  const engineer = setArns.get('Data_Engineer') ?? '';
  const on = { InstanceArn: instanceArn, PermissionSetArn: engineer };
  await seedSsoAdmin.send(new PutInlinePolicyToPermissionSetCommand({ ...on, InlinePolicy: INLINE }));
  await seedSsoAdmin.send(
    new AttachManagedPolicyToPermissionSetCommand({
      ...on,
      ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  );
  for (const reference of [{ Name: 'TeamAccess', Path: '/teams/' }, { Name: 'Shared' }]) {
    await seedSsoAdmin.send(
      new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
        ...on,
        CustomerManagedPolicyReference: reference,
      }),
    );
  }
  fake.setTags(engineer, { 'passrole-doctor:managed': 'true', team: 'data' });
  fake.setBoundary(engineer, { CustomerManagedPolicyReference: { Name: 'Boundary', Path: '/limits/' } });
  await seedSsoAdmin.send(
    new ProvisionPermissionSetCommand({ ...on, TargetType: 'AWS_ACCOUNT', TargetId: MOTO_ACCOUNT_ID }),
  );

  for (const name of ['alice', 'bob', 'carol', 'dan_the_admin']) {
    const created = await seedIdentityStore.send(
      new CreateUserCommand({
        IdentityStoreId: identityStoreId,
        UserName: name,
        DisplayName: `${name} (display)`,
        Name: { GivenName: name, FamilyName: 'Example' },
      }),
    );
    users.set(name, created.UserId ?? '');
  }
  groupId =
    (
      await seedIdentityStore.send(
        new CreateGroupCommand({ IdentityStoreId: identityStoreId, DisplayName: 'Data <Team> & Co' }),
      )
    ).GroupId ?? '';
  for (const name of ['alice', 'bob', 'dan_the_admin']) {
    await seedIdentityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: identityStoreId,
        GroupId: groupId,
        MemberId: { UserId: users.get(name) ?? '' },
      }),
    );
  }
  const assign = (PrincipalType: 'USER' | 'GROUP', PrincipalId: string) =>
    seedSsoAdmin.send(
      new CreateAccountAssignmentCommand({
        ...on,
        TargetType: 'AWS_ACCOUNT',
        TargetId: MOTO_ACCOUNT_ID,
        PrincipalType,
        PrincipalId,
      }),
    );
  await assign('USER', users.get('carol') ?? '');
  await assign('GROUP', groupId);
});

afterAll(async () => {
  await fake.stop();
  await resetMoto(motoEndpoint());
});

describe('SsoAdminIdentityCenterReader.permissionSet, live against moto', () => {
  it('resolves a name containing `_` to exactly that set, across listing pages', async () => {
    const reader = newReader();
    for (const name of SET_NAMES) {
      expect(await reader.permissionSet(name)).toEqual({
        instanceArn,
        permissionSetArn: setArns.get(name),
        name,
      });
    }
  });

  it('answers null for a name no set has, including a prefix or a part of a real name', async () => {
    const reader = newReader();
    expect(await reader.permissionSet('Data_Eng')).toBeNull();
    expect(await reader.permissionSet('Engineer_Prod')).toBeNull();
    expect(await reader.permissionSet('data_engineer')).toBeNull();
  });

  it('lists the sets once per TTL and describes each set once per container', async () => {
    let now = 1_000;
    const reader = newReader({ now: () => now, ttlMs: 60_000 });
    const listedBefore = callsOf('ListPermissionSets');
    const describedBefore = callsOf('DescribePermissionSet');
    await reader.permissionSet('Ops_3');
    await reader.permissionSet('Data');
    await reader.permissionSet('Ops_3');
    const pages = Math.ceil(SET_NAMES.length / 2);
    expect(callsOf('ListPermissionSets') - listedBefore).toBe(pages);
    expect(callsOf('DescribePermissionSet') - describedBefore).toBe(SET_NAMES.length);
    now += 60_001;
    await reader.permissionSet('Data');
    expect(callsOf('ListPermissionSets') - listedBefore).toBe(2 * pages);
    expect(callsOf('DescribePermissionSet') - describedBefore).toBe(SET_NAMES.length);
  });

  it('finds a set created after the list was kept on its first lookup, by listing again', async () => {
    const reader = newReader({ ttlMs: 60 * 60_000 });
    expect(await reader.permissionSet('Data')).not.toBeNull();
    const arn = await createSet('Late_Comer');
    expect(await reader.permissionSet('Late_Comer')).toEqual({
      instanceArn,
      permissionSetArn: arn,
      name: 'Late_Comer',
    });
  });
});

describe('SsoAdminIdentityCenterReader.definition', () => {
  it('reads the whole set: inline policy as text, managed policies, references, boundary, tags', async () => {
    const reader = newReader();
    const ref = (await reader.permissionSet('Data_Engineer')) as PermissionSetRef;
    expect(await reader.definition(ref)).toEqual({
      ...ref,
      inlinePolicy: INLINE,
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customerManagedPolicies: [
        { name: 'TeamAccess', path: '/teams/' },
        { name: 'Shared', path: '/' },
      ],
      boundary: { kind: 'customer-managed', reference: { name: 'Boundary', path: '/limits/' } },
      tags: { 'passrole-doctor:managed': 'true', team: 'data' },
    });
  });

  it('reads an empty set as empty: no inline policy, no boundary (sso-admin answers not found), no tags', async () => {
    expect(await newReader().definition(refOf('Engineer'))).toEqual({
      ...refOf('Engineer'),
      inlinePolicy: null,
      managedPolicyArns: [],
      customerManagedPolicies: [],
      boundary: null,
      tags: {},
    });
  });

  it('reads afresh every time: an edit made between two reads changes the hash', async () => {
    const reader = newReader();
    const ref = refOf('Ops_1');
    const before = definitionHash(await reader.definition(ref));
    await seedSsoAdmin.send(
      new PutInlinePolicyToPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: ref.permissionSetArn,
        InlinePolicy: INLINE,
      }),
    );
    fake.setBoundary(ref.permissionSetArn, { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    const after = await reader.definition(ref);
    expect(after.boundary).toEqual({
      kind: 'managed',
      managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    expect(definitionHash(after)).not.toBe(before);
  });
});

describe('SsoAdminIdentityCenterReader: blast radius and memberships', () => {
  it('lists the accounts the set is provisioned to', async () => {
    expect(await newReader().provisionedAccounts(refOf('Data_Engineer'))).toEqual([MOTO_ACCOUNT_ID]);
    expect(await newReader().provisionedAccounts(refOf('Data'))).toEqual([]);
  });

  it('names each assignment, with a group size and its members named up to the limit', async () => {
    const assignments = await newReader({ memberNameLimit: 2 }).assignments(
      refOf('Data_Engineer'),
      MOTO_ACCOUNT_ID,
    );
    const byType = Object.fromEntries(
      assignments.map((assignment) => [assignment.principalType, assignment]),
    );
    expect(byType['USER']).toEqual({
      principalType: 'USER',
      principalId: users.get('carol'),
      displayName: 'carol',
      memberCount: 1,
      memberNames: [],
    });
    expect(byType['GROUP']?.principalId).toBe(groupId);
    expect(byType['GROUP']?.displayName).toBe('Data <Team> & Co');
    expect(byType['GROUP']?.memberCount).toBe(3);
    expect(byType['GROUP']?.memberNames).toHaveLength(2);
    expect(['alice', 'bob', 'dan_the_admin']).toEqual(
      expect.arrayContaining(byType['GROUP']?.memberNames ?? []),
    );
  });

  it('answers no assignments in an account where the set has none', async () => {
    expect(await newReader().assignments(refOf('Data_Engineer'), '210987654321')).toEqual([]);
  });

  it('leaves names and group sizes null when identitystore cannot be read, never failing', async () => {
    const reader = new SsoAdminIdentityCenterReader(
      ssoAdminClient(),
      identityStoreClient('http://127.0.0.1:9'),
      {
        pageSize: 2,
      },
    );
    const assignments = await reader.assignments(refOf('Data_Engineer'), MOTO_ACCOUNT_ID);
    expect(
      assignments.map(({ principalType, displayName, memberCount, memberNames }) => ({
        principalType,
        displayName,
        memberCount,
        memberNames,
      })),
    ).toEqual(
      expect.arrayContaining([
        { principalType: 'USER', displayName: null, memberCount: 1, memberNames: [] },
        { principalType: 'GROUP', displayName: null, memberCount: null, memberNames: [] },
      ]),
    );
  });

  it("reads a user's groups by user name; null for a user the store does not have", async () => {
    const reader = newReader();
    expect(await reader.userMemberships('dan_the_admin')).toEqual({
      userId: users.get('dan_the_admin'),
      groupIds: [groupId],
    });
    expect(await reader.userMemberships('carol')).toEqual({ userId: users.get('carol'), groupIds: [] });
    expect(await reader.userMemberships('nobody')).toBeNull();
  });
});

describe('SsoAdminIdentityCenterWriter, live against moto', () => {
  it('puts the inline policy text as given, read back by the reader', async () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [] }, null, 2);
    await new SsoAdminIdentityCenterWriter(ssoAdminClient()).putInlinePolicy(refOf('Ops_2'), text);
    expect((await newReader().definition(refOf('Ops_2'))).inlinePolicy).toBe(text);
  });

  it('provisions to one account with TargetType AWS_ACCOUNT and returns the request status', async () => {
    const status = await new SsoAdminIdentityCenterWriter(ssoAdminClient()).provision(
      refOf('Ops_2'),
      MOTO_ACCOUNT_ID,
    );
    expect(status).toEqual({
      requestId: expect.any(String),
      state: 'SUCCEEDED',
      accountId: MOTO_ACCOUNT_ID,
      permissionSetArn: refOf('Ops_2').permissionSetArn,
      failureReason: null,
    });
    const sent = fake.calls.filter((call) => call.operation === 'ProvisionPermissionSet').at(-1);
    expect(sent?.body).toEqual({
      InstanceArn: instanceArn,
      PermissionSetArn: refOf('Ops_2').permissionSetArn,
      TargetType: 'AWS_ACCOUNT',
      TargetId: MOTO_ACCOUNT_ID,
    });
  });
});

describe('the Identity Center snapshot, taken live and read back offline', () => {
  it('holds every set, its provisioned accounts and assignments, and the reached users; the file reader answers as the live one', async () => {
    const live = newReader();
    const snapshot = await takeIdentityCenterSnapshot(
      live,
      () => undefined,
      () => new Date('2026-12-07T08:00:00Z'),
    );
    expect(snapshot.instanceArn).toBe(instanceArn);
    expect(snapshot.identityStoreId).toBe(identityStoreId);
    expect(snapshot.permissionSets.map((set) => set.definition.name)).toEqual(
      [...setArns.keys()].sort((a, b) => a.localeCompare(b)),
    );
    expect(snapshot.userMemberships.map((user) => user.userName)).toEqual([
      'alice',
      'bob',
      'carol',
      'dan_the_admin',
    ]);

    const offline = new SnapshotIdentityCenterReader(JSON.parse(JSON.stringify(snapshot)), 'ic.json');
    const ref = await offline.permissionSet('Data_Engineer');
    expect(ref).toEqual(await live.permissionSet('Data_Engineer'));
    const liveRef = ref as PermissionSetRef;
    expect(await offline.definition(liveRef)).toEqual(await live.definition(liveRef));
    expect(await offline.provisionedAccounts(liveRef)).toEqual(await live.provisionedAccounts(liveRef));
    const sortById = <T extends { principalId: string }>(list: T[]) =>
      [...list].sort((a, b) => a.principalId.localeCompare(b.principalId));
    expect(sortById(await offline.assignments(liveRef, MOTO_ACCOUNT_ID))).toEqual(
      sortById(await live.assignments(liveRef, MOTO_ACCOUNT_ID)),
    );
    expect(await offline.userMemberships('alice')).toEqual(await live.userMemberships('alice'));
  });
});
