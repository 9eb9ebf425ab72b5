import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { LocalPolicySimulator } from '../../../lambda/adapters/local/local-policy-simulator';
import { DEFAULT_APPROVAL_POLICY } from '../../../lambda/core/approval/requirement';
import { readDenials } from '../../../lambda/core/denial';
import {
  accountDiagnoser,
  withServiceControlPolicies,
} from '../../../lambda/handlers/diagnose/account-diagnoser';
import type { AccountReadAccess } from '../../../lambda/ports/account-access';
import type { AuthorizationRecordReader } from '../../../lambda/ports/authorization-record-reader';
import { AUTHORIZATION_ID } from '../../support/aws-records';
import type { ProposalTarget } from '../../../lambda/core/model';
import { SCP_DENY_LEAVE } from '../../support/organization-diagnose';
import { SEED_ACCOUNT, SEED_RECORD } from './support';

const ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const TARGET: ProposalTarget = {
  type: 'group',
  name: 'GlueAccess',
  arn: 'arn:aws:iam::123456789012:group/GlueAccess',
  memberCount: 2,
};

describe('withServiceControlPolicies', () => {
  it("gives the escalation analysis the organization's SCP levels instead of the reader's unknown", async () => {
    const reader = new SnapshotAccountReader(SEED_ACCOUNT, 'seed');
    expect((await reader.readEscalationInputs(ROLE, TARGET)).scps).toBeNull();
    const levels = [[], [SCP_DENY_LEAVE], []];
    const inputs = await withServiceControlPolicies(reader, levels).readEscalationInputs(ROLE, TARGET);
    expect(inputs.scps).toEqual(levels);
    expect(inputs.role).toEqual((await reader.readEscalationInputs(ROLE, TARGET)).role);
  });
});

describe('accountDiagnoser', () => {
  /** Records which reader AWS's record was asked of. */
  function recordReader(name: string, asked: string[]): AuthorizationRecordReader {
    return {
      read: (authorizationId) => {
        asked.push(`${name}:${authorizationId}`);
        return Promise.resolve({ kind: 'unavailable', reason: 'not-found', detail: 'none in this test' });
      },
    };
  }

  async function diagnoseWith(memberRecords: AuthorizationRecordReader | undefined, asked: string[]) {
    const reader = new SnapshotAccountReader(SEED_ACCOUNT, 'seed');
    const access: AccountReadAccess = {
      accountId: '123456789012',
      accountReader: reader,
      escalationReader: reader,
      instanceProfiles: reader,
      rolePaths: { rolePath: () => Promise.resolve('/') },
      simulator: new LocalPolicySimulator(),
      ...(memberRecords === undefined ? {} : { authorizationRecords: memberRecords }),
    };
    const diagnoser = accountDiagnoser({
      authorizationRecords: recordReader('function', asked),
      approvalPolicy: DEFAULT_APPROVAL_POLICY,
      ownResourceArns: [],
    })(access, null);
    const [read] = readDenials(SEED_RECORD, 'seed');
    if (read?.kind !== 'denial') throw new Error('the seed record is a denial');
    await diagnoser.diagnose({
      ...read.denial,
      authorizationId: AUTHORIZATION_ID,
      authorizationRegion: 'us-east-1',
    });
  }

  it("reads AWS's record with the account's own reader where its access has one (a member's)", async () => {
    const asked: string[] = [];
    await diagnoseWith(recordReader('member', asked), asked);
    expect(asked).toEqual([`member:${AUTHORIZATION_ID}`]);
  });

  it("falls back to the function's reader where the access has none (single-account mode)", async () => {
    const asked: string[] = [];
    await diagnoseWith(undefined, asked);
    expect(asked).toEqual([`function:${AUTHORIZATION_ID}`]);
  });
});
