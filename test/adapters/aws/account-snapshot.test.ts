import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  IAMServiceException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { takeAccountSnapshot, type SnapshotProgress } from '../../../lambda/adapters/aws/account-snapshot';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { AwsCallError } from '../../../lambda/core/errors';

const SEED_PATH = join(__dirname, '../../../examples/seed/account.json');
const MEI = 'arn:aws:iam::123456789012:user/mei.tanaka';
const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';
const BOUNDARY = 'arn:aws:iam::aws:policy/PowerUserAccess';

type Json = Record<string, unknown>;
const seed = JSON.parse(readFileSync(SEED_PATH, 'utf8')) as {
  UserDetailList: Json[];
  GroupDetailList: Json[];
  RoleDetailList: Json[];
  Policies: (Json & { PolicyVersionList: { Document: unknown }[] })[];
};
const glueConsole = seed.Policies[0];
if (glueConsole?.Arn !== GLUE_CONSOLE) throw new Error('the seed lost its AWS managed policy');
const glueDocument = glueConsole.PolicyVersionList[0]?.Document;

/** What the API returns: every document a URL-encoded string (the AWS CLI decodes them, the SDK does not). */
function urlEncoded<T>(value: T): T {
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
  return encode(value) as T;
}

const CUSTOMER_POLICY = {
  PolicyName: 'etl-boundary',
  Arn: 'arn:aws:iam::123456789012:policy/etl-boundary',
  DefaultVersionId: 'v2',
  PolicyVersionList: [
    { VersionId: 'v2', IsDefaultVersion: true, Document: { Version: '2012-10-17', Statement: [] } },
    {
      VersionId: 'v1',
      IsDefaultVersion: false,
      Document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    },
  ],
};

/**
 * The seed paged in two as IAM pages it, plus a user with an AWS managed boundary (in use, not attached)
 * and a customer managed policy with two versions. The paginator reuses one input object, so requests
 * are copied as sent.
 */
function mockAccount(iam: IAMClient) {
  const mock = mockClient(iam);
  const sent: Json[] = [];
  const bounded = { UserName: 'ops', Arn: 'arn:aws:iam::123456789012:user/ops', Path: '/', GroupList: [] };
  mock.on(GetAccountAuthorizationDetailsCommand).callsFake((input: { Marker?: string }) => {
    sent.push({ ...input });
    return input.Marker === undefined
      ? urlEncoded({
          UserDetailList: [
            ...seed.UserDetailList,
            { ...bounded, PermissionsBoundary: { PermissionsBoundaryArn: BOUNDARY } },
          ],
          GroupDetailList: seed.GroupDetailList,
          IsTruncated: true,
          Marker: 'page-2',
        })
      : urlEncoded({ RoleDetailList: seed.RoleDetailList, Policies: [CUSTOMER_POLICY], IsTruncated: false });
  });
  mock
    .on(GetPolicyCommand, { PolicyArn: GLUE_CONSOLE })
    .resolves({
      Policy: { Arn: GLUE_CONSOLE, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
    })
    .on(GetPolicyVersionCommand, { PolicyArn: GLUE_CONSOLE, VersionId: 'v14' })
    .resolves({
      PolicyVersion: { VersionId: 'v14', Document: encodeURIComponent(JSON.stringify(glueDocument)) },
    })
    .on(GetPolicyCommand, { PolicyArn: BOUNDARY })
    .rejects(
      new IAMServiceException({
        name: 'NoSuchEntityException',
        $fault: 'client',
        message: 'gone',
        $metadata: {},
      }),
    );
  return { mock, sent };
}

const newClient = () =>
  new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('takeAccountSnapshot', () => {
  it('reads every page with the filter, then each AWS managed policy in use, and reports progress', async () => {
    const iam = newClient();
    const { mock, sent } = mockAccount(iam);
    const progress: SnapshotProgress[] = [];
    const snapshot = await takeAccountSnapshot(iam, (event) => progress.push(event));

    const filter = ['User', 'Group', 'Role', 'LocalManagedPolicy'];
    expect(sent).toEqual([
      { Filter: filter, MaxItems: 1000 },
      { Filter: filter, MaxItems: 1000, Marker: 'page-2' },
    ]);
    expect(progress).toEqual([
      { kind: 'page', page: 1, users: 4, groups: 2, roles: 0, policies: 0 },
      { kind: 'page', page: 2, users: 4, groups: 2, roles: 1, policies: 1 },
      { kind: 'aws-managed-policies', count: 2 },
    ]);
    expect(mock.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    expect(snapshot.awsManagedPolicies).toBe(1);
    expect(snapshot.unavailable).toEqual([
      { arn: BOUNDARY, reason: 'it no longer exists (GetPolicy: NoSuchEntity)' },
    ]);
  });

  it('writes documents as JSON objects, as the AWS CLI does, with every version of customer policies', async () => {
    const iam = newClient();
    mockAccount(iam);
    const { details } = await takeAccountSnapshot(iam);
    expect(details.RoleDetailList[0]?.AssumeRolePolicyDocument).toEqual(
      seed.RoleDetailList[0]?.AssumeRolePolicyDocument,
    );
    expect(details.GroupDetailList).toEqual(seed.GroupDetailList);
    expect(details.Policies).toEqual([
      CUSTOMER_POLICY,
      expect.objectContaining({
        Arn: GLUE_CONSOLE,
        DefaultVersionId: 'v14',
        PolicyVersionList: [{ VersionId: 'v14', IsDefaultVersion: true, Document: glueDocument }],
      }),
    ]);
  });

  it('diagnoses offline as the shipped snapshot of the same account does', async () => {
    const iam = newClient();
    mockAccount(iam);
    const { details } = await takeAccountSnapshot(iam);
    const taken = new SnapshotAccountReader(JSON.parse(JSON.stringify(details)), 'taken.json');
    const shipped = await SnapshotAccountReader.fromFile(SEED_PATH);
    const scope = await taken.loadScope(MEI, ETL_ROLE);
    expect({ ...scope, source: 'same' }).toEqual({
      ...(await shipped.loadScope(MEI, ETL_ROLE)),
      source: 'same',
    });
  });

  it('fails with one line naming the permission when access is denied', async () => {
    const iam = newClient();
    mockClient(iam)
      .on(GetAccountAuthorizationDetailsCommand)
      .rejects(
        new IAMServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: 'User: arn:aws:iam::123456789012:user/x is not authorized\nsecond line',
          $metadata: { httpStatusCode: 403 },
        }),
      );
    const failure = await takeAccountSnapshot(iam).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect((failure as Error).message).toBe(
      'Access denied: the snapshot needs iam:GetAccountAuthorizationDetails (AccessDenied: User: arn:aws:iam::123456789012:user/x is not authorized)',
    );
  });
});
