import { Readable } from 'node:stream';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  MemberCredentials,
  REFRESH_BEFORE_EXPIRY_MS,
  type MemberSession,
} from '../../../../lambda/adapters/aws/organization/member-credentials';
import { MemberAccessError, TransientAwsError } from '../../../../lambda/core/errors';

const stsMock = mockClient(STSClient);
const MEMBER = '444455556666';
const READ: MemberSession = { accountId: MEMBER, role: 'read', sourceIdentity: null };
const HOUR_MS = 3_600_000;

let clock = Date.parse('2026-12-07T06:00:00Z');
let issued = 0;

function answerAssumeRole(): void {
  stsMock.on(AssumeRoleCommand).callsFake(() => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIAMEMBER${String(issued).padStart(10, '0')}`,
        SecretAccessKey: 'secret',
        SessionToken: `token-${issued}`,
        Expiration: new Date(clock + HOUR_MS),
      },
    };
  });
}

function credentials(): MemberCredentials {
  return new MemberCredentials({
    sts: new STSClient({ region: 'us-east-1', maxAttempts: 1 }),
    partition: 'aws',
    externalId: 'passrole-doctor-external-id',
    roleSessionName: 'PassRoleDoctorHub-Diagnose',
    now: () => clock,
  });
}

beforeEach(() => {
  stsMock.reset();
  clock = Date.parse('2026-12-07T06:00:00Z');
  issued = 0;
  answerAssumeRole();
});

describe('MemberCredentials', () => {
  test("assumes the member's role with the external id, session name and one hour", async () => {
    await credentials().provider(READ)();
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/PassRoleDoctorMember-Read`,
      ExternalId: 'passrole-doctor-external-id',
      RoleSessionName: 'PassRoleDoctorHub-Diagnose',
      DurationSeconds: 3600,
    });
    expect(stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input.SourceIdentity).toBeUndefined();
  });

  test('writes assume the apply role with the source identity, a session of their own', async () => {
    const cache = credentials();
    await cache.provider(READ)();
    await cache.provider({ accountId: MEMBER, role: 'apply', sourceIdentity: 'alice-0123456789' })();
    await cache.provider({ accountId: MEMBER, role: 'apply', sourceIdentity: 'bob-0123456789' })();
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
    expect(stsMock).toHaveReceivedNthCommandWith(2, AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/PassRoleDoctorMember-Apply`,
      SourceIdentity: 'alice-0123456789',
    });
  });

  test('reuses a session until shortly before it expires, then renews it', async () => {
    const cache = credentials();
    const first = await cache.provider(READ)();
    expect(await cache.provider(READ)()).toBe(first);
    clock += HOUR_MS - REFRESH_BEFORE_EXPIRY_MS - 1;
    expect(await cache.provider(READ)()).toBe(first);
    clock += 1;
    const renewed = await cache.provider(READ)();
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(cache.assumeRoleCalls).toBe(2);
  });

  test('callers asking at once share one AssumeRole', async () => {
    const cache = credentials();
    const provider = cache.provider(READ);
    const all = await Promise.all([provider(), provider(), cache.provider(READ)()]);
    expect(new Set(all.map((identity) => identity.accessKeyId)).size).toBe(1);
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test('a refused AssumeRole is role-unavailable, and is asked again next time', async () => {
    stsMock.on(AssumeRoleCommand).rejectsOnce(
      Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
      }),
    );
    const cache = credentials();
    const failure = cache.provider(READ)();
    await expect(failure).rejects.toBeInstanceOf(MemberAccessError);
    await expect(failure).rejects.toMatchObject({ accountId: MEMBER, reason: 'role-unavailable' });
    answerAssumeRole();
    await expect(cache.provider(READ)()).resolves.toMatchObject({ sessionToken: 'token-1' });
  });

  test('throttling and the hub’s own expired token are worth retrying, not a refusal', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .rejectsOnce(Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }));
    const cache = credentials();
    await expect(cache.provider(READ)()).rejects.toBeInstanceOf(TransientAwsError);
    await expect(cache.provider(READ)()).rejects.toBeInstanceOf(TransientAwsError);
  });

  test('any other failure refuses the account (access-denied)', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('bad source identity'), { name: 'ValidationError' }));
    await expect(credentials().provider(READ)()).rejects.toMatchObject({
      name: 'MemberAccessError',
      reason: 'access-denied',
    });
  });
});

/**
 * A small fake of IAM's query protocol over HTTP (its published error shape): GetRole answers
 * ExpiredToken for the first `expiredAnswers` requests, then the role; it keeps the access key each
 * request was signed with.
 */
function fakeIamHandler(expiredAnswers: number) {
  const signedWith: string[] = [];
  let left = expiredAnswers;
  const xml = (status: number, body: string) => ({
    response: new HttpResponse({
      statusCode: status,
      headers: { 'content-type': 'text/xml' },
      body: Readable.from([Buffer.from(body)]),
    }),
  });
  return {
    signedWith,
    handler: {
      handle: async (request: HttpRequest) => {
        signedWith.push(/Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '');
        if (left > 0) {
          left -= 1;
          return xml(
            403,
            '<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r</RequestId></ErrorResponse>',
          );
        }
        return xml(
          200,
          `<GetRoleResponse><GetRoleResult><Role><Path>/</Path><RoleName>x</RoleName><RoleId>AROAX</RoleId><Arn>arn:aws:iam::${MEMBER}:role/x</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role></GetRoleResult></GetRoleResponse>`,
        );
      },
    },
  };
}

describe('MemberCredentials.renewOnExpiredToken', () => {
  test('a call refused as expired renews the session and is sent again', async () => {
    const cache = credentials();
    const fake = fakeIamHandler(1);
    const iam = new IAMClient({
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: cache.provider(READ),
      requestHandler: fake.handler,
    });
    cache.renewOnExpiredToken(iam, READ);
    await cache.provider(READ)();
    const output = await iam.send(new GetRoleCommand({ RoleName: 'x' }));
    expect(output.Role?.RoleName).toBe('x');
    expect(cache.assumeRoleCalls).toBe(2);
    expect(fake.signedWith).toEqual(['ASIAMEMBER0000000001', 'ASIAMEMBER0000000002']);
  });

  test('renews once per call: a second expired answer fails the call', async () => {
    const cache = credentials();
    const iam = new IAMClient({
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: cache.provider(READ),
      requestHandler: fakeIamHandler(2).handler,
    });
    cache.renewOnExpiredToken(iam, READ);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'x' }))).rejects.toMatchObject({
      name: 'ExpiredToken',
    });
    expect(cache.assumeRoleCalls).toBe(2);
  });
});
