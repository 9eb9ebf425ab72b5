/** The seed account with roles that trust its etl-nightly-runtime role, and some that only seem to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SEED_PATH = join(__dirname, '../../../examples/seed/account.json');
const ACCOUNT = '123456789012';
const ETL_ROLE = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

function trustingRole(name: string, statement: Record<string, unknown>) {
  return {
    RoleName: name,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    Path: '/',
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] },
    RolePolicyList: [],
    AttachedManagedPolicies: [],
  };
}

/** The seed, with li.wei holding an AWS managed policy whose document the data lacks, and five roles. */
export function escalationAccount(): Record<string, unknown> & {
  UserDetailList: Record<string, unknown>[];
  RoleDetailList: Record<string, unknown>[];
} {
  const seed = JSON.parse(readFileSync(SEED_PATH, 'utf8')) as ReturnType<typeof escalationAccount>;
  const li = seed.UserDetailList.find((user) => user.UserName === 'li.wei');
  if (li === undefined) throw new Error('the seed lost li.wei');
  li.AttachedManagedPolicies = [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY }];
  seed.RoleDetailList.push(
    trustingRole('etl-admin', { Effect: 'Allow', Principal: { AWS: ETL_ROLE }, Action: 'sts:AssumeRole' }),
    trustingRole('etl-chain', {
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'sts:AssumeRole',
      Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/etl-*` } },
    }),
    trustingRole('account-wide', { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole' }),
    trustingRole('denies-etl', { Effect: 'Deny', Principal: { AWS: ETL_ROLE }, Action: 'sts:AssumeRole' }),
    trustingRole('someone-else', {
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/other` } },
    }),
  );
  return seed;
}
