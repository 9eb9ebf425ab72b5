import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MemberAccountAccess } from '../../../../lambda/adapters/aws/organization/member-account-access';
import { MemberAccessError } from '../../../../lambda/core/errors';
import type { OrganizationReader, ServiceControlPolicy } from '../../../../lambda/ports/organization-reader';

const stsMock = mockClient(STSClient);
const A = '111122223333';
const B = '444455556666';
const SCP: ServiceControlPolicy = {
  name: 'DenyLeavingTheOrganization',
  document: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
  },
};

let scps: ServiceControlPolicy[][] = [[]];
const organization: OrganizationReader = {
  account: () => Promise.resolve(null),
  serviceControlPolicies: () => Promise.resolve(scps),
};
const built: IAMClient[] = [];

function access(maxSessions?: number): MemberAccountAccess {
  return new MemberAccountAccess({
    sts: new STSClient({ region: 'us-east-1', maxAttempts: 1 }),
    partition: 'aws',
    externalId: 'external-id',
    roleSessionName: 'PassRoleDoctorHub-Apply',
    clients: {
      iam: (credentials) => {
        const client = new IAMClient({ region: 'us-east-1', credentials });
        built.push(client);
        return client;
      },
      sts: (credentials) => new STSClient({ region: 'us-east-1', credentials }),
    },
    organization,
    ...(maxSessions !== undefined ? { maxSessions } : {}),
  });
}

beforeEach(() => {
  stsMock.reset();
  built.length = 0;
  scps = [[]];
  let issued = 0;
  stsMock.on(AssumeRoleCommand).callsFake(() => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    };
  });
});

describe('MemberAccountAccess', () => {
  test('one IAM client and reader per account, reused; another account has its own', async () => {
    const hub = access();
    const first = await hub.read(A);
    const again = await hub.read(A);
    const other = await hub.read(B);
    expect(again.accountReader).toBe(first.accountReader);
    expect(again.simulator).toBe(first.simulator);
    expect(other.accountReader).not.toBe(first.accountReader);
    expect(other.accountId).toBe(B);
    expect(built).toHaveLength(2);
    expect(hub.assumeRoleCalls).toBe(2);
  });

  test('a new reader when the SCPs in force change, so the analysis never sees stale ones', async () => {
    const hub = access();
    const before = await hub.read(A);
    scps = [[], [SCP]];
    const after = await hub.read(A);
    expect(after.accountReader).not.toBe(before.accountReader);
    expect(built).toHaveLength(1);
  });

  test('writes assume the apply role with the mapped approver, one session per approver', async () => {
    const hub = access();
    const alice = await hub.write(A, 'arn:aws:iam::999988887777:user/alice');
    await hub.write(A, 'arn:aws:iam::999988887777:user/alice');
    await hub.write(A, 'arn:aws:iam::999988887777:user/bob');
    expect(alice.writer).toBeDefined();
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(stsMock).toHaveReceivedNthCommandWith(1, AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${A}:role/PassRoleDoctorMember-Apply`,
      SourceIdentity: expect.stringMatching(/^alice-[0-9a-f]{10}$/),
    });
  });

  test('refuses what is not an account id before any AssumeRole', async () => {
    for (const account of [
      '',
      '*',
      '111122223333:role/Admin',
      '11112222333',
      'arn:aws:iam::111122223333:root',
    ]) {
      await expect(access().read(account)).rejects.toBeInstanceOf(MemberAccessError);
    }
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('keeps at most maxSessions, dropping the least recently used', async () => {
    const hub = access(2);
    await hub.read(A);
    await hub.read(B);
    await hub.read(A);
    await hub.read('777788889999');
    await hub.read(A);
    expect(hub.assumeRoleCalls).toBe(3);
    await hub.read(B);
    expect(hub.assumeRoleCalls).toBe(4);
  });
});
