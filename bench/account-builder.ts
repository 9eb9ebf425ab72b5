/**
 * Grows an account in moto to a given size, for the account-size bench (bench/account-size.ts):
 * roles, users, groups and customer managed policies in the proportions of the table, each
 * with the documents a real account carries (a trust policy and an inline policy on every role, a
 * customer policy attached to every role and group, users in two groups each). Growing is additive,
 * so one moto serves every size of a run: the 500-role account is the 20-role one plus 480 roles.
 * The seed scenario's entities (test/integration/support/seed-account.ts) are added by the caller;
 * the filler never joins or attaches to them, so the seed's diagnosis is the same at every size.
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { MOTO_ACCOUNT_ID } from '../test/integration/support/moto';

export interface AccountSize {
  roles: number;
  users: number;
  groups: number;
  customerPolicies: number;
}

/** Attachments made at once: moto_server answers on threads, bounded by its GIL. */
const BUILD_CONCURRENCY = 8;
const BUILD_ATTEMPTS = 5;
const SERVICES = ['lambda', 'glue', 'ec2', 'ecs-tasks', 'states'] as const;

const policyArn = (index: number) => `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/bench/bench-policy-${index}`;
const groupName = (index: number) => `bench-group-${index}`;

function customerPolicyDocument(index: number): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadTeamData',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
        Resource: [`arn:aws:s3:::team-${index}-data`, `arn:aws:s3:::team-${index}-data/*`],
      },
      {
        Sid: 'WriteTeamTables',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: `arn:aws:dynamodb:*:${MOTO_ACCOUNT_ID}:table/team-${index}-*`,
      },
    ],
  });
}

function trustPolicy(index: number): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: `${SERVICES[index % SERVICES.length]}.amazonaws.com` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
}

function roleInlinePolicy(index: number): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:*:${MOTO_ACCOUNT_ID}:log-group:/workload/${index}:*`,
      },
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        Resource: `arn:aws:sqs:*:${MOTO_ACCOUNT_ID}:workload-${index}-*`,
      },
    ],
  });
}

function groupInlinePolicy(index: number): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::*:role/team-${index}-*` },
    ],
  });
}

/**
 * The caller's client is built with one attempt a call. Should moto_server still answer a 500 (see
 * growAccount), the builder retries; a create whose first attempt went through before the 500 finds
 * its entity there, which is success too.
 */
function tolerant(iam: IAMClient): Pick<IAMClient, 'send'> {
  return {
    send: async (command: Parameters<IAMClient['send']>[0]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await iam.send(command);
        } catch (error) {
          const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
          if (attempt > 1 && name === 'EntityAlreadyExistsException') return undefined;
          if (attempt >= BUILD_ATTEMPTS || ($metadata?.httpStatusCode ?? 0) < 500) throw error;
        }
      }
    },
  } as Pick<IAMClient, 'send'>;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, offset) => from + offset);

/**
 * Adds to the account what `to` has beyond `from` (both filler sizes, the seed not counted). Every
 * create runs first, one at a time; then what attaches to them, several at a time. moto's IAM has no
 * locks and finds a role by walking all of them (CreateRole, PutRolePolicy, AttachRolePolicy all do):
 * a create landing mid-walk ends the walk with a 500 ("dictionary changed size during iteration").
 */
export async function growAccount(client: IAMClient, from: AccountSize, to: AccountSize): Promise<void> {
  const iam = tolerant(client);
  const policies = range(from.customerPolicies, to.customerPolicies);
  const groups = range(from.groups, to.groups);
  const roles = range(from.roles, to.roles);
  const users = range(from.users, to.users);
  const roleName = (index: number) => `bench-role-${index}`;
  const userName = (index: number) => `bench-user-${index}`;

  await forEachLimited(policies, 1, (index) =>
    iam.send(
      new CreatePolicyCommand({
        PolicyName: `bench-policy-${index}`,
        Path: '/bench/',
        PolicyDocument: customerPolicyDocument(index),
      }),
    ),
  );
  await forEachLimited(groups, 1, (index) =>
    iam.send(new CreateGroupCommand({ GroupName: groupName(index) })),
  );
  await forEachLimited(roles, 1, (index) =>
    iam.send(
      new CreateRoleCommand({
        RoleName: roleName(index),
        Path: '/workload/',
        AssumeRolePolicyDocument: trustPolicy(index),
      }),
    ),
  );
  await forEachLimited(users, 1, (index) => iam.send(new CreateUserCommand({ UserName: userName(index) })));

  const attachments = [
    ...groups.flatMap((index) => [
      () =>
        iam.send(
          new PutGroupPolicyCommand({
            GroupName: groupName(index),
            PolicyName: 'team',
            PolicyDocument: groupInlinePolicy(index),
          }),
        ),
      () =>
        iam.send(
          new AttachGroupPolicyCommand({
            GroupName: groupName(index),
            PolicyArn: policyArn(index % to.customerPolicies),
          }),
        ),
    ]),
    ...roles.flatMap((index) => [
      () =>
        iam.send(
          new PutRolePolicyCommand({
            RoleName: roleName(index),
            PolicyName: 'runtime',
            PolicyDocument: roleInlinePolicy(index),
          }),
        ),
      () =>
        iam.send(
          new AttachRolePolicyCommand({
            RoleName: roleName(index),
            PolicyArn: policyArn(index % to.customerPolicies),
          }),
        ),
    ]),
    ...users.flatMap((index) => [
      () =>
        iam.send(
          new AddUserToGroupCommand({ UserName: userName(index), GroupName: groupName(index % to.groups) }),
        ),
      () =>
        iam.send(
          new AddUserToGroupCommand({
            UserName: userName(index),
            GroupName: groupName((index + 1) % to.groups),
          }),
        ),
    ]),
  ];
  await forEachLimited(attachments, BUILD_CONCURRENCY, (attach) => attach());
}
