/** The in-memory record reader: what it holds, and `not-consulted` (never `not-found`) for the rest. */
import { InMemoryAuthorizationRecordReader } from '../../../lambda/adapters/memory/in-memory-authorization-record-reader';
import { awsRecord, AUTHORIZATION_ID } from '../../support/aws-records';

describe('InMemoryAuthorizationRecordReader', () => {
  it('answers a held record as found, a held lookup as it is, and anything else as not consulted', async () => {
    const record = awsRecord();
    const reader = new InMemoryAuthorizationRecordReader(
      [
        [AUTHORIZATION_ID, record],
        ['gone', { kind: 'unavailable', reason: 'not-found', detail: 'expired' }],
      ],
      'offline',
    );
    await expect(reader.read(AUTHORIZATION_ID, 'eu-west-1')).resolves.toEqual({ kind: 'found', record });
    await expect(reader.read('gone', 'eu-west-1')).resolves.toEqual({
      kind: 'unavailable',
      reason: 'not-found',
      detail: 'expired',
    });
    await expect(reader.read('other', 'eu-west-1')).resolves.toEqual({
      kind: 'unavailable',
      reason: 'not-consulted',
      detail: 'offline',
    });
    expect(reader.reads.map((read) => read.authorizationId)).toEqual([AUTHORIZATION_ID, 'gone', 'other']);
  });
});
