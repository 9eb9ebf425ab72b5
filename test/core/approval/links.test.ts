import {
  approvalClaimsOf,
  approvalLinksOf,
  isProposalId,
  NO_APPROVAL_LINKS,
  reviewUrl,
  type ApprovalMode,
} from '../../../lambda/core/approval/links';
import { verifyApprovalToken } from '../../../lambda/core/approval/token';
import { LocalLinkMac } from '../../../lambda/adapters/local/local-keys';
import { proposalRecord, SEED_PROPOSAL } from '../../adapters/support/proposal-records';

const MAC = new LocalLinkMac();
const BASE = 'https://abc123.execute-api.ap-northeast-1.amazonaws.com';
const BEFORE_EXPIRY = new Date('2026-06-18T00:00:00Z');
const record = proposalRecord({ id: '0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10' });

function links(mode: ApprovalMode, overrides: Partial<Parameters<typeof approvalLinksOf>[0]> = {}) {
  return approvalLinksOf({ mode, record, reviewBaseUrl: BASE, linkMac: MAC, ...overrides });
}

function tokenOf(url: string | null): string | null {
  return url === null ? null : new URL(url).searchParams.get('token');
}

describe('approval claims', () => {
  it('vouch for the proposal id, the account, the document hash, the target and the expiry', () => {
    expect(approvalClaimsOf(record)).toEqual({
      proposalId: record.id,
      account: record.denial.account,
      documentHash: record.documentHash,
      target: {
        type: 'group',
        name: 'GlueAccess',
        arn: 'arn:aws:iam::123456789012:group/GlueAccess',
      },
      expiresAt: record.expiresAt,
    });
  });

  it('do not exist for a diagnosis without a proposal', () => {
    expect(approvalClaimsOf(proposalRecord({ status: 'reported', proposal: null }))).toBeNull();
  });
});

describe('approvalLinksOf', () => {
  it('in both mode: a signed review link and both commands', async () => {
    const both = await links('both');
    expect(both.reviewUrl).toMatch(
      new RegExp(`^${BASE.replace(/\./g, '\\.')}/proposals/${record.id}\\?token=[A-Za-z0-9_-]{43}$`),
    );
    expect(both.approveCommand).toBe(`npx passrole-doctor approve ${record.id} --api ${BASE}`);
    expect(both.rejectCommand).toBe(`npx passrole-doctor reject ${record.id} --api ${BASE}`);
  });

  it('signs a token the approval function verifies with the same key and claims', async () => {
    const claims = approvalClaimsOf(record);
    if (claims === null) throw new Error('the record has a proposal');
    const token = tokenOf((await links('link')).reviewUrl);
    await expect(verifyApprovalToken(token, claims, MAC, BEFORE_EXPIRY)).resolves.toEqual({ ok: true });
    expect((await verifyApprovalToken(token, claims, new LocalLinkMac(), BEFORE_EXPIRY)).ok).toBe(false);
    // Reminders sign the same claims: the same link.
    expect((await links('link')).reviewUrl).toBe((await links('both')).reviewUrl);
  });

  it('in link mode: the link and no command; in iam mode: the commands and no link', async () => {
    expect(await links('link')).toMatchObject({ approveCommand: null, rejectCommand: null });
    expect((await links('link')).reviewUrl).not.toBeNull();
    expect(await links('iam')).toEqual({
      reviewUrl: null,
      approveCommand: `npx passrole-doctor approve ${record.id} --api ${BASE}`,
      rejectCommand: `npx passrole-doctor reject ${record.id} --api ${BASE}`,
    });
  });

  it('makes no link without a base URL or a key, and drops trailing slashes from the base', async () => {
    expect((await links('link', { reviewBaseUrl: null })).reviewUrl).toBeNull();
    expect((await links('link', { reviewBaseUrl: '  ' })).reviewUrl).toBeNull();
    expect((await links('link', { linkMac: null })).reviewUrl).toBeNull();
    expect((await links('link', { reviewBaseUrl: `${BASE}//` })).reviewUrl).toBe(
      (await links('link')).reviewUrl,
    );
  });

  it('offers no approve command for a permission set, which cannot be applied here', async () => {
    const permissionSet = proposalRecord({
      proposal: {
        ...SEED_PROPOSAL,
        target: { type: 'permission-set', name: 'DataEngineer', arn: null, memberCount: null },
      },
    });
    const result = await approvalLinksOf({
      mode: 'both',
      record: permissionSet,
      reviewBaseUrl: BASE,
      linkMac: MAC,
    });
    expect(result.reviewUrl).not.toBeNull();
    expect(result.approveCommand).toBeNull();
    expect(result.rejectCommand).toBe(`npx passrole-doctor reject p-1 --api ${BASE}`);
  });

  it('offers the approve command for a permission set read from Identity Center', async () => {
    const permissionSet = proposalRecord({
      proposal: {
        ...SEED_PROPOSAL,
        target: {
          type: 'permission-set',
          name: 'DataEngineer',
          arn: null,
          memberCount: null,
          instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
          permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef',
          definitionHash: 'a'.repeat(64),
        },
      },
    });
    const result = await approvalLinksOf({
      mode: 'both',
      record: permissionSet,
      reviewBaseUrl: BASE,
      linkMac: MAC,
    });
    expect(result.approveCommand).toBe(`npx passrole-doctor approve p-1 --api ${BASE}`);
  });

  it('offers nothing for a report, or a record whose id is not a proposal id', async () => {
    const report = proposalRecord({ status: 'reported', proposal: null, documentHash: null });
    await expect(
      approvalLinksOf({ mode: 'both', record: report, reviewBaseUrl: BASE, linkMac: MAC }),
    ).resolves.toEqual(NO_APPROVAL_LINKS);
    const odd = proposalRecord({ id: 'p-1; rm -rf /' });
    await expect(
      approvalLinksOf({ mode: 'both', record: odd, reviewBaseUrl: BASE, linkMac: MAC }),
    ).resolves.toEqual(NO_APPROVAL_LINKS);
  });
});

describe('proposal ids and review URLs', () => {
  it('accepts UUIDs and short test ids, nothing that would need escaping', () => {
    for (const id of [record.id, 'p-1', 'proposal_7']) expect(isProposalId(id)).toBe(true);
    for (const id of ['', '-p', 'p/1', 'p 1', '../x', 'p%2F', 'x'.repeat(129), 42, null]) {
      expect(isProposalId(id)).toBe(false);
    }
  });

  it('puts the token in the query string', () => {
    expect(reviewUrl('https://r.example.com/', 'p-1', 'abc_-')).toBe(
      'https://r.example.com/proposals/p-1?token=abc_-',
    );
  });
});
