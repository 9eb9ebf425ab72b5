import { SnapshotAccountReader } from '../../../lambda/adapters/snapshot/snapshot-account-reader';
import { withServiceControlPolicies } from '../../../lambda/handlers/diagnose/account-diagnoser';
import type { ProposalTarget } from '../../../lambda/core/model';
import { SCP_DENY_LEAVE } from '../../support/organization-diagnose';
import { SEED_ACCOUNT } from './support';

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
