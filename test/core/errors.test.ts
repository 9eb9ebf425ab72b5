import {
  ConcurrentChangeError,
  PassRoleDoctorError,
  RetryRecordError,
  TransientAwsError,
} from '../../lambda/core/errors';

describe('the retry family', () => {
  it('tells an AWS failure worth retrying from a lost race: both ask for the record again', () => {
    const throttled = new TransientAwsError('dynamodb:UpdateItem failed', { cause: new Error('Throttling') });
    const race = new ConcurrentChangeError('proposal p-1 kept changing while it was decided');

    for (const error of [throttled, race]) {
      expect(error).toBeInstanceOf(RetryRecordError);
      expect(error).toBeInstanceOf(PassRoleDoctorError);
    }
    expect(race).not.toBeInstanceOf(TransientAwsError);
    expect([throttled.name, race.name]).toEqual(['TransientAwsError', 'ConcurrentChangeError']);
    expect(throttled.cause).toEqual(new Error('Throttling'));
  });
});
