/**
 * The diagnose handler in organization mode over in-memory ports, for unit and attack tests: a hub
 * (the function's own account, never to be read) and member accounts, each a copy of the seed
 * account under its own id. The member access is a FAKE AccountAccess (the real one is
 * MemberAccountAccess, on moto): it hands out each member's snapshot reader and local simulator and
 * records which accounts were read; a member whose role is "missing" is a MemberAccessError.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryAuthorizationRecordReader } from '../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { LocalPolicySimulator } from '../../lambda/adapters/local/local-policy-simulator';
import { SnapshotAccountReader } from '../../lambda/adapters/snapshot/snapshot-account-reader';
import { DEFAULT_APPROVAL_POLICY } from '../../lambda/core/approval/requirement';
import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { AwsCallError, MemberAccessError } from '../../lambda/core/errors';
import type { Notifier } from '../../lambda/ports/notifier';
import type { OrganizationAccount } from '../../lambda/core/organization/model';
import { accountDiagnoser } from '../../lambda/handlers/diagnose/account-diagnoser';
import type { DiagnoserFor } from '../../lambda/handlers/diagnose/accounts';
import type { AccountAccess, AccountReadAccess, AccountWriteAccess } from '../../lambda/ports/account-access';
import type { ServiceControlPolicy } from '../../lambda/ports/organization-reader';
import { harness, type Harness, type HarnessOptions } from '../handlers/diagnose/support';
import { FakeOrganizationReader, ROOT, SANDBOX, WORKLOADS } from './fake-organization-reader';

const ROOT_DIR = join(__dirname, '..', '..');
const SEED_ACCOUNT_ID = '123456789012';
const SEED_ACCOUNT_TEXT = readFileSync(join(ROOT_DIR, 'examples/seed/account.json'), 'utf8');
const SEED_RECORD_TEXT = readFileSync(join(ROOT_DIR, 'examples/seed/denial.json'), 'utf8');

/** The hub: the function's own account (lambdaContext's ARN). Nothing may be read here. */
export const HUB = SEED_ACCOUNT_ID;
export const MEMBER_A = '111111111111';
export const MEMBER_B = '222222222222';
/** In the organization, under an OU that is not enrolled. */
export const SANDBOXED = '333333333333';
export const EXCLUDED = '444444444444';
/** Not in the organization. */
export const OUTSIDER = '999999999999';

export const SCP_DENY_LEAVE: ServiceControlPolicy = {
  name: 'deny-leave-organization',
  document: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
  },
};

export const ACCOUNTS: Record<string, OrganizationAccount> = {
  [MEMBER_A]: { id: MEMBER_A, name: 'workload-a', ouPath: [ROOT, WORKLOADS] },
  [MEMBER_B]: { id: MEMBER_B, name: 'workload-b', ouPath: [ROOT, WORKLOADS] },
  [SANDBOXED]: { id: SANDBOXED, name: 'sandbox', ouPath: [ROOT, SANDBOX] },
  [EXCLUDED]: { id: EXCLUDED, name: 'break-glass', ouPath: [ROOT, WORKLOADS] },
};

/** The seed denial as recorded in `account`, with its own eventID. */
export function memberRecord(account: string, eventId: string): Record<string, unknown> {
  const record = JSON.parse(SEED_RECORD_TEXT.replaceAll(SEED_ACCOUNT_ID, account)) as Record<string, unknown>;
  return { ...record, eventID: eventId };
}

/** An EventBridge envelope of the record, as the member's rule forwards it (its own account). */
export function memberEnvelope(
  record: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    version: '0',
    id: `envelope-${String(record['eventID'])}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.glue',
    account: record['recipientAccountId'],
    time: record['eventTime'],
    region: record['awsRegion'],
    resources: [],
    detail: record,
    ...overrides,
  });
}

/** A FAKE AccountAccess of member accounts: each the seed account under its own id. */
export class FakeMemberAccess implements AccountAccess {
  readonly reads: string[] = [];
  readonly writes: string[] = [];
  /** Accounts whose member role cannot be assumed. */
  readonly missingRoles = new Set<string>();
  private readonly accesses = new Map<string, AccountReadAccess>();

  constructor(members: readonly string[]) {
    for (const id of members) {
      const reader = new SnapshotAccountReader(
        JSON.parse(SEED_ACCOUNT_TEXT.replaceAll(SEED_ACCOUNT_ID, id)) as unknown,
        `member ${id}`,
      );
      this.accesses.set(id, {
        accountId: id,
        accountReader: reader,
        escalationReader: reader,
        instanceProfiles: reader,
        rolePaths: reader,
        simulator: new LocalPolicySimulator(),
      });
    }
  }

  async read(accountId: string): Promise<AccountReadAccess> {
    this.reads.push(accountId);
    if (this.missingRoles.has(accountId)) {
      throw new MemberAccessError(
        accountId,
        'role-unavailable',
        `PassRoleDoctorMember-Read in ${accountId} could not be assumed (NoSuchEntity)`,
      );
    }
    const access = this.accesses.get(accountId);
    if (access === undefined)
      throw new MemberAccessError(accountId, 'role-unavailable', `no member role in ${accountId}`);
    return access;
  }

  async write(accountId: string): Promise<AccountWriteAccess> {
    this.writes.push(accountId);
    throw new MemberAccessError(accountId, 'access-denied', 'the diagnose function never writes');
  }
}

export interface OrganizationHarnessOptions extends HarnessOptions {
  /** OU id -> topic ARN: the OU channels (settings channelsByOu). */
  channelsByOu?: Record<string, string>;
  /** Topics whose publish fails. */
  failingTopics?: string[];
}

export interface OrganizationHarness extends Harness {
  /** What each OU channel's topic received. */
  ouNotifiers: Map<string, InMemoryNotifier>;
  organization: FakeOrganizationReader;
  access: FakeMemberAccess;
  /** Each diagnoser built: for which account, with which SCP levels. */
  built: { accountId: string; scps: readonly (readonly ServiceControlPolicy[])[] | null }[];
}

/** The handler in organization mode: Workloads enrolled, EXCLUDED excluded, an SCP on MEMBER_A. */
export function organizationHarness(options: OrganizationHarnessOptions = {}): OrganizationHarness {
  const ouNotifiers = new Map<string, InMemoryNotifier>();
  const failing = new Set(options.failingTopics ?? []);
  const notifierFor = (topicArn: string): Notifier => {
    if (failing.has(topicArn)) {
      return { publish: () => Promise.reject(new AwsCallError('sns:Publish failed (AuthorizationError)')) };
    }
    const notifier = ouNotifiers.get(topicArn) ?? new InMemoryNotifier();
    ouNotifiers.set(topicArn, notifier);
    return notifier;
  };
  const organization = new FakeOrganizationReader()
    .add(ACCOUNTS[MEMBER_A] as OrganizationAccount, [[], [SCP_DENY_LEAVE], []])
    .add(ACCOUNTS[MEMBER_B] as OrganizationAccount)
    .add(ACCOUNTS[SANDBOXED] as OrganizationAccount)
    .add(ACCOUNTS[EXCLUDED] as OrganizationAccount);
  const access = new FakeMemberAccess([MEMBER_A, MEMBER_B, SANDBOXED, EXCLUDED]);
  const built: OrganizationHarness['built'] = [];
  const real = accountDiagnoser({
    authorizationRecords: new InMemoryAuthorizationRecordReader(),
    approvalPolicy: DEFAULT_APPROVAL_POLICY,
    ownResourceArns: [],
  });
  const diagnoserFor: DiagnoserFor = (readAccess, scps) => {
    built.push({ accountId: readAccess.accountId, scps });
    return real(readAccess, scps);
  };
  const h = harness({
    ...options,
    deps: {
      accounts: {
        mode: 'organization',
        access,
        organization,
        policy: { memberOus: [WORKLOADS.id], excludedAccounts: [EXCLUDED] },
        ...(options.channelsByOu === undefined
          ? {}
          : { channels: { byOu: options.channelsByOu, notifierFor } }),
      },
      diagnoserFor,
      ...options.deps,
    },
  });
  return { ...h, ouNotifiers, organization, access, built };
}
