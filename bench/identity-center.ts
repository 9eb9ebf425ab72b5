/**
 * The Identity Center reader's figures (`npx tsx bench/identity-center.ts`, or
 * runIdentityCenterBench() from bench/run.ts), sso-admin and identitystore answered by
 * aws-sdk-client-mock with a fixed latency per call, so elapsed time / latency gives the sequential
 * round trips:
 * - resolving a set's name in an instance of 500 sets: cold (a new container) and warm
 * - reading its whole definition
 * - the blast radius in one account: provisioned accounts (40) and assignments (2 users, 3 groups of
 *   150 members each, 20 named per group)
 * - parsing an Identity Center snapshot file of 500 sets x 40 accounts (time, file size)
 */
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
} from '@aws-sdk/client-identitystore';
import { mockClient } from 'aws-sdk-client-mock';
import { SsoAdminIdentityCenterReader } from '../lambda/adapters/aws/identity-center/sso-admin-reader';
import type { PermissionSetRef } from '../lambda/core/identity-center/model';
import {
  IDENTITY_CENTER_SNAPSHOT_FORMAT,
  IDENTITY_CENTER_SNAPSHOT_VERSION,
  parseIdentityCenterSnapshot,
  type IdentityCenterSnapshot,
} from '../lambda/core/identity-center/snapshot-file';
import { printBenchLines, stats } from './support';

const LATENCY_MS = 20;
const SETS = 500;
const ACCOUNTS = 40;
const GROUP_MEMBERS = 150;
const PAGE = 100;
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111222233334444';
const setArn = (index: number) =>
  `arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-${String(index).padStart(16, '0')}`;
const setName = (index: number) => `Team_${index}_Access`;
const account = (index: number) => String(100000000000 + index);

const later = <T>(value: T): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(value), LATENCY_MS));
/** One page of `items` after `token` (a stringified offset). */
function page<T>(items: T[], token: string | undefined): { items: T[]; NextToken?: string } {
  const start = token === undefined ? 0 : Number(token);
  const end = start + PAGE;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: String(end) } : {}) };
}

/** The mocked services: how many calls they answered so far, and how to put the real clients back. */
interface MockedServices {
  calls(): number;
  restore(): void;
}

function answerAnInstance(): MockedServices {
  const ssoAdmin = mockClient(SSOAdminClient);
  const identityStore = mockClient(IdentitystoreClient);
  const arns = Array.from({ length: SETS }, (_, index) => setArn(index));
  ssoAdmin
    .on(ListInstancesCommand)
    .callsFake(() => later({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: 'd-1' }] }));
  ssoAdmin.on(ListPermissionSetsCommand).callsFake((input: { NextToken?: string }) => {
    const { items, ...rest } = page(arns, input.NextToken);
    return later({ PermissionSets: items, ...rest });
  });
  ssoAdmin.on(DescribePermissionSetCommand).callsFake((input: { PermissionSetArn: string }) =>
    later({
      PermissionSet: {
        PermissionSetArn: input.PermissionSetArn,
        Name: setName(arns.indexOf(input.PermissionSetArn)),
      },
    }),
  );
  ssoAdmin
    .on(GetInlinePolicyForPermissionSetCommand)
    .callsFake(() => later({ InlinePolicy: '{"Version":"2012-10-17","Statement":[]}' }));
  ssoAdmin
    .on(ListManagedPoliciesInPermissionSetCommand)
    .callsFake(() => later({ AttachedManagedPolicies: [{ Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }));
  ssoAdmin
    .on(ListCustomerManagedPolicyReferencesInPermissionSetCommand)
    .callsFake(() => later({ CustomerManagedPolicyReferences: [] }));
  ssoAdmin
    .on(GetPermissionsBoundaryForPermissionSetCommand)
    .callsFake(() =>
      later({ PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' } }),
    );
  ssoAdmin
    .on(ListTagsForResourceCommand)
    .callsFake(() => later({ Tags: [{ Key: 'passrole-doctor:managed', Value: 'true' }] }));
  ssoAdmin
    .on(ListAccountsForProvisionedPermissionSetCommand)
    .callsFake(() => later({ AccountIds: Array.from({ length: ACCOUNTS }, (_, index) => account(index)) }));
  ssoAdmin.on(ListAccountAssignmentsCommand).callsFake(() =>
    later({
      AccountAssignments: [
        { PrincipalType: 'USER', PrincipalId: 'u-direct-1' },
        { PrincipalType: 'USER', PrincipalId: 'u-direct-2' },
        ...[1, 2, 3].map((group) => ({ PrincipalType: 'GROUP', PrincipalId: `g-${group}` })),
      ],
    }),
  );
  identityStore
    .on(DescribeUserCommand)
    .callsFake((input: { UserId: string }) =>
      later({ UserId: input.UserId, UserName: `${input.UserId}@example.com` }),
    );
  identityStore
    .on(DescribeGroupCommand)
    .callsFake((input: { GroupId: string }) =>
      later({ GroupId: input.GroupId, DisplayName: `group ${input.GroupId}` }),
    );
  identityStore
    .on(ListGroupMembershipsCommand)
    .callsFake((input: { GroupId: string; NextToken?: string }) => {
      const members = Array.from({ length: GROUP_MEMBERS }, (_, index) => ({
        MemberId: { UserId: `${input.GroupId}-u${index}` },
      }));
      const { items, ...rest } = page(members, input.NextToken);
      return later({ GroupMemberships: items, ...rest });
    });
  return {
    calls: () => ssoAdmin.calls().length + identityStore.calls().length,
    restore: () => {
      ssoAdmin.restore();
      identityStore.restore();
    },
  };
}

async function measured<T>(clients: MockedServices, work: () => Promise<T>): Promise<string> {
  const before = clients.calls();
  const started = performance.now();
  await work();
  const elapsed = performance.now() - started;
  const calls = clients.calls() - before;
  return `${calls} calls, ${elapsed.toFixed(0)} ms = ${(elapsed / LATENCY_MS).toFixed(1)} round trips of ${LATENCY_MS} ms`;
}

function snapshotOf(sets: number, accounts: number): IdentityCenterSnapshot {
  return {
    format: IDENTITY_CENTER_SNAPSHOT_FORMAT,
    version: IDENTITY_CENTER_SNAPSHOT_VERSION,
    takenAt: '2026-12-07T09:00:00.000Z',
    instanceArn: INSTANCE,
    identityStoreId: 'd-1',
    permissionSets: Array.from({ length: sets }, (_, index) => ({
      definition: {
        instanceArn: INSTANCE,
        permissionSetArn: setArn(index),
        name: setName(index),
        inlinePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }],
        }),
        managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        customerManagedPolicies: [{ name: 'TeamAccess', path: '/teams/' }],
        boundary: null,
        tags: { 'passrole-doctor:managed': 'true' },
      },
      provisionedAccounts: Array.from({ length: accounts }, (_, at) => account(at)),
      assignments: Object.fromEntries(
        Array.from({ length: accounts }, (_, at) => [
          account(at),
          [
            {
              principalType: 'GROUP' as const,
              principalId: `g-${index}`,
              displayName: `group ${index}`,
              memberCount: 25,
              memberNames: ['a@example.com', 'b@example.com'],
            },
          ],
        ]),
      ),
    })),
    userMemberships: [],
  };
}

export async function runIdentityCenterBench(): Promise<string[]> {
  const clients = answerAnInstance();
  const lines: string[] = [];
  try {
    const client = () => new SSOAdminClient({ region: 'eu-west-1', maxAttempts: 1 });
    const store = () => new IdentitystoreClient({ region: 'eu-west-1', maxAttempts: 1 });
    const reader = new SsoAdminIdentityCenterReader(client(), store());
    const last = setName(SETS - 1);
    lines.push(
      `Identity Center: resolve the ${SETS}th of ${SETS} sets, cold: ${await measured(clients, () => reader.permissionSet(last))}`,
    );
    lines.push(
      `Identity Center: resolve another set, warm: ${await measured(clients, () => reader.permissionSet(setName(7)))}`,
    );
    const ref: PermissionSetRef = { instanceArn: INSTANCE, permissionSetArn: setArn(SETS - 1), name: last };
    lines.push(
      `Identity Center: read the whole definition: ${await measured(clients, () => reader.definition(ref))}`,
    );
    lines.push(
      `Identity Center: blast radius in one account (${ACCOUNTS} accounts, 2 users, 3 groups of ${GROUP_MEMBERS}): ` +
        (await measured(clients, () =>
          Promise.all([reader.provisionedAccounts(ref), reader.assignments(ref, account(0))]),
        )),
    );
  } finally {
    clients.restore();
  }
  const text = JSON.stringify(snapshotOf(SETS, ACCOUNTS));
  const samples: number[] = [];
  for (let run = 0; run < 12; run += 1) {
    const started = performance.now();
    const parsed = parseIdentityCenterSnapshot(JSON.parse(text));
    samples.push(performance.now() - started);
    if (parsed.kind !== 'parsed') throw new Error(parsed.problems[0]);
  }
  const { median, p95 } = stats(samples.slice(2));
  lines.push(
    `Identity Center snapshot of ${SETS} sets x ${ACCOUNTS} accounts (${(text.length / 1024 / 1024).toFixed(1)} MiB): ` +
      `JSON.parse + check median ${median.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`,
  );
  return lines;
}

if (require.main === module) printBenchLines(runIdentityCenterBench);
