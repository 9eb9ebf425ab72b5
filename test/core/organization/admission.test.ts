import {
  admitDenial,
  agreedAccount,
  type AdmissionPolicy,
} from '../../../lambda/core/organization/admission';
import type { DenialAccountFields } from '../../../lambda/core/organization/model';
import {
  FakeOrganizationReader,
  PAYMENTS,
  ROOT,
  SANDBOX,
  WORKLOADS,
} from '../../support/fake-organization-reader';

const MEMBER = '111111111111';
const NESTED = '222222222222';
const SANDBOXED = '333333333333';
const EXCLUDED = '444444444444';
const OUTSIDER = '999999999999';

const POLICY: AdmissionPolicy = { memberOus: [WORKLOADS.id], excludedAccounts: [EXCLUDED] };

function organization(): FakeOrganizationReader {
  return new FakeOrganizationReader()
    .add({ id: MEMBER, name: 'workload-prod', ouPath: [ROOT, WORKLOADS] })
    .add({ id: NESTED, name: 'payments-prod', ouPath: [ROOT, WORKLOADS, PAYMENTS] })
    .add({ id: SANDBOXED, name: 'sandbox', ouPath: [ROOT, SANDBOX] })
    .add({ id: EXCLUDED, name: 'break-glass', ouPath: [ROOT, WORKLOADS] });
}

function fields(account: string, overrides: Partial<DenialAccountFields> = {}): DenialAccountFields {
  return {
    envelopeAccount: account,
    recipientAccountId: account,
    userIdentityAccountId: account,
    ...overrides,
  };
}

describe('agreedAccount', () => {
  it('agrees when all three fields name one account, or userIdentity.accountId is absent', () => {
    expect(agreedAccount(fields(MEMBER))).toEqual({ kind: 'agreed', accountId: MEMBER });
    expect(agreedAccount(fields(MEMBER, { userIdentityAccountId: null }))).toEqual({
      kind: 'agreed',
      accountId: MEMBER,
    });
  });

  it.each([
    ['no envelope account', { envelopeAccount: null }, null, /no envelope account/],
    [
      'an envelope account that is no account id',
      { envelopeAccount: 'attacker' },
      null,
      /"attacker" is not an account id/,
    ],
    ['no recipientAccountId', { recipientAccountId: null }, MEMBER, /no recipientAccountId/],
    [
      'another recipientAccountId',
      { recipientAccountId: OUTSIDER },
      MEMBER,
      /recipientAccountId "999999999999" differ/,
    ],
    [
      'another caller account',
      { userIdentityAccountId: OUTSIDER },
      MEMBER,
      /userIdentity.accountId "999999999999" differ/,
    ],
    [
      'a caller account of another type',
      { userIdentityAccountId: '(a number)' },
      MEMBER,
      /userIdentity.accountId/,
    ],
  ] as const)(
    'refuses %s, counted under the envelope account when it is one',
    (_name, override, accountId, detail) => {
      const refusal = agreedAccount(fields(MEMBER, override));
      expect(refusal).toMatchObject({ kind: 'refused', reason: 'account-fields-disagree', accountId });
      expect(refusal.kind === 'refused' ? refusal.detail : '').toMatch(detail);
    },
  );

  it('keeps a hostile field short in the detail', () => {
    const refusal = agreedAccount(
      fields(MEMBER, { recipientAccountId: `${'9'.repeat(12)}${'<b>'.repeat(500)}` }),
    );
    expect(refusal.kind === 'refused' ? refusal.detail.length : 0).toBeLessThan(200);
  });
});

describe('admitDenial', () => {
  it('admits an account under an enrolled OU, directly or below it, with its name and OU path', async () => {
    const reader = organization();
    await expect(admitDenial(fields(MEMBER), POLICY, reader)).resolves.toEqual({
      kind: 'admitted',
      account: { id: MEMBER, name: 'workload-prod', ouPath: [ROOT, WORKLOADS] },
    });
    await expect(admitDenial(fields(NESTED), POLICY, reader)).resolves.toMatchObject({
      kind: 'admitted',
      account: { id: NESTED },
    });
  });

  it('admits every account of the organization when the root is enrolled', async () => {
    const policy = { memberOus: [ROOT.id], excludedAccounts: [] };
    await expect(admitDenial(fields(SANDBOXED), policy, organization())).resolves.toMatchObject({
      kind: 'admitted',
    });
  });

  it('refuses disagreeing fields before asking Organizations anything', async () => {
    const reader = organization();
    const admission = await admitDenial(fields(MEMBER, { recipientAccountId: NESTED }), POLICY, reader);
    expect(admission).toMatchObject({ kind: 'refused', reason: 'account-fields-disagree' });
    expect(reader.asked.account).toEqual([]);
  });

  it('refuses an excluded account without looking it up', async () => {
    const reader = organization();
    await expect(admitDenial(fields(EXCLUDED), POLICY, reader)).resolves.toEqual({
      kind: 'refused',
      reason: 'account-excluded',
      accountId: EXCLUDED,
      detail: `account ${EXCLUDED} is in excludedAccounts`,
    });
    expect(reader.asked.account).toEqual([]);
  });

  it('refuses an account Organizations does not know', async () => {
    await expect(admitDenial(fields(OUTSIDER), POLICY, organization())).resolves.toMatchObject({
      kind: 'refused',
      reason: 'account-not-in-organization',
      accountId: OUTSIDER,
    });
  });

  it('refuses an account of the organization under no enrolled OU', async () => {
    await expect(admitDenial(fields(SANDBOXED), POLICY, organization())).resolves.toMatchObject({
      kind: 'refused',
      reason: 'account-not-enrolled',
      accountId: SANDBOXED,
    });
  });

  it('lets an Organizations failure through: the record is retried, not refused', async () => {
    const reader = organization();
    reader.failure = new Error('TooManyRequestsException');
    await expect(admitDenial(fields(MEMBER), POLICY, reader)).rejects.toThrow('TooManyRequestsException');
  });
});
