import { readDeliveries, readDenials } from '../../../lambda/core/denial';
import { SEED_RECORD, envelope } from '../../handlers/diagnose/support';

const record = (overrides: Record<string, unknown> = {}) => ({
  ...structuredClone(SEED_RECORD),
  ...overrides,
});

describe('readDeliveries', () => {
  it('gives each outcome of readDenials with the envelope account and its record’s fields', () => {
    const body = { ...envelope(record()), account: '111111111111' };
    const deliveries = readDeliveries(body, 'message');
    expect(deliveries.map((delivery) => delivery.outcome)).toEqual(readDenials(body, 'message'));
    expect(deliveries.map((delivery) => delivery.accountFields)).toEqual([
      {
        envelopeAccount: '111111111111',
        recipientAccountId: '123456789012',
        userIdentityAccountId: '123456789012',
      },
    ]);
  });

  it('has no envelope account for a bare record or a log file, each record its own fields', () => {
    expect(readDeliveries(record(), 'file')[0]?.accountFields.envelopeAccount).toBeNull();
    const other = record({ recipientAccountId: '222222222222' });
    delete (other['userIdentity'] as Record<string, unknown>)['accountId'];
    const deliveries = readDeliveries({ Records: [record(), other] }, 'file');
    expect(deliveries.map((delivery) => delivery.accountFields)).toEqual([
      { envelopeAccount: null, recipientAccountId: '123456789012', userIdentityAccountId: '123456789012' },
      { envelopeAccount: null, recipientAccountId: '222222222222', userIdentityAccountId: null },
    ]);
  });

  it('reads a field of another type as a value no account equals, not as absent', () => {
    const body = { ...envelope(record({ recipientAccountId: 123456789012 })), account: 123456789012 };
    expect(readDeliveries(body, 'message')[0]?.accountFields).toEqual({
      envelopeAccount: '(a number)',
      recipientAccountId: '(a number)',
      userIdentityAccountId: '123456789012',
    });
  });
});
