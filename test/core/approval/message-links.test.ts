import { approvalClaimsOf } from '../../../lambda/core/approval/links';
import { messageLinksBuilder } from '../../../lambda/core/approval/message-links';
import { verifyApprovalToken } from '../../../lambda/core/approval/token';
import { proposalRecord } from '../../adapters/support/proposal-records';
import { linkMacOf } from '../../support/link-tokens';

const MAC = linkMacOf('message-links-test-key-'.padEnd(64, 'm'));
const BASE = 'https://review.example.com';

/** The link MAC, counting the MACs asked for (each a KMS call in the function). */
function countingMac() {
  const counted = {
    fetched: 0,
    get: { generateMac: (message: Uint8Array) => (counted.fetched++, MAC.generateMac(message)) },
  };
  return counted;
}

describe('messageLinksBuilder', () => {
  it('signs a review link the approval function accepts, and names the commands, in both mode', async () => {
    const record = proposalRecord();
    const links = await messageLinksBuilder({ mode: 'both', reviewBaseUrl: BASE }, MAC)(record);
    const token = new URL(links.reviewUrl ?? 'https://none').searchParams.get('token');
    const claims = approvalClaimsOf(record);
    if (claims === null) throw new Error('the seed record has a proposal');
    await expect(verifyApprovalToken(token, claims, MAC, new Date('2026-06-18T00:00:00Z'))).resolves.toEqual({
      ok: true,
    });
    expect(links.approveCommand).toBe(`npx passrole-doctor approve p-1 --api ${BASE}`);
  });

  it('asks for a MAC only when it makes a link', async () => {
    const secret = countingMac();
    const iam = await messageLinksBuilder({ mode: 'iam', reviewBaseUrl: BASE }, secret.get)(proposalRecord());
    expect(iam).toMatchObject({
      reviewUrl: null,
      rejectCommand: `npx passrole-doctor reject p-1 --api ${BASE}`,
    });
    const noBase = await messageLinksBuilder(
      { mode: 'link', reviewBaseUrl: null },
      secret.get,
    )(proposalRecord());
    expect(noBase.reviewUrl).toBeNull();
    const report = await messageLinksBuilder(
      { mode: 'link', reviewBaseUrl: BASE },
      secret.get,
    )(proposalRecord({ proposal: null }));
    expect(report.reviewUrl).toBeNull();
    expect(secret.fetched).toBe(0);

    await messageLinksBuilder({ mode: 'link', reviewBaseUrl: BASE }, secret.get)(proposalRecord());
    expect(secret.fetched).toBe(1);
  });

  it('makes no review link without a key', async () => {
    const links = await messageLinksBuilder({ mode: 'both', reviewBaseUrl: BASE })(proposalRecord());
    expect(links).toEqual({
      reviewUrl: null,
      approveCommand: `npx passrole-doctor approve p-1 --api ${BASE}`,
      rejectCommand: `npx passrole-doctor reject p-1 --api ${BASE}`,
    });
  });
});
