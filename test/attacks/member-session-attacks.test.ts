/**
 * Attacks on the hub's member sessions (lambda/adapters/aws/organization/): an account id crafted to
 * reach another role, a session of one account or approver reused for another, an approver named to
 * pass as another in the member's CloudTrail. STS is the SDK's mock: what is attacked is which role
 * the hub asks for and which credentials each account's clients sign with.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { MemberAccountAccess } from '../../lambda/adapters/aws/organization/member-account-access';
import { sourceIdentityFor } from '../../lambda/adapters/aws/organization/source-identity';
import { recordAttack } from './support/attack-results';

const PART = 'member-sessions';
const HUB = '123456789012';
const A = '111122223333';
const B = '444455556666';
const stsMock = mockClient(STSClient);
/** Access key -> the AssumeRole input that issued it. */
const issuedFor = new Map<string, AssumeRoleCommandInput>();
const clients: IAMClient[] = [];

function hub(): MemberAccountAccess {
  return new MemberAccountAccess({
    sts: new STSClient({ region: 'us-east-1', maxAttempts: 1 }),
    partition: 'aws',
    externalId: 'external-id',
    roleSessionName: 'PassRoleDoctorHub-Apply',
    clients: {
      iam: (credentials) => {
        const client = new IAMClient({ region: 'us-east-1', credentials });
        clients.push(client);
        return client;
      },
      sts: (credentials) => new STSClient({ region: 'us-east-1', credentials }),
    },
  });
}

/** The AssumeRole input behind the credentials the newest IAM client signs with. */
async function signingSession(): Promise<AssumeRoleCommandInput | undefined> {
  const client = clients.at(-1);
  const identity = await client?.config.credentials();
  return identity === undefined ? undefined : issuedFor.get(identity.accessKeyId);
}

beforeEach(() => {
  stsMock.reset();
  issuedFor.clear();
  clients.length = 0;
  stsMock.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
    const key = `ASIA${issuedFor.size + 1}`;
    issuedFor.set(key, input);
    return {
      Credentials: {
        AccessKeyId: key,
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    };
  });
});

describe('attacks on the member sessions', () => {
  test.each([
    ['an account id that names a role', `${A}:role/Admin`],
    ['a wildcard account', '*'],
    ['an ARN as the account', `arn:aws:iam::${A}:root`],
    ['an account id with a path', `${A}/../${B}`],
  ])('%s is refused before any AssumeRole', async (name, account) => {
    const outcome = await hub()
      .read(account)
      .then(
        () => 'read',
        () => 'refused',
      );
    const assumed = stsMock.commandCalls(AssumeRoleCommand).length;
    recordAttack({
      part: PART,
      name: `${name} (${account})`,
      escalated: assumed > 0 || outcome === 'read',
      forgedApplied: false,
    });
    expect({ outcome, assumed }).toEqual({ outcome: 'refused', assumed: 0 });
  });

  test("account B's denial never reads with account A's session", async () => {
    const access = hub();
    await access.read(A);
    await access.read(B);
    const session = await signingSession();
    recordAttack({
      part: PART,
      name: "a cached session of account A used for account B's denial",
      escalated: session?.RoleArn !== `arn:aws:iam::${B}:role/PassRoleDoctorMember-Read`,
      forgedApplied: false,
    });
    expect(session?.RoleArn).toBe(`arn:aws:iam::${B}:role/PassRoleDoctorMember-Read`);
  });

  test("a second approver's write never runs in the first approver's session", async () => {
    const access = hub();
    const alice = `arn:aws:sts::${HUB}:assumed-role/AWSReservedSSO_Admin_0a1b/alice@example.com`;
    const mallory = `arn:aws:sts::${HUB}:assumed-role/AWSReservedSSO_Admin_0a1b/mallory@example.com`;
    await access.write(A, alice);
    await access.write(A, mallory);
    const session = await signingSession();
    const forged = session?.SourceIdentity !== sourceIdentityFor(mallory);
    recordAttack({
      part: PART,
      name: "a write signed in another approver's session (the member's CloudTrail names the wrong person)",
      escalated: forged,
      forgedApplied: forged,
    });
    expect(session).toMatchObject({
      RoleArn: `arn:aws:iam::${A}:role/PassRoleDoctorMember-Apply`,
      SourceIdentity: sourceIdentityFor(mallory),
    });
  });

  test("an approver named after another approver's source identity is told apart", async () => {
    const victim = `arn:aws:iam::${HUB}:user/alice`;
    const impostor = `arn:aws:iam::${HUB}:user/${sourceIdentityFor(victim)}`;
    const collides = sourceIdentityFor(impostor) === sourceIdentityFor(victim);
    recordAttack({
      part: PART,
      name: "an IAM user named after another approver's source identity",
      escalated: collides,
      forgedApplied: false,
    });
    expect(collides).toBe(false);
  });
});
