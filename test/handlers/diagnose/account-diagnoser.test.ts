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
import type { ServiceControlPolicy } from '../../../lambda/ports/organization-reader';
import { denialOf } from '../../support/denials';
import {
  InMemoryIdentityCenterReader,
  permissionSetDefinition,
} from '../../support/in-memory-identity-center-reader';
import { NO_INSTANCE_PROFILES } from '../../support/instance-profiles';
import { ACCOUNT, doc, managed, role, scope } from '../../support/scope-builders';
import { scopeEscalationReader } from '../../support/scope-escalation-reader';

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

describe('accountDiagnoser with Identity Center', () => {
  const SET = 'Data_Engineers';
  const RESERVED = `AWSReservedSSO_${SET}_0123456789abcdef`;
  const glue = managed('AWSGlueConsoleFullAccess', { Effect: 'Allow', Action: 'glue:*', Resource: '*' });
  const reserved = role(RESERVED, { path: '/aws-reserved/sso.amazonaws.com/', attachedPolicies: [glue] });
  const accountScope = scope(reserved, role('etl-runtime'));
  const denial = denialOf({
    principalType: 'sso-role',
    permissionSetName: SET,
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${RESERVED}/mei`,
    policySourceArn: reserved.arn,
  });
  const allowAll = { name: 'FullAWSAccess', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) };
  const noPassing = {
    name: 'NoPassing',
    document: doc({ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }),
  };

  async function proposalUnder(scps: ServiceControlPolicy[][] | null) {
    const access: AccountReadAccess = {
      accountId: ACCOUNT,
      accountReader: { loadScope: async () => accountScope },
      escalationReader: scopeEscalationReader(accountScope),
      instanceProfiles: NO_INSTANCE_PROFILES,
      rolePaths: { rolePath: () => Promise.resolve('/') },
      // The account's own simulator (IAM's on AWS) never sees the set as provisioned.
      simulator: new LocalPolicySimulator(),
    };
    const reader = new InMemoryIdentityCenterReader([
      {
        definition: permissionSetDefinition(SET, { managedPolicyArns: [glue.arn] }),
        provisionedAccounts: [ACCOUNT],
        assignments: {},
      },
    ]);
    const diagnosis = await accountDiagnoser({
      authorizationRecords: { read: () => Promise.reject(new Error('not asked')) },
      approvalPolicy: DEFAULT_APPROVAL_POLICY,
      ownResourceArns: [],
      identityCenter: {
        reader,
        simulator: (levels) => new LocalPolicySimulator({ serviceControlPolicyLevels: levels ?? [] }),
      },
    })(access, scps).diagnose(denial);
    if (diagnosis.outcome !== 'proposed') throw new Error(`no proposal: ${diagnosis.outcome}`);
    return diagnosis.proposal;
  }

  it('verifies the set as provisioned offline, under the SCP levels Organizations gives', async () => {
    expect((await proposalUnder([[allowAll]])).verified).toBe(true);
    const denied = await proposalUnder([[allowAll], [allowAll, noPassing]]);
    expect(denied.verified).toBe(false);
    expect(denied.target.definitionHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('SCPs unknown: the set is proposed on, never said to be verified', async () => {
    const proposal = await proposalUnder(null);
    expect(proposal.verified).toBe(false);
    expect(proposal.blockers).toContain(
      `the service control policies in force for account ${ACCOUNT} are not known, so the simulation of the set as provisioned leaves them out`,
    );
  });
});
