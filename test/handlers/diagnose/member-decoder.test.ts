/**
 * Organization mode decodes EC2's encoded messages with the member that issued them, and only once
 * the delivery's account is admitted: an unadmitted account never sees the hub assume a role in it.
 */
import { MemberAccessError } from '../../../lambda/core/errors';
import { memberDecoderFor } from '../../../lambda/handlers/diagnose/member-decoder';
import type { AccountAccess, AccountReadAccess } from '../../../lambda/ports/account-access';
import { FakeOrganizationReader, ROOT, WORKLOADS } from '../../support/fake-organization-reader';

const MEMBER = '111111111111';
const OUTSIDER = '999999999999';

/** Each account's decoder says whose it is; every read access asked for is recorded. */
class DecodingAccess implements AccountAccess {
  readonly reads: string[] = [];
  constructor(private readonly missingRole = false) {}

  read(accountId: string): Promise<AccountReadAccess> {
    this.reads.push(accountId);
    if (this.missingRole) {
      return Promise.reject(new MemberAccessError(accountId, 'role-unavailable', 'NoSuchEntity'));
    }
    return Promise.resolve({
      decoder: { decode: (blob: string) => Promise.resolve(`decoded by ${accountId}: ${blob}`) },
    } as unknown as AccountReadAccess);
  }

  write(): never {
    throw new Error('the decoder never writes');
  }
}

function envelopeOf(account: string, recipient = account): unknown {
  return {
    'detail-type': 'AWS API Call via CloudTrail',
    account,
    detail: { recipientAccountId: recipient, userIdentity: { accountId: recipient } },
  };
}

function sources(access: AccountAccess) {
  const organization = new FakeOrganizationReader().add({
    id: MEMBER,
    name: 'Payments',
    ouPath: [ROOT, WORKLOADS],
  });
  return { access, organization, policy: { memberOus: [WORKLOADS.id], excludedAccounts: [] } };
}

describe('memberDecoderFor', () => {
  it('decodes with the admitted member, asking for its access once', async () => {
    const access = new DecodingAccess();
    const decoder = memberDecoderFor(envelopeOf(MEMBER), sources(access));
    expect(await decoder.decode('blob-1')).toBe(`decoded by ${MEMBER}: blob-1`);
    expect(await decoder.decode('blob-2')).toBe(`decoded by ${MEMBER}: blob-2`);
    expect(access.reads).toEqual([MEMBER]);
  });

  it('never reaches an account outside the organization, nor one whose fields disagree', async () => {
    for (const body of [envelopeOf(OUTSIDER), envelopeOf(MEMBER, OUTSIDER)]) {
      const access = new DecodingAccess();
      expect(await memberDecoderFor(body, sources(access)).decode('blob')).toBeNull();
      expect(access.reads).toEqual([]);
    }
  });

  it('leaves a message undecoded when the member role cannot be assumed', async () => {
    const access = new DecodingAccess(true);
    expect(await memberDecoderFor(envelopeOf(MEMBER), sources(access)).decode('blob')).toBeNull();
  });

  it('costs nothing while no message is decoded', () => {
    const access = new DecodingAccess();
    const fake = sources(access);
    memberDecoderFor(envelopeOf(MEMBER), fake);
    expect(fake.organization.asked.account).toEqual([]);
    expect(access.reads).toEqual([]);
  });
});
