/**
 * The hub's way into Identity Center (lambda/handlers/identity-center-access.ts): which role each
 * function's clients assume (read for all, apply with the approver as SourceIdentity for the apply
 * only), in which account and region, and how the administration is told (management or delegated).
 * STS is answered by aws-sdk-client-mock; the adapters are recording fakes.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  administrationOf,
  hubIdentityCenterAccess,
  MAX_WRITER_SESSIONS,
  type IdentityCenterAdapters,
  type IdentityCenterClients,
} from '../../lambda/handlers/identity-center-access';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../lambda/ports/identity-center';
import {
  readIdentityCenterAccessSettings,
  type IdentityCenterAccessSettings,
} from '../../lambda/settings/identity-center-access';

const stsMock = mockClient(STSClient);
const MANAGEMENT = '999988887777';
const DELEGATED = '123412341234';
const SETTINGS: IdentityCenterAccessSettings = {
  region: 'us-east-1',
  accountId: MANAGEMENT,
  instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
};

/** Adapters that only keep the clients they were given (nothing here calls sso-admin). */
function recordingAdapters() {
  const made: { kind: 'reader' | 'writer'; clients: IdentityCenterClients }[] = [];
  const adapters: IdentityCenterAdapters = {
    reader: (clients) => {
      made.push({ kind: 'reader', clients });
      return {} as IdentityCenterReader;
    },
    writer: (clients) => {
      made.push({ kind: 'writer', clients });
      return {} as IdentityCenterWriter;
    },
  };
  return { adapters, made };
}

function access(hubFunction: 'diagnose' | 'approval' | 'apply', management = MANAGEMENT) {
  const { adapters, made } = recordingAdapters();
  let organizationsCalls = 0;
  const built = hubIdentityCenterAccess({
    sts: new STSClient({ region: 'eu-west-1', maxAttempts: 1 }),
    hubFunction,
    externalId: 'passrole-doctor-7f3a9c',
    hubRegion: 'eu-west-1',
    settings: SETTINGS,
    managementAccountId: () => {
      organizationsCalls += 1;
      return Promise.resolve(management);
    },
    adapters,
  });
  return { built, made, organizationsCalls: () => organizationsCalls };
}

/** Resolves a client's credentials: the AssumeRole the session makes. */
async function credentialsOf(clients: IdentityCenterClients | undefined): Promise<void> {
  if (clients === undefined) throw new Error('no clients were made');
  await clients.ssoAdmin.config.credentials();
}

beforeEach(() => {
  stsMock.reset();
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAIDENTITYCENTER01',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
});

describe('hubIdentityCenterAccess', () => {
  it.each(['diagnose', 'approval'] as const)(
    'gives %s a reader through the read role in the instance region, and no writer',
    async (hubFunction) => {
      const { built, made } = access(hubFunction);
      expect(built.writer).toBeNull();
      expect(made.map((entry) => entry.kind)).toEqual(['reader']);
      const clients = made[0]?.clients;
      expect(await clients?.ssoAdmin.config.region()).toBe('us-east-1');
      expect(await clients?.identitystore.config.region()).toBe('us-east-1');
      expect(clients?.instanceArn).toBe(SETTINGS.instanceArn);
      await credentialsOf(clients);
      expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
      const input = stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
      expect(input).toEqual({
        RoleArn: `arn:aws:iam::${MANAGEMENT}:role/PassRoleDoctorIdentityCenter-Read`,
        RoleSessionName:
          hubFunction === 'diagnose' ? 'PassRoleDoctorHub-Diagnose' : 'PassRoleDoctorHub-Approval',
        ExternalId: 'passrole-doctor-7f3a9c',
        DurationSeconds: 3600,
      });
    },
  );

  it('gives the apply a writer through the apply role carrying the approver, one per approver', async () => {
    const { built, made } = access('apply');
    const approver = 'arn:aws:sts::111122223333:assumed-role/SecurityApprover/alice';
    const first = built.writer?.(approver);
    expect(built.writer?.(approver)).toBe(first);
    built.writer?.('arn:aws:sts::111122223333:assumed-role/SecurityApprover/bob');
    const writers = made.filter((entry) => entry.kind === 'writer');
    expect(writers).toHaveLength(2);
    await credentialsOf(writers[0]?.clients);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MANAGEMENT}:role/PassRoleDoctorIdentityCenter-Apply`,
      RoleSessionName: 'PassRoleDoctorHub-Apply',
      ExternalId: 'passrole-doctor-7f3a9c',
      SourceIdentity: expect.stringMatching(/^SecurityApprover_alice-[0-9a-f]{10}$/),
    });
  });

  it('keeps at most MAX_WRITER_SESSIONS writers, dropping the oldest', () => {
    const { built, made } = access('apply');
    for (let index = 0; index <= MAX_WRITER_SESSIONS; index++) built.writer?.(`approver-${index}`);
    const writers = () => made.filter((entry) => entry.kind === 'writer').length;
    expect(writers()).toBe(MAX_WRITER_SESSIONS + 1);
    // The newest is kept; the oldest was dropped and is made again.
    built.writer?.(`approver-${MAX_WRITER_SESSIONS}`);
    expect(writers()).toBe(MAX_WRITER_SESSIONS + 1);
    built.writer?.('approver-0');
    expect(writers()).toBe(MAX_WRITER_SESSIONS + 2);
  });

  it('tells management administration from a delegated administrator, asking Organizations once', async () => {
    const management = access('apply');
    await management.built.administration();
    expect(await management.built.administration()).toEqual({ kind: 'management', accountId: MANAGEMENT });
    expect(management.organizationsCalls()).toBe(1);

    const delegated = access('apply', DELEGATED);
    expect(await delegated.built.administration()).toEqual({
      kind: 'delegated',
      accountId: MANAGEMENT,
      managementAccountId: DELEGATED,
    });
  });

  it('asks Organizations again after a failed read', async () => {
    let calls = 0;
    const flaky = () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve(MANAGEMENT);
    };
    await expect(administrationOf(MANAGEMENT, flaky)).rejects.toThrow('throttled');
    expect(await administrationOf(MANAGEMENT, flaky)).toEqual({ kind: 'management', accountId: MANAGEMENT });
  });
});

describe('readIdentityCenterAccessSettings', () => {
  it('is null without IDENTITY_CENTER_REGION (advice only)', () => {
    const problems: string[] = [];
    expect(readIdentityCenterAccessSettings({ IDENTITY_CENTER_ACCOUNT_ID: MANAGEMENT }, problems)).toBeNull();
    expect(problems).toEqual([]);
  });

  it('reads the region, account and instance', () => {
    const problems: string[] = [];
    expect(
      readIdentityCenterAccessSettings(
        {
          IDENTITY_CENTER_REGION: 'us-east-1',
          IDENTITY_CENTER_ACCOUNT_ID: MANAGEMENT,
          IDENTITY_CENTER_INSTANCE_ARN: SETTINGS.instanceArn ?? '',
        },
        problems,
      ),
    ).toEqual(SETTINGS);
    expect(problems).toEqual([]);
  });

  it('names a missing or bad value in one line each', () => {
    const missing: string[] = [];
    expect(readIdentityCenterAccessSettings({ IDENTITY_CENTER_REGION: 'us-east-1' }, missing)).toBeNull();
    expect(missing).toEqual([
      "IDENTITY_CENTER_ACCOUNT_ID is not set: the account holding Identity Center's roles (with IDENTITY_CENTER_REGION)",
    ]);
    const bad: string[] = [];
    readIdentityCenterAccessSettings(
      { IDENTITY_CENTER_REGION: 'moon', IDENTITY_CENTER_ACCOUNT_ID: '12' },
      bad,
    );
    expect(bad).toEqual([
      "IDENTITY_CENTER_REGION is not an AWS region: 'moon'",
      "IDENTITY_CENTER_ACCOUNT_ID is not a 12-digit account id: '12'",
    ]);
  });
});
