import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  IAMServiceException,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  ACCOUNT_READ_REUSE_MS,
  AwsAccountReader,
  recordAwsCalls,
  summarizeAwsCalls,
  type AwsCallRecord,
} from '../../../lambda/adapters/aws/aws-account-reader';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import type { AccountScope, RoleDetails, UserDetails } from '../../../lambda/core/model';
import { escalationAccount, READ_ONLY } from '../support/escalation-account';

const SEED_PATH = join(__dirname, '../../../examples/seed/account.json');
const BOUNDARY_PATH = join(__dirname, '../../fixtures/snapshots/assumed-role-boundary.json');

const MEI = 'arn:aws:iam::123456789012:user/mei.tanaka';
const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';
const FILTER = ['User', 'Group', 'Role', 'LocalManagedPolicy'];

interface Snapshot<DocumentType = unknown> {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: {
    Arn: string;
    PolicyName: string;
    PolicyVersionList: { Document: DocumentType; VersionId: string }[];
  }[];
}

function readSnapshot(path: string): Snapshot {
  return JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
}

/** What the API returns: every document a URL-encoded string (the CLI decodes them, the SDK does not). */
function urlEncodeDocuments(value: Snapshot): Snapshot<string> {
  const encode = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(encode);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, inner]) => [
        key,
        key.endsWith('Document') && typeof inner === 'object'
          ? encodeURIComponent(JSON.stringify(inner))
          : encode(inner),
      ]),
    );
  };
  return encode(value) as Snapshot<string>;
}

const seed = readSnapshot(SEED_PATH);
const seedApi = urlEncodeDocuments(seed);
const glueConsole = seed.Policies[0];
if (glueConsole === undefined) throw new Error('the seed lost its AWS managed policy');
const glueConsoleDocument = encodeURIComponent(JSON.stringify(glueConsole.PolicyVersionList[0]?.Document));

async function snapshotScope(path: string, principal: string, role: string): Promise<AccountScope> {
  return (await SnapshotAccountReader.fromFile(path)).loadScope(principal, role);
}

function newClient(): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/**
 * The seed as GetAccountAuthorizationDetails pages it with the reader's filter: no AWS managed policies.
 * Requests are copied as sent, because the SDK's paginator reuses (and mutates) one input object for
 * every page, so the mock's own record shows the last Marker on all of them.
 */
function mockSeedAccount(iam: IAMClient, pages: 1 | 2 = 1) {
  const mock = mockClient(iam);
  const sent: unknown[] = [];
  const users = { UserDetailList: seedApi.UserDetailList, GroupDetailList: seedApi.GroupDetailList };
  const roles = { RoleDetailList: seedApi.RoleDetailList, Policies: [] };
  mock.on(GetAccountAuthorizationDetailsCommand).callsFake((input: { Marker?: string }) => {
    sent.push({ ...input });
    if (pages === 1) return { ...users, ...roles, IsTruncated: false };
    return input.Marker === undefined
      ? { ...users, IsTruncated: true, Marker: 'page-2' }
      : { ...roles, IsTruncated: false };
  });
  mock
    .on(GetPolicyCommand, { PolicyArn: GLUE_CONSOLE })
    .resolves({
      Policy: { Arn: GLUE_CONSOLE, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
    })
    .on(GetPolicyVersionCommand, { PolicyArn: GLUE_CONSOLE, VersionId: 'v14' })
    .resolves({ PolicyVersion: { VersionId: 'v14', IsDefaultVersion: true, Document: glueConsoleDocument } });
  return Object.assign(mock, { authorizationDetailsRequests: sent });
}

function serviceError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return new IAMServiceException({
    name,
    $fault: fault,
    message: `${name} for the test`,
    $metadata: { httpStatusCode: status },
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('AwsAccountReader.loadScope over the seed account', () => {
  it('reads the same scope as the snapshot of the same account', async () => {
    const iam = newClient();
    mockSeedAccount(iam);
    const scope = await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);
    expect(scope).toEqual(await snapshotScope(SEED_PATH, MEI, ETL_ROLE));
    const glueAccess = (scope.principal as UserDetails).groups[0];
    expect(glueAccess?.attachedPolicies[0]?.document).toEqual(glueConsole.PolicyVersionList[0]?.Document);
  });

  it('makes three calls: one GetAccountAuthorizationDetails, then GetPolicy and GetPolicyVersion, exactly so', async () => {
    const iam = newClient();
    const mock = mockSeedAccount(iam);
    await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);

    expect(mock.calls()).toHaveLength(3);
    expect(mock.authorizationDetailsRequests).toStrictEqual([
      { Filter: FILTER, MaxItems: 1000, Marker: undefined },
    ]);
    expect(mock.commandCalls(GetPolicyCommand).map((call) => call.args[0].input)).toEqual([
      { PolicyArn: GLUE_CONSOLE },
    ]);
    expect(mock.commandCalls(GetPolicyVersionCommand).map((call) => call.args[0].input)).toEqual([
      { PolicyArn: GLUE_CONSOLE, VersionId: 'v14' },
    ]);
  });

  it('follows the Marker across pages and merges them', async () => {
    const iam = newClient();
    const mock = mockSeedAccount(iam, 2);
    const scope = await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);

    expect(mock.authorizationDetailsRequests).toStrictEqual([
      { Filter: FILTER, MaxItems: 1000, Marker: undefined },
      { Filter: FILTER, MaxItems: 1000, Marker: 'page-2' },
    ]);
    expect((scope.principal as UserDetails).groups.map((group) => group.memberCount)).toEqual([2, 3]);
    expect(scope.passedRole?.name).toBe('etl-nightly-runtime');
  });

  it('fetches AWS managed documents once per reader, however often and concurrently it loads', async () => {
    const iam = newClient();
    const mock = mockSeedAccount(iam);
    const reader = new AwsAccountReader(iam);
    await Promise.all([reader.loadScope(MEI, ETL_ROLE), reader.loadScope(MEI, ETL_ROLE)]);
    const again = await reader.loadScope(MEI, ETL_ROLE);

    // The account itself is read each time: an applied fix must show.
    expect(mock).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 3);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyVersionCommand, 1);
    expect((again.principal as UserDetails).groups[0]?.attachedPolicies).toHaveLength(1);

    await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyCommand, 2);
  });

  it('notes an AWS managed policy that no longer exists and goes on without it', async () => {
    const iam = newClient();
    const mock = mockSeedAccount(iam);
    mock
      .on(GetPolicyCommand)
      .rejects(
        new NoSuchEntityException({ message: `Policy ${GLUE_CONSOLE} does not exist.`, $metadata: {} }),
      );
    const scope = await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);

    expect((scope.principal as UserDetails).groups[0]?.attachedPolicies).toEqual([]);
    expect(scope.notes).toEqual([
      `Managed policy AWSGlueConsoleFullAccess (${GLUE_CONSOLE}), attached to group/GlueAccess, is left out: it no longer exists (GetPolicy: NoSuchEntity).`,
    ]);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyVersionCommand, 0);
  });

  it('notes a fetched document it cannot read instead of failing', async () => {
    const iam = newClient();
    const mock = mockSeedAccount(iam);
    mock
      .on(GetPolicyVersionCommand)
      .resolves({ PolicyVersion: { VersionId: 'v14', Document: '%7B%22Statement' } });
    const scope = await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);
    expect(scope.notes).toHaveLength(1);
    expect(scope.notes[0]).toContain('is left out: its document could not be read (GetPolicyVersion');
  });
});

describe('AwsAccountReader error mapping', () => {
  it('maps AccessDenied on GetAccountAuthorizationDetails to AwsCallError naming the permission', async () => {
    const iam = newClient();
    const denied = serviceError('AccessDenied', 403);
    mockClient(iam).on(GetAccountAuthorizationDetailsCommand).rejects(denied);
    const error = await rejectionOf(new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).not.toBeInstanceOf(TransientAwsError);
    expect((error as AwsCallError).message).toBe(
      'Access denied: the reader needs iam:GetAccountAuthorizationDetails (AccessDenied: AccessDenied for the test)',
    );
    expect((error as AwsCallError).cause).toBe(denied);
  });

  it('maps AccessDenied on GetPolicyVersion to AwsCallError naming iam:GetPolicyVersion', async () => {
    const iam = newClient();
    mockSeedAccount(iam).on(GetPolicyVersionCommand).rejects(serviceError('AccessDenied', 403));
    const error = await rejectionOf(new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE));
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as Error).message).toContain('the reader needs iam:GetPolicyVersion');
  });

  it.each([
    ['throttling', serviceError('Throttling', 400)],
    ['a 5xx', serviceError('ServiceFailure', 500, 'server')],
    ['a network failure', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('maps %s to TransientAwsError, keeping the cause', async (_label, failure) => {
    const iam = newClient();
    mockClient(iam).on(GetAccountAuthorizationDetailsCommand).rejects(failure);
    const error = await rejectionOf(new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE));
    expect(error).toBeInstanceOf(TransientAwsError);
    expect((error as TransientAwsError).cause).toBe(failure);
    expect((error as Error).message).toContain(
      'iam:GetAccountAuthorizationDetails failed, worth retrying later',
    );
  });

  it('maps any other failure to AwsCallError', async () => {
    const iam = newClient();
    mockClient(iam).on(GetAccountAuthorizationDetailsCommand).rejects(serviceError('ValidationError', 400));
    const error = await rejectionOf(new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE));
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).not.toBeInstanceOf(TransientAwsError);
  });

  it('does not remember a failed managed policy fetch: the next loadScope tries again', async () => {
    const iam = newClient();
    const mock = mockSeedAccount(iam);
    mock
      .on(GetPolicyCommand)
      .rejectsOnce(serviceError('Throttling', 400))
      .resolves({
        Policy: { Arn: GLUE_CONSOLE, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
      });
    const reader = new AwsAccountReader(iam);

    expect(await rejectionOf(reader.loadScope(MEI, ETL_ROLE))).toBeInstanceOf(TransientAwsError);
    const scope = await reader.loadScope(MEI, ETL_ROLE);
    expect((scope.principal as UserDetails).groups[0]?.attachedPolicies).toHaveLength(1);
    expect(mock).toHaveReceivedCommandTimes(GetPolicyCommand, 2);
  });
});

describe('AwsAccountReader over a role principal with a boundary', () => {
  const bot = 'arn:aws:iam::210987654321:role/automation/deploy-bot';
  const glueServiceRole = 'arn:aws:iam::210987654321:role/service-role/AWSGlueServiceRole-etl';
  const readOnly = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  const readOnlyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }],
  };

  it('fetches only the AWS managed policies whose document GetAccountAuthorizationDetails lacks', async () => {
    const iam = newClient();
    const mock = mockClient(iam);
    const snapshot = urlEncodeDocuments(readSnapshot(BOUNDARY_PATH));
    // LocalManagedPolicy keeps the customer managed DeployerAccess and DeployBoundary, drops AWS managed ones.
    const local = snapshot.Policies.filter((policy) => !policy.Arn.startsWith('arn:aws:iam::aws:'));
    mock
      .on(GetAccountAuthorizationDetailsCommand)
      .callsFake(() => ({ ...snapshot, Policies: local, IsTruncated: false }));
    mock
      .on(GetPolicyCommand)
      .callsFake((input: { PolicyArn: string }) => ({
        Policy: {
          Arn: input.PolicyArn,
          PolicyName: input.PolicyArn.split('/').at(-1),
          DefaultVersionId: 'v7',
        },
      }))
      .on(GetPolicyVersionCommand)
      .resolves({
        PolicyVersion: { VersionId: 'v7', Document: encodeURIComponent(JSON.stringify(readOnlyDocument)) },
      });

    const scope = await new AwsAccountReader(iam).loadScope(bot, glueServiceRole);
    expect(mock.commandCalls(GetPolicyCommand).map((call) => call.args[0].input.PolicyArn)).toEqual([
      readOnly,
      'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole',
    ]);
    const principal = scope.principal as RoleDetails;
    expect(principal.attachedPolicies.map((policy) => policy.name)).toEqual([
      'DeployerAccess',
      'ReadOnlyAccess',
    ]);
    expect(principal.attachedPolicies[1]?.document).toEqual(readOnlyDocument);
    expect(principal.permissionsBoundary?.name).toBe('DeployBoundary');
    expect(scope.passedRole?.attachedPolicies.map((policy) => policy.name)).toEqual(['AWSGlueServiceRole']);
    expect(scope.notes).toEqual([]);
  });
});

// ---------------------------------------------------------------- through the real SDK stack

/** XML as IAM's query protocol writes it: lists as <member>, documents already URL-encoded strings. */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value))
    return `<${name}>${value.map((item) => toXml('member', item)).join('')}</${name}>`;
  if (typeof value === 'object' && value !== null) {
    return `<${name}>${Object.entries(value)
      .map(([key, inner]) => toXml(key, inner))
      .join('')}</${name}>`;
  }
  const text = String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<${name}>${text}</${name}>`;
}

function iamResponse(action: string, result: unknown): string {
  return (
    `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">${toXml(`${action}Result`, result)}` +
    `<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`
  );
}

function iamError(code: string, message: string): string {
  return `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;
}

/** An IAMClient whose HTTP layer answers from `answer` (no network): the SDK's own serializers and parsers run. */
function clientOverFakeHttp(answer: (form: URLSearchParams) => { status: number; xml: string }) {
  const requests: URLSearchParams[] = [];
  const iam = new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        const form = new URLSearchParams(String(request.body));
        requests.push(form);
        const { status, xml } = answer(form);
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(xml)]),
          },
        };
      },
    },
  });
  return { iam, requests };
}

function seedOverFakeHttp() {
  return clientOverFakeHttp((form) => {
    switch (form.get('Action')) {
      case 'GetAccountAuthorizationDetails':
        return {
          status: 200,
          xml: iamResponse('GetAccountAuthorizationDetails', {
            ...seedApi,
            Policies: [],
            IsTruncated: false,
          }),
        };
      case 'GetPolicy':
        return {
          status: 200,
          xml: iamResponse('GetPolicy', {
            Policy: { Arn: GLUE_CONSOLE, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
          }),
        };
      case 'GetPolicyVersion':
        return {
          status: 200,
          xml: iamResponse('GetPolicyVersion', {
            PolicyVersion: { VersionId: 'v14', IsDefaultVersion: true, Document: glueConsoleDocument },
          }),
        };
      default:
        return { status: 400, xml: iamError('InvalidAction', 'unexpected') };
    }
  });
}

describe('AwsAccountReader through the real SDK serializers and parsers', () => {
  it('sends the filter on the wire, gets URL-encoded documents from the SDK, and decodes them', async () => {
    const { iam, requests } = seedOverFakeHttp();
    const scope = await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);

    expect(scope).toEqual(await snapshotScope(SEED_PATH, MEI, ETL_ROLE));
    const first = requests[0];
    expect(first?.get('Action')).toBe('GetAccountAuthorizationDetails');
    expect(first?.getAll('Filter.member.1')).toEqual(['User']);
    expect(first?.get('Filter.member.4')).toBe('LocalManagedPolicy');
    expect(first?.get('MaxItems')).toBe('1000');
  });

  it.each([
    ['AccessDenied', 403, AwsCallError, 'the reader needs iam:GetAccountAuthorizationDetails'],
    ['Throttling', 400, TransientAwsError, 'worth retrying later (Throttling: Rate exceeded'],
  ])('maps a real %s answer', async (code, status, expected, message) => {
    const { iam } = clientOverFakeHttp(() => ({
      status,
      xml: iamError(code, code === 'Throttling' ? 'Rate exceeded' : 'no'),
    }));
    const error = await rejectionOf(new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE));
    expect(error).toBeInstanceOf(expected);
    expect((error as Error).message).toContain(message);
  });

  it('maps a real NoSuchEntity answer on GetPolicy to a note', async () => {
    const { iam } = clientOverFakeHttp((form) =>
      form.get('Action') === 'GetAccountAuthorizationDetails'
        ? { status: 200, xml: iamResponse('GetAccountAuthorizationDetails', { ...seedApi, Policies: [] }) }
        : { status: 404, xml: iamError('NoSuchEntity', 'Policy does not exist') },
    );
    const scope = await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);
    expect(scope.notes).toEqual([expect.stringContaining('it no longer exists (GetPolicy: NoSuchEntity)')]);
  });
});

describe('AwsAccountReader.rolePath', () => {
  it("reads the account afresh each time and resolves the role's path in its own account", async () => {
    const iam = newClient();
    const mock = mockClient(iam);
    mock.on(GetAccountAuthorizationDetailsCommand).resolves({
      RoleDetailList: [
        {
          ...(seedApi.RoleDetailList[0] as object),
          RoleName: 'Reviewer',
          Path: '/team/',
          Arn: 'arn:aws:iam::123456789012:role/team/Reviewer',
        },
      ],
      IsTruncated: false,
    } as never);
    const reader = new AwsAccountReader(iam);
    expect(await reader.rolePath('123456789012', 'Reviewer')).toBe('/team/');
    expect(await reader.rolePath('210987654321', 'Reviewer')).toBeNull();
    expect(await reader.rolePath('123456789012', 'nobody')).toBeNull();
    // A role created or moved since the last question must count.
    expect(mock.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(3);
  });
});

describe('recordAwsCalls and summarizeAwsCalls', () => {
  it('count the seed read as three calls in three sequential round trips', async () => {
    const { iam } = seedOverFakeHttp();
    const records = recordAwsCalls(iam);
    await new AwsAccountReader(iam).loadScope(MEI, ETL_ROLE);

    expect(records.map((record) => record.command)).toEqual([
      'GetAccountAuthorizationDetailsCommand',
      'GetPolicyCommand',
      'GetPolicyVersionCommand',
    ]);
    expect(summarizeAwsCalls(records)).toEqual({
      calls: 3,
      byCommand: {
        GetAccountAuthorizationDetailsCommand: 1,
        GetPolicyCommand: 1,
        GetPolicyVersionCommand: 1,
      },
      sequentialRoundTrips: 3,
    });
  });

  it('count overlapping calls as one round trip', () => {
    const records: AwsCallRecord[] = [
      { command: 'A', startTick: 1, finishTick: 2 },
      { command: 'B', startTick: 3, finishTick: 6 },
      { command: 'B', startTick: 4, finishTick: 7 },
      { command: 'C', startTick: 5, finishTick: 8 },
      { command: 'D', startTick: 9, finishTick: 10 },
    ];
    expect(summarizeAwsCalls(records)).toEqual({
      calls: 5,
      byCommand: { A: 1, B: 2, C: 1, D: 1 },
      sequentialRoundTrips: 3,
    });
    expect(summarizeAwsCalls([])).toEqual({ calls: 0, byCommand: {}, sequentialRoundTrips: 0 });
  });
});

describe('AwsAccountReader.readEscalationInputs', () => {
  const GLUE_ACCESS = {
    type: 'group' as const,
    name: 'GlueAccess',
    arn: 'arn:aws:iam::123456789012:group/GlueAccess',
    memberCount: 2,
  };
  const SEED_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';

  /** The escalation account (trusting roles, li.wei with a managed policy AWS no longer has) as the API pages it. */
  function mockEscalationAccount(iam: IAMClient) {
    const json = urlEncodeDocuments(escalationAccount() as unknown as Snapshot);
    const mock = mockClient(iam);
    mock.on(GetAccountAuthorizationDetailsCommand).resolves({
      UserDetailList: json.UserDetailList,
      GroupDetailList: json.GroupDetailList,
      RoleDetailList: json.RoleDetailList,
      Policies: [],
      IsTruncated: false,
    } as never);
    mock
      .on(GetPolicyCommand, { PolicyArn: GLUE_CONSOLE })
      .resolves({
        Policy: { Arn: GLUE_CONSOLE, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
      })
      .on(GetPolicyVersionCommand, { PolicyArn: GLUE_CONSOLE, VersionId: 'v14' })
      .resolves({
        PolicyVersion: { VersionId: 'v14', IsDefaultVersion: true, Document: glueConsoleDocument },
      })
      .on(GetPolicyCommand, { PolicyArn: READ_ONLY })
      .rejects(new NoSuchEntityException({ message: 'gone', $metadata: {} }));
    return mock;
  }

  it('reads what the snapshot of the same account reads, AWS managed documents fetched', async () => {
    const iam = newClient();
    const mock = mockEscalationAccount(iam);
    const live = await new AwsAccountReader(iam).readEscalationInputs(SEED_ROLE, GLUE_ACCESS);
    const json = escalationAccount();
    json['Policies'] = seed.Policies;
    const offline = await new SnapshotAccountReader(json, 'account.json').readEscalationInputs(
      SEED_ROLE,
      GLUE_ACCESS,
    );
    expect(live.gainers).toEqual(offline.gainers);
    expect(live.role).toEqual(offline.role);
    expect(live.trustingRoles.map((role) => role.name)).toEqual(['etl-admin', 'etl-chain']);
    expect(live.notes).toEqual([
      `Managed policy ReadOnlyAccess (${READ_ONLY}), attached to user/li.wei, is left out: it no longer exists (GetPolicy: NoSuchEntity).`,
    ]);
    expect(live.scps).toBeNull();
    expect(mock.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(1);
  });

  it('reuses the account read of the loadScope just before: one diagnosis, one GetAccountAuthorizationDetails', async () => {
    const iam = newClient();
    const mock = mockEscalationAccount(iam);
    const reader = new AwsAccountReader(iam);
    await reader.loadScope(MEI, SEED_ROLE);
    const inputs = await reader.readEscalationInputs(SEED_ROLE, GLUE_ACCESS);
    expect(inputs.gainers).toHaveLength(2);
    expect(mock.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(1);
    // AWS managed documents are fetched once per reader too.
    expect(mock.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
  });

  it('takes that read once, and never past the reuse window: otherwise it reads the account afresh', async () => {
    const iam = newClient();
    const mock = mockEscalationAccount(iam);
    let now = 1_000_000;
    const reader = new AwsAccountReader(iam, { now: () => now });
    await reader.loadScope(MEI, SEED_ROLE);
    await reader.readEscalationInputs(SEED_ROLE, GLUE_ACCESS);
    await reader.readEscalationInputs(SEED_ROLE, GLUE_ACCESS);
    expect(mock.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);

    await reader.loadScope(MEI, SEED_ROLE);
    now += ACCOUNT_READ_REUSE_MS;
    await reader.readEscalationInputs(SEED_ROLE, GLUE_ACCESS);
    expect(mock.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(4);
  });

  it('a failed account read is not reused: the escalation inputs read again', async () => {
    const iam = newClient();
    const mock = mockEscalationAccount(iam);
    mock
      .on(GetAccountAuthorizationDetailsCommand)
      .rejectsOnce(serviceError('AccessDenied', 403))
      .resolves({ ...urlEncodeDocuments(escalationAccount() as unknown as Snapshot), Policies: [] } as never);
    const reader = new AwsAccountReader(iam);
    await expect(reader.loadScope(MEI, SEED_ROLE)).rejects.toBeInstanceOf(AwsCallError);
    await expect(reader.readEscalationInputs(SEED_ROLE, GLUE_ACCESS)).resolves.toMatchObject({
      role: { name: 'etl-nightly-runtime' },
    });
    expect(mock.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);
  });

  it('carries the SCPs it was given', async () => {
    const iam = newClient();
    mockEscalationAccount(iam);
    const scp = {
      name: 'Root',
      document: { Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] },
    };
    const inputs = await new AwsAccountReader(iam, { scps: [[scp]] }).readEscalationInputs(
      SEED_ROLE,
      GLUE_ACCESS,
    );
    expect(inputs.scps).toEqual([[scp]]);
  });
});
