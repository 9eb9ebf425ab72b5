import { uniqueMatchedStatements } from '../../../lambda/core/iam/matched-statements';
import type { MatchedStatement } from '../../../lambda/core/model';

const statement = (attachedTo: string | null, sid: string): MatchedStatement => ({
  policyType: 'identity',
  policyName: 'Shared',
  policyArn: 'arn:aws:iam::123456789012:policy/Shared',
  attachedTo,
  effect: 'Allow',
  statement: sid,
});

describe('matched-statement de-duplication', () => {
  it('keeps each statement once, in first-seen order', () => {
    const onUser = statement('user/mei', 'Pass');
    const onGroup = statement('group/Developers', 'Pass');
    expect(
      uniqueMatchedStatements([onUser, statement('user/mei', 'Pass'), onGroup, statement('user/mei', '1')]),
    ).toEqual([onUser, onGroup, statement('user/mei', '1')]);
  });
});
