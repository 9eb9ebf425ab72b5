/**
 * The approval function in organization mode: the re-check reads the denial's account through its
 * access, and approvers on the IAM routes are principals of the hub's account (the function's own).
 */
import { proposalRecord, SEED_DENIAL, SEED_PROPOSAL } from '../../adapters/support/proposal-records';
import { FakeAccountAccess } from '../../support/account-access';
import { analysed, FakeEscalationReader } from '../../support/escalation';
import { lambdaContext } from '../diagnose/support';
import { apiEvent, harness } from './support';

const HUB = '111111111111';
const MEMBER = '123456789012';
const IN_HUB = {
  ...lambdaContext(),
  invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:${HUB}:function:approval`,
};

const memberRecord = proposalRecord({
  denial: { ...SEED_DENIAL, account: MEMBER },
  proposal: { ...SEED_PROPOSAL, escalation: analysed('contained') },
  organizationAccount: { id: MEMBER, name: 'payments-prod', ouPath: [] },
});

async function hub() {
  const accounts = new FakeAccountAccess({ [MEMBER]: { escalationReader: new FakeEscalationReader() } });
  const h = await harness({ records: [memberRecord], deps: { accounts, organization: true } });
  return { ...h, accounts };
}

function approveAs(callerArn: string) {
  return apiEvent('POST', '/iam/proposals/p-1/approve', { callerArn, body: '{}' });
}

describe('the approval function in organization mode', () => {
  it("approves for a principal of the hub's account, reading the member's account", async () => {
    const h = await hub();
    const response = await h.handler(approveAs(`arn:aws:iam::${HUB}:user/alice`), IN_HUB);
    expect(response.statusCode).toBe(200);
    expect(h.accounts.reads).toEqual([MEMBER]);
    expect(h.trigger.requested).toEqual(['p-1']);
  });

  it('refuses (403) a caller of a member account, and writes nothing', async () => {
    const h = await hub();
    const response = await h.handler(approveAs(`arn:aws:iam::${MEMBER}:user/alice`), IN_HUB);
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({
      message: expect.stringContaining(`not a principal of the hub's account (${HUB})`),
    });
    expect(h.store.writes).toEqual([]);
  });

  it('refuses every IAM caller when the hub account cannot be known (no Lambda context)', async () => {
    const h = await hub();
    const response = await h.handler(approveAs(`arn:aws:iam::${HUB}:user/alice`));
    expect(response.statusCode).toBe(403);
    expect(h.store.writes).toEqual([]);
  });
});
