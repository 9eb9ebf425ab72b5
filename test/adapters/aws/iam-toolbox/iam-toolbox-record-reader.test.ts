import {
  IamToolboxRecordReader,
  type IamToolboxRecordReaderOptions,
} from '../../../../lambda/adapters/aws/iam-toolbox/iam-toolbox-record-reader';
import {
  FAKE_CREDENTIALS,
  FakeIamToolbox,
  type FakeRecord,
} from '../../../support/iam-toolbox/fake-iam-toolbox';

const REGION = 'ap-northeast-1';
const ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m3';
const USER = 'arn:aws:iam::123456789012:user/mei.tanaka';
const ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const SCP = 'arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-12345678';

/** A PassRole denial by an SCP, as the model's wire form writes it. */
function passRoleRecord(extraEvaluations = 0): FakeRecord {
  const evaluation = (resource: string) => ({
    action: 'iam:PassRole',
    resource,
    context: { 'iam:PassedToService': 'glue.amazonaws.com' },
    evaluatedEffect: 'EXPLICIT_DENY',
    matchedPolicies: [{ uri: SCP, matchedStatements: [{ sid: 'DenyPassRole', evaluatedEffect: 'DENY' }] }],
  });
  return {
    requestContext: {
      'aws:PrincipalArn': USER,
      'aws:MultiFactorAuthPresent': true,
      'aws:MultiFactorAuthAge': 42,
      'aws:PrincipalTag/team': ['data', 'etl'],
      'aws:SourceVpc': null,
    },
    evaluations: [
      evaluation(ROLE),
      ...Array.from({ length: extraEvaluations }, (_, index) => evaluation(`${ROLE}-${index}`)),
      {
        action: 'glue:UpdateJob',
        resource: 'arn:aws:glue:ap-northeast-1:123456789012:job/nightly',
        evaluatedEffect: 'ALLOW',
      },
    ],
    policies: [
      {
        type: 'SERVICE_CONTROL_POLICY',
        inline: false,
        uri: SCP,
        attachedTo: [{ arn: 'arn:aws:organizations::999988887777:ou/o-a1b2c3d4e5/ou-ab12-cdefgh34' }],
      },
      { type: 'IDENTITY_BASED_POLICY', inline: true, uri: 'inline-policy-7f3a', attachedTo: [{ arn: USER }] },
    ],
  };
}

let fake: FakeIamToolbox;
let endpoint: URL;
const waits: number[] = [];

beforeEach(async () => {
  fake = new FakeIamToolbox({ region: REGION, pageSize: 2 });
  endpoint = await fake.start();
  waits.length = 0;
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.stop();
});

function reader(options: IamToolboxRecordReaderOptions = {}): IamToolboxRecordReader {
  return new IamToolboxRecordReader({
    credentials: async () => FAKE_CREDENTIALS,
    endpoint,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
}

describe('IamToolboxRecordReader against the fake', () => {
  it('reads a record into domain data, signed for iam in the record region', async () => {
    fake.put(ID, passRoleRecord());
    const lookup = await reader().read(ID, REGION);
    expect(lookup).toEqual({
      kind: 'found',
      record: {
        authorizationId: ID,
        region: REGION,
        requestContext: {
          'aws:PrincipalArn': USER,
          'aws:MultiFactorAuthPresent': 'true',
          'aws:MultiFactorAuthAge': '42',
          'aws:PrincipalTag/team': ['data', 'etl'],
        },
        evaluations: [
          {
            action: 'iam:PassRole',
            resource: ROLE,
            context: { 'iam:PassedToService': 'glue.amazonaws.com' },
            effect: 'explicit-deny',
            matchedPolicies: [{ uri: SCP, statements: [{ sid: 'DenyPassRole', effect: 'deny' }] }],
          },
          {
            action: 'glue:UpdateJob',
            resource: 'arn:aws:glue:ap-northeast-1:123456789012:job/nightly',
            context: {},
            effect: 'allow',
            matchedPolicies: [],
          },
        ],
        policies: [
          {
            type: 'scp',
            awsType: 'SERVICE_CONTROL_POLICY',
            inline: false,
            uri: SCP,
            attachedTo: ['arn:aws:organizations::999988887777:ou/o-a1b2c3d4e5/ou-ab12-cdefgh34'],
          },
          {
            type: 'identity',
            awsType: 'IDENTITY_BASED_POLICY',
            inline: true,
            uri: 'inline-policy-7f3a',
            attachedTo: [USER],
          },
        ],
      },
    });
    expect(fake.requests).toEqual([
      {
        path: `/authorization-details/${ID}`,
        nextToken: null,
        region: REGION,
        service: 'iam',
        signatureValid: true,
      },
    ]);
  });

  it('follows nextToken through every page, keeping the evaluations in order and each policy once', async () => {
    fake.put(ID, passRoleRecord(3));
    const lookup = await reader().read(ID, REGION);
    if (lookup.kind !== 'found') throw new Error(`expected a record, got ${lookup.reason}: ${lookup.detail}`);
    expect(lookup.record.evaluations.map((evaluation) => evaluation.resource)).toEqual([
      ROLE,
      `${ROLE}-0`,
      `${ROLE}-1`,
      `${ROLE}-2`,
      'arn:aws:glue:ap-northeast-1:123456789012:job/nightly',
    ]);
    expect(lookup.record.policies).toHaveLength(2);
    // The tokens carry '+', '/' and '=': each came back as the fake gave it, and every page was signed.
    expect(fake.requests.map((request) => request.nextToken)).toEqual([null, 'pg+/2==', 'pg+/4==']);
    expect(fake.requests.every((request) => request.signatureValid)).toBe(true);
  });

  it('keeps a policy type this release does not know as AWS wrote it', async () => {
    const record = passRoleRecord();
    fake.serveUncheckedNext(
      200,
      JSON.stringify({ ...record, policies: [{ type: 'ACCESS_POINT_POLICY', inline: false, uri: 'x' }] }),
    );
    const lookup = await reader().read(ID, REGION);
    expect(lookup.kind === 'found' && lookup.record.policies).toEqual([
      { type: null, awsType: 'ACCESS_POINT_POLICY', inline: false, uri: 'x', attachedTo: [] },
    ]);
  });
});

describe("the model's error shapes", () => {
  it.each([
    [
      'AccessDeniedException',
      'access-denied',
      'HTTP 403 AccessDeniedException: scripted AccessDeniedException',
    ],
    [
      'ResourceNotFoundException',
      'not-found',
      'HTTP 404 ResourceNotFoundException: scripted ResourceNotFoundException',
    ],
    ['ValidationException', 'invalid-request', 'HTTP 400 ValidationException: scripted ValidationException'],
  ] as const)('%s is %s, asked once', async (type, reason, detail) => {
    fake.put(ID, passRoleRecord());
    fake.failNext(type);
    expect(await reader().read(ID, REGION)).toEqual({ kind: 'unavailable', reason, detail });
    expect(fake.requests).toHaveLength(1);
  });

  it('an ID the fake does not hold (expired) is not-found', async () => {
    expect(await reader().read(ID, REGION)).toMatchObject({ kind: 'unavailable', reason: 'not-found' });
  });

  it("an ID outside the model's pattern is the service's ValidationException", async () => {
    // The User Guide's example has capitals; the model's pattern, unanchored, needs one of [0-9a-z].
    expect(await reader().read('EXAMPLE', REGION)).toMatchObject({
      kind: 'unavailable',
      reason: 'invalid-request',
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries InternalServerException and reads the record once the service answers', async () => {
    fake.put(ID, passRoleRecord());
    fake.failNext('InternalServerException');
    expect(await reader().read(ID, REGION)).toMatchObject({ kind: 'found' });
    expect(fake.requests).toHaveLength(2);
    expect(waits).toEqual([100]);
  });

  it.each([
    ['InternalServerException', 'server-error'],
    ['ServiceUnavailable', 'server-error'],
    ['ThrottlingException', 'throttled'],
  ] as const)('%s on every attempt is %s after the bounded retries', async (type, reason) => {
    fake.put(ID, passRoleRecord());
    fake.failNext(type, type, type);
    const lookup = await reader().read(ID, REGION);
    expect(lookup).toMatchObject({ kind: 'unavailable', reason });
    expect(lookup.kind === 'unavailable' && lookup.detail).toMatch(/\(after 3 attempts\)$/);
    expect(fake.requests).toHaveLength(3);
    // Full jitter under a doubling ceiling: half of 200 ms, then of 400 ms.
    expect(waits).toEqual([100, 200]);
  });

  it('throttling that outlasts the lookup budget is still throttled', async () => {
    fake.put(ID, passRoleRecord());
    fake.failNext('ThrottlingException', 'ThrottlingException', 'ThrottlingException');
    let clock = 0;
    const lookup = await reader({
      budgetMs: 1_000,
      // The wait spends the budget: no third attempt starts.
      sleep: async (ms) => {
        clock += 1_000;
        waits.push(ms);
      },
      now: () => clock,
    }).read(ID, REGION);
    expect(lookup).toMatchObject({ kind: 'unavailable', reason: 'throttled' });
    expect(lookup.kind === 'unavailable' && lookup.detail).toMatch(
      /\(after 1 attempt, the lookup's 1 s spent\)$/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('a throttled second page makes the whole record unavailable, saying which page', async () => {
    fake.put(ID, passRoleRecord(1));
    fake.passNext(1);
    fake.failNext('ThrottlingException');
    const lookup = await reader({ maxAttempts: 1 }).read(ID, REGION);
    expect(lookup).toMatchObject({ kind: 'unavailable', reason: 'throttled' });
    expect(lookup.kind === 'unavailable' && lookup.detail).toMatch(/^page 2: HTTP 429 ThrottlingException/);
    expect(fake.requests.map((request) => request.nextToken)).toEqual([null, 'pg+/2==']);
  });
});

describe('responses that do not follow the model are invalid-response', () => {
  const record = passRoleRecord();
  it.each([
    ['no evaluations', { requestContext: {}, policies: [] }, '$.evaluations: missing'],
    [
      'an unknown effect',
      { ...record, evaluations: [{ action: 'iam:PassRole', resource: ROLE, evaluatedEffect: 'MAYBE' }] },
      "$.evaluations[0].evaluatedEffect: 'MAYBE' is not one of ALLOW, EXPLICIT_DENY, IMPLICIT_DENY",
    ],
    [
      'an evaluation without its resource',
      { ...record, evaluations: [{ action: 'iam:PassRole' }] },
      '$.evaluations[0].resource: missing',
    ],
    [
      'attachedTo that is not an ARN',
      { ...record, policies: [{ attachedTo: [{ arn: 'mei' }] }] },
      "$.policies[0].attachedTo[0].arn: 'mei' does not match arn:[^:]*:[^:]*:[^:]*:[^:]*:.*",
    ],
    ['a list for a body', [record], '$: expected a structure, got a list'],
    [
      'inline as text',
      { ...record, policies: [{ inline: 'yes' }] },
      "$.policies[0].inline: expected a boolean, got 'yes'",
    ],
  ])('%s', async (_, body, detail) => {
    fake.serveUncheckedNext(200, JSON.stringify(body));
    expect(await reader().read(ID, REGION)).toEqual({
      kind: 'unavailable',
      reason: 'invalid-response',
      detail,
    });
  });

  it('a body that is not JSON', async () => {
    fake.serveUncheckedNext(200, '<html>');
    expect(await reader().read(ID, REGION)).toEqual({
      kind: 'unavailable',
      reason: 'invalid-response',
      detail: 'HTTP 200: not JSON',
    });
  });

  it('a body larger than the bound, which is not read further', async () => {
    fake.serveUncheckedNext(200, JSON.stringify({ ...record, padding: 'x'.repeat(5000) }));
    expect(await reader({ maxResponseBytes: 4096 }).read(ID, REGION)).toMatchObject({
      reason: 'invalid-response',
      detail: 'HTTP 200: a body over 4096 bytes',
    });
  });

  it('a page token given twice', async () => {
    const looping = JSON.stringify({ ...record, nextToken: 'again' });
    fake.serveUncheckedNext(200, looping);
    fake.serveUncheckedNext(200, looping);
    expect(await reader().read(ID, REGION)).toEqual({
      kind: 'unavailable',
      reason: 'invalid-response',
      detail: 'the service gave a page token it had already given',
    });
  });
});

describe('the fake holds to the model', () => {
  it('records a response it serves that breaks the model', async () => {
    fake.put(ID, {
      ...passRoleRecord(),
      evaluations: [{ action: 'iam:PassRole', resource: ROLE, effect: 'DENY' }],
    });
    await reader().read(ID, REGION);
    expect(fake.violations).toEqual([
      'GetRequestAuthorizationDetailsOutput: $.evaluations[0].effect: not a member of Evaluation',
    ]);
    fake.violations.length = 0;
  });
});

describe('calls that do not complete, and calls not made', () => {
  it('a closed port is network, after the retries', async () => {
    await fake.stop();
    const lookup = await reader().read(ID, REGION);
    expect(lookup).toMatchObject({ kind: 'unavailable', reason: 'network' });
    expect(waits).toHaveLength(2);
  });

  it('no answer within the timeout is network', async () => {
    fake.hangNext();
    const lookup = await reader({ maxAttempts: 1, timeoutMs: 100 }).read(ID, REGION);
    expect(lookup).toMatchObject({ kind: 'unavailable', reason: 'network' });
    expect(lookup.kind === 'unavailable' && lookup.detail).toMatch(/no answer within 0.1 s/);
  });

  it('the lookup ends within its budget, whatever the per-attempt timeout', async () => {
    fake.hangNext();
    const lookup = await reader({ timeoutMs: 60_000, budgetMs: 150 }).read(ID, REGION);
    // The attempt was given what was left of the budget (not 60 s), and no retry outlived it.
    expect(lookup).toMatchObject({ kind: 'unavailable', reason: 'network' });
    expect(lookup.kind === 'unavailable' && lookup.detail).toMatch(/no answer within 0\.\d+ s/);
  });

  it('credentials that cannot be had are access-denied, without a call', async () => {
    const lookup = await reader({
      credentials: async () => {
        throw new Error('no credentials in the chain');
      },
    }).read(ID, REGION);
    expect(lookup).toEqual({
      kind: 'unavailable',
      reason: 'access-denied',
      detail: 'cannot sign: no credentials in the chain',
    });
    expect(fake.requests).toEqual([]);
  });

  it('a bad signature is what the service refuses', async () => {
    const lookup = await reader({
      credentials: async () => ({ ...FAKE_CREDENTIALS, secretAccessKey: 'wrong' }),
    }).read(ID, REGION);
    expect(lookup).toMatchObject({ kind: 'unavailable', reason: 'access-denied' });
    expect(fake.requests[0]?.signatureValid).toBe(false);
  });

  it.each([
    ['an empty ID', ''],
    ['a path', 'a/../b'],
    ['a query', 'id?x=1'],
    ['257 characters', 'x'.repeat(257)],
  ])('never sends %s as an ID', async (_, id) => {
    expect(await reader().read(id, REGION)).toEqual({
      kind: 'unavailable',
      reason: 'invalid-request',
      detail: 'not an authorization ID: not looked up',
    });
    expect(fake.requests).toEqual([]);
  });

  it('never makes a hostname of something that is not a region', async () => {
    const fetched: string[] = [];
    const lookup = await new IamToolboxRecordReader({
      credentials: async () => FAKE_CREDENTIALS,
      fetch: async (input) => {
        fetched.push(String(input));
        throw new Error('unexpected');
      },
    }).read(ID, 'evil.example.com/x');
    expect(lookup).toEqual({
      kind: 'unavailable',
      reason: 'invalid-request',
      detail: 'not a region name: not looked up',
    });
    expect(fetched).toEqual([]);
  });

  it('calls the regional endpoint when none is given', async () => {
    const fetched: string[] = [];
    await new IamToolboxRecordReader({
      credentials: async () => FAKE_CREDENTIALS,
      maxAttempts: 1,
      fetch: async (input) => {
        fetched.push(String(input));
        return new Response(JSON.stringify({ message: 'no' }), {
          status: 403,
          headers: { 'x-amzn-errortype': 'AccessDeniedException' },
        });
      },
    }).read(ID, 'cn-north-1');
    expect(fetched).toEqual([`https://iam-toolbox.cn-north-1.amazonaws.com.cn/authorization-details/${ID}`]);
  });
});
