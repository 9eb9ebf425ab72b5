import { analyseGrant } from '../../../lambda/core/proposal/assess-escalation';
import type { ProposalTarget } from '../../../lambda/core/model';
import type { EscalationReader } from '../../../lambda/ports/escalation-reader';

const ROLE = 'arn:aws:iam::123456789012:role/etl';
const unread: EscalationReader = {
  readEscalationInputs: () => Promise.reject(new Error('a permission set is never read as an IAM target')),
};

function permissionSet(extra: Partial<ProposalTarget>): ProposalTarget {
  return { type: 'permission-set', name: 'Data_Engineers', arn: null, memberCount: null, ...extra };
}

describe('analyseGrant on a permission set that is not changed from here', () => {
  it('known by name only: its assignments are not in the account data', async () => {
    const analysis = await analyseGrant(ROLE, permissionSet({}), { reader: unread, ownResourceArns: [] });
    expect(analysis).toMatchObject({
      kind: 'unknown',
      reason:
        'the target is the Identity Center permission set Data_Engineers, whose assignments are not in the account data',
    });
  });

  it('read from Identity Center (its reach known) but not proposed: never says its assignments are unknown', async () => {
    const analysis = await analyseGrant(
      ROLE,
      permissionSet({ blastRadius: { people: 3, accounts: 2, assignments: [] } }),
      { reader: unread, ownResourceArns: [] },
    );
    expect(analysis).toMatchObject({
      kind: 'unknown',
      reason:
        'the target is the Identity Center permission set Data_Engineers, which is not changed from here: what the statement would add is not analysed',
    });
  });
});
