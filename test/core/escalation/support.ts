/** Builders for the escalation tests: roles, users and groups holding real or custom policies. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import type { EscalationInputs } from '../../../lambda/core/escalation/model';
import type {
  GroupDetails,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  RoleDetails,
  UserDetails,
} from '../../../lambda/core/model';

export const ACCOUNT = '123456789012';

const ROOT = join(__dirname, '../../..');

/** One of AWS's managed policies, as moto ships it (test/fixtures/managed-policies). */
export function awsManaged(name: string): ManagedPolicy {
  return JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/managed-policies', `${name}.json`), 'utf8'),
  ) as ManagedPolicy;
}

export function doc(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

export function customer(name: string, ...statements: PolicyStatement[]): ManagedPolicy {
  return { arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, name, document: doc(...statements) };
}

export function role(
  name: string,
  parts: Partial<
    Pick<RoleDetails, 'inlinePolicies' | 'attachedPolicies' | 'permissionsBoundary' | 'trustPolicy'>
  > = {},
): RoleDetails {
  return {
    kind: 'role',
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    name,
    path: '/',
    trustPolicy:
      parts.trustPolicy ??
      doc({ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    inlinePolicies: parts.inlinePolicies ?? [],
    attachedPolicies: parts.attachedPolicies ?? [],
    permissionsBoundary: parts.permissionsBoundary ?? null,
  };
}

export function group(
  name: string,
  parts: Partial<Pick<GroupDetails, 'inlinePolicies' | 'attachedPolicies'>> = {},
): GroupDetails {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
    name,
    path: '/',
    memberCount: 1,
    inlinePolicies: parts.inlinePolicies ?? [],
    attachedPolicies: parts.attachedPolicies ?? [],
  };
}

export function user(
  name: string,
  parts: Partial<
    Pick<UserDetails, 'inlinePolicies' | 'attachedPolicies' | 'permissionsBoundary' | 'groups'>
  > = {},
): UserDetails {
  return {
    kind: 'user',
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    name,
    path: '/',
    inlinePolicies: parts.inlinePolicies ?? [],
    attachedPolicies: parts.attachedPolicies ?? [],
    permissionsBoundary: parts.permissionsBoundary ?? null,
    groups: parts.groups ?? [],
  };
}

/** A modest developer: reads logs and metrics, and works on one project bucket. */
export function modestUser(name = 'dev'): UserDetails {
  return user(name, {
    inlinePolicies: [
      {
        name: 'DeveloperBasics',
        document: doc(
          {
            Effect: 'Allow',
            Action: ['logs:Describe*', 'logs:Get*', 'cloudwatch:GetMetricData'],
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Action: ['s3:*'],
            Resource: ['arn:aws:s3:::team-bucket', 'arn:aws:s3:::team-bucket/*'],
          },
        ),
      },
    ],
  });
}

export function inputs(
  passed: RoleDetails | null,
  gainers: EscalationInputs['gainers'],
  extra: Partial<EscalationInputs> = {},
): EscalationInputs {
  return {
    accountId: ACCOUNT,
    roleArn: passed?.arn ?? `arn:aws:iam::${ACCOUNT}:role/missing`,
    role: passed,
    gainers,
    trustingRoles: [],
    scps: null,
    notes: [],
    ...extra,
  };
}

/** The seed scenario: etl-nightly-runtime passed to Glue by the GlueAccess group (mei.tanaka, li.wei). */
export async function seedInputs(): Promise<EscalationInputs> {
  const reader = await SnapshotAccountReader.fromFile(join(ROOT, 'examples/seed/account.json'));
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
  const mei = await reader.loadScope(`arn:aws:iam::${ACCOUNT}:user/mei.tanaka`, roleArn);
  const li = await reader.loadScope(`arn:aws:iam::${ACCOUNT}:user/li.wei`, roleArn);
  if (!mei.principal || !li.principal) throw new Error('the seed lacks its users');
  return inputs(mei.passedRole, [mei.principal, li.principal]);
}
