/**
 * Member accounts in one moto_server (started with accountPerRequest): the seed scenario in each,
 * its ARNs rewritten to the member's account, and the member read and apply roles with the trust the
 * member template gives them (the hub account, the external id). The seed's denial, as that member's
 * CloudTrail would record it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { readDenials } from '../../../lambda/core/denial';
import type { Denial } from '../../../lambda/core/model';
import { MEMBER_ROLE_NAMES } from '../../../lambda/settings/organization';
import { motoIamOf } from './member-role-sts-fake';
import { MOTO_ACCOUNT_ID } from './moto';
import { SEED_ACCOUNT, seedGlueAccount, type SeedAccount } from './seed-account';

/** The hub: moto's default account, the one its `testing` credentials act in. */
export const HUB_ACCOUNT = MOTO_ACCOUNT_ID;
export const EXTERNAL_ID = 'passrole-doctor-test-external-id';

const SEED_EVENT = join(__dirname, '../../../examples/seed/denial.json');

/** A member account id: 12 digits, never the hub's. */
export function memberAccountId(index: number): string {
  return String(210_000_000_000 + index);
}

function rewritten<T>(value: T, account: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(MOTO_ACCOUNT_ID, account)) as T;
}

/** The hub's trust as the member template writes it, with the external id STS checks (the fake too). */
function memberTrust(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT}:root` },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
      },
    ],
  });
}

export interface MemberSeedOptions {
  /** Create the member read and apply roles (default true). */
  memberRoles?: boolean;
}

export async function seedMemberAccount(
  endpoint: string,
  account: string,
  { memberRoles = true }: MemberSeedOptions = {},
): Promise<void> {
  const iam = motoIamOf(endpoint, account);
  try {
    await seedGlueAccount(iam, rewritten<SeedAccount>(SEED_ACCOUNT, account));
    if (!memberRoles) return;
    for (const RoleName of [MEMBER_ROLE_NAMES.read, MEMBER_ROLE_NAMES.apply]) {
      await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: memberTrust() }));
    }
  } finally {
    iam.destroy();
  }
}

/** The seed's denial, recorded in `account`. */
export function memberDenial(account: string): Denial {
  const record = rewritten<unknown>(JSON.parse(readFileSync(SEED_EVENT, 'utf8')), account);
  const [outcome] = readDenials(record, `seed denial of ${account}`);
  if (outcome?.kind !== 'denial') throw new Error('the seed event is not a denial');
  return outcome.denial;
}
