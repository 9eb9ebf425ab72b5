import { blockersOf, describeMatched } from '../../../lambda/core/iam/blockers';
import type { MatchedStatement } from '../../../lambda/core/model';

const deny: MatchedStatement = {
  policyType: 'identity',
  policyName: 'RequireMFA',
  policyArn: null,
  attachedTo: 'group/Developers',
  effect: 'Deny',
  statement: 'DenyNoMfa',
};

describe('what still blocks', () => {
  it('nothing once allowed', () => {
    expect(blockersOf({ decision: 'allowed', matchedStatements: [deny], blockedBy: ['scp'] })).toEqual([]);
  });

  it('each deny where it sits, then each layer that allows nothing, once each', () => {
    const allow: MatchedStatement = { ...deny, effect: 'Allow', policyName: 'PassEtl' };
    expect(
      blockersOf({
        decision: 'explicitDeny',
        matchedStatements: [deny, allow, deny],
        blockedBy: ['scp', 'boundary', 'scp'],
      }),
    ).toEqual([
      'explicit deny in RequireMFA (on group/Developers), statement DenyNoMfa',
      'a service control policy does not allow it',
      'the permissions boundary does not allow it',
    ]);
  });

  it('the decision alone when the simulator names nothing', () => {
    expect(blockersOf({ decision: 'explicitDeny', matchedStatements: [], blockedBy: [] })).toEqual([
      'an explicit deny',
    ]);
    expect(blockersOf({ decision: 'implicitDeny', matchedStatements: [], blockedBy: ['identity'] })).toEqual([
      'no policy allows it',
    ]);
  });

  it('a statement without a place or a statement id is named by its policy', () => {
    expect(describeMatched({ ...deny, attachedTo: null, statement: null })).toBe('RequireMFA');
  });
});
