/**
 * MemberAccountAccess on moto with a hub and several members (one moto_server whose requests choose
 * their account; STS's role and external-id checks by the named fake in front of it): the hub's
 * reads land in the member, through its read role, never in the hub's IAM or another member's; a
 * write goes through the apply role with the approver as SourceIdentity; sessions are reused, renewed
 * once expired, and a missing member role is a MemberAccessError.
 */
import { GetGroupPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { MemberAccountAccess } from '../../lambda/adapters/aws/organization/member-account-access';
import { createDiagnoser } from '../../lambda/core/diagnose';
import { proposalOf, verdictOf } from '../../lambda/core/diagnosis/derived';
import { MemberAccessError } from '../../lambda/core/errors';
import type { AccountReadAccess } from '../../lambda/ports/account-access';
import type { OrganizationReader, ServiceControlPolicy } from '../../lambda/ports/organization-reader';
import { defaultEscalationDependencies } from '../../lambda/core/proposal/assess-escalation';
import {
  EXTERNAL_ID,
  HUB_ACCOUNT,
  memberAccountId,
  memberDenial,
  seedMemberAccount,
} from './support/member-accounts';
import { motoIamOf, startMemberRoleStsFake, type MemberRoleStsFake } from './support/member-role-sts-fake';
import { startMoto, type MotoServer } from './support/moto';

const MEMBER_A = memberAccountId(1);
const MEMBER_B = memberAccountId(2);
/** In moto, with the seed's entities, but without the member roles. */
const NO_ROLES = memberAccountId(3);
const APPROVER = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_SecurityAdmin_0a1b/alice@example.com';

const DENY_GLUE_SCP: ServiceControlPolicy = {
  name: 'DenyGlueOutsideTokyo',
  document: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: 'glue:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': 'ap-northeast-1' } },
      },
    ],
  },
};

/** An in-memory OrganizationReader: member A's OU has an SCP, member B's none. */
const organization: OrganizationReader = {
  account: (id) => Promise.resolve({ id, name: `member-${id}`, ouPath: [{ id: 'r-ab12', name: 'Root' }] }),
  serviceControlPolicies: (id) => Promise.resolve(id === MEMBER_A ? [[], [DENY_GLUE_SCP]] : [[]]),
};

let moto: MotoServer;
let fake: MemberRoleStsFake;
/** Added to the real clock: moto issues sessions by the real one. */
let clockOffsetMs = 0;

function access(externalId = EXTERNAL_ID): MemberAccountAccess {
  const config = (credentials: AwsCredentialIdentityProvider) => ({
    endpoint: fake.endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  return new MemberAccountAccess({
    sts: new STSClient(config(async () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' }))),
    partition: 'aws',
    externalId,
    roleSessionName: 'PassRoleDoctorHub-Diagnose',
    clients: {
      iam: (credentials) => new IAMClient(config(credentials)),
      sts: (credentials) => new STSClient(config(credentials)),
    },
    organization,
    now: () => Date.now() + clockOffsetMs,
  });
}

async function diagnose(read: AccountReadAccess, account: string) {
  const diagnosis = await createDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    accountReader: read.accountReader,
    // moto has no SimulatePrincipalPolicy: the local simulator over what the member's reads returned.
    simulator: new LocalPolicySimulator(),
    instanceProfiles: read.instanceProfiles,
    escalation: defaultEscalationDependencies(read.escalationReader),
  }).diagnose(memberDenial(account));
  return { verdict: verdictOf(diagnosis), proposal: proposalOf(diagnosis) };
}

const iamCallsByAccount = () => fake.countByAccount('iam:');

beforeAll(async () => {
  moto = await startMoto({ accountPerRequest: true });
  fake = await startMemberRoleStsFake(moto.endpoint);
  await seedMemberAccount(moto.endpoint, MEMBER_A);
  await seedMemberAccount(moto.endpoint, MEMBER_B);
  await seedMemberAccount(moto.endpoint, NO_ROLES, { memberRoles: false });
}, 120_000);

afterAll(async () => {
  await fake?.stop();
  await moto?.stop();
});

beforeEach(() => {
  fake.calls.length = 0;
  clockOffsetMs = 0;
});

describe('MemberAccountAccess on moto, a hub and several members', () => {
  test("diagnoses each member through its read role: every IAM read lands in that member, none in the hub's", async () => {
    const hub = access();
    for (const account of [MEMBER_A, MEMBER_B]) {
      const { verdict, proposal } = await diagnose(await hub.read(account), account);
      expect(verdict).toBe('explicitDeny');
      expect(proposal?.target).toMatchObject({
        type: 'group',
        name: 'GlueAccess',
        arn: `arn:aws:iam::${account}:group/GlueAccess`,
      });
    }
    const byAccount = iamCallsByAccount();
    expect(Object.keys(byAccount).sort()).toEqual([MEMBER_A, MEMBER_B]);
    expect(byAccount[MEMBER_A]).toBe(byAccount[MEMBER_B]);
    const assumed = fake.calls
      .filter((call) => call.operation === 'sts:AssumeRole')
      .map((call) => call.params);
    expect(assumed).toEqual([
      expect.objectContaining({
        RoleArn: `arn:aws:iam::${MEMBER_A}:role/PassRoleDoctorMember-Read`,
        ExternalId: EXTERNAL_ID,
        RoleSessionName: 'PassRoleDoctorHub-Diagnose',
      }),
      expect.objectContaining({ RoleArn: `arn:aws:iam::${MEMBER_B}:role/PassRoleDoctorMember-Read` }),
    ]);
    expect(assumed.every((params) => params?.SourceIdentity === undefined)).toBe(true);
  });

  test("the escalation analysis sees the account's own SCPs from Organizations", async () => {
    const hub = access();
    const target = { type: 'group', name: 'GlueAccess', arn: null, memberCount: null } as const;
    const role = (account: string) => `arn:aws:iam::${account}:role/etl-nightly-runtime`;
    const inA = await (
      await hub.read(MEMBER_A)
    ).escalationReader.readEscalationInputs(role(MEMBER_A), target);
    const inB = await (
      await hub.read(MEMBER_B)
    ).escalationReader.readEscalationInputs(role(MEMBER_B), target);
    expect(inA.scps).toEqual([[], [DENY_GLUE_SCP]]);
    expect(inB.scps).toEqual([[]]);
  });

  test('reuses one session per account: one AssumeRole per account for many incidents', async () => {
    const hub = access();
    for (let round = 0; round < 3; round++) {
      for (const account of [MEMBER_A, MEMBER_B]) await diagnose(await hub.read(account), account);
    }
    expect(hub.assumeRoleCalls).toBe(2);
    expect(fake.countByAccount('sts:AssumeRole')).toEqual({ [HUB_ACCOUNT]: 2 });
  });

  test('renews a session once it is about to expire, and reads still land in the member', async () => {
    const hub = access();
    await diagnose(await hub.read(MEMBER_A), MEMBER_A);
    fake.calls.length = 0;
    // Four minutes before the session expires: inside the refresh window, so read() renews it.
    clockOffsetMs = 56 * 60_000;
    const read = await hub.read(MEMBER_A);
    clockOffsetMs = 0;
    const { verdict } = await diagnose(read, MEMBER_A);
    expect(verdict).toBe('explicitDeny');
    expect(hub.assumeRoleCalls).toBe(2);
    expect(Object.keys(iamCallsByAccount())).toEqual([MEMBER_A]);
  });

  test('a session refused as expired before its time is renewed, and the incident still diagnosed', async () => {
    const hub = access();
    await diagnose(await hub.read(MEMBER_A), MEMBER_A);
    fake.expireSessionsOf(MEMBER_A);
    fake.calls.length = 0;
    const { verdict } = await diagnose(await hub.read(MEMBER_A), MEMBER_A);
    expect(verdict).toBe('explicitDeny');
    expect(hub.assumeRoleCalls).toBe(2);
    expect(Object.keys(iamCallsByAccount())).toEqual([MEMBER_A]);
  });

  test('a missing member role is a MemberAccessError (role-unavailable), and nothing is read', async () => {
    const failure = access().read(NO_ROLES);
    await expect(failure).rejects.toBeInstanceOf(MemberAccessError);
    await expect(failure).rejects.toMatchObject({ accountId: NO_ROLES, reason: 'role-unavailable' });
    expect(iamCallsByAccount()).toEqual({});
  });

  test('a wrong external id is refused as role-unavailable', async () => {
    await expect(access('another-external-id').read(MEMBER_A)).rejects.toMatchObject({
      name: 'MemberAccessError',
      reason: 'role-unavailable',
    });
  });

  test('writes through the apply role with the approver as SourceIdentity, into that member only', async () => {
    const hub = access();
    const denial = memberDenial(MEMBER_B);
    const { proposal } = await diagnose(await hub.read(MEMBER_B), MEMBER_B);
    if (proposal === null) throw new Error('the seed denial has a proposal');
    const write = await hub.write(MEMBER_B, APPROVER);
    await write.writer.putInlinePolicy(proposal.target, proposal.policyName, proposal.document);

    const assumed = fake.calls
      .filter((call) => call.operation === 'sts:AssumeRole')
      .map((call) => call.params);
    expect(assumed.at(-1)).toMatchObject({
      RoleArn: `arn:aws:iam::${MEMBER_B}:role/PassRoleDoctorMember-Apply`,
      SourceIdentity: expect.stringMatching(
        /^AWSReservedSSO_SecurityAdmin_0a1b_alice@example\.com-[0-9a-f]{10}$/,
      ),
    });
    expect(fake.countByAccount('iam:PutGroupPolicy')).toEqual({ [MEMBER_B]: 1 });
    const policyIn = async (account: string) => {
      const iam = motoIamOf(moto.endpoint, account);
      try {
        await iam.send(
          new GetGroupPolicyCommand({ GroupName: 'GlueAccess', PolicyName: proposal.policyName }),
        );
        return true;
      } catch {
        return false;
      } finally {
        iam.destroy();
      }
    };
    expect(await policyIn(MEMBER_B)).toBe(true);
    expect(await policyIn(MEMBER_A)).toBe(false);
    expect(await policyIn(HUB_ACCOUNT)).toBe(false);
    expect(denial.policySourceArn).toContain(MEMBER_B);
  });
});
