import { checkMinimalDocument } from '../../../lambda/core/approval/minimal-shape';
import { minimalPassRoleDocument } from '../../../lambda/core/proposal/document';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/etl-runtime`;
const good = minimalPassRoleDocument(ROLE, 'glue.amazonaws.com', 'AllowPassEtlRuntimeToGlue');

function mutate(
  change: (statement: Record<string, unknown>, document: Record<string, unknown>) => void,
): unknown {
  const document = JSON.parse(JSON.stringify(good)) as Record<string, unknown> & {
    Statement: Record<string, unknown>[];
  };
  change(document.Statement[0] as Record<string, unknown>, document);
  return document;
}

describe('the minimal shape the apply function accepts', () => {
  it('accepts exactly what the engine proposes', () => {
    expect(checkMinimalDocument(good, ACCOUNT)).toEqual({
      ok: true,
      roleArn: ROLE,
      service: 'glue.amazonaws.com',
    });
  });

  it.each([
    [
      'a wildcard resource',
      mutate((s) => (s['Resource'] = `arn:aws:iam::${ACCOUNT}:role/*`)),
      /without wildcards/,
    ],
    [
      'a role of another account',
      mutate((s) => (s['Resource'] = 'arn:aws:iam::999988887777:role/x')),
      /not in account/,
    ],
    ['another action', mutate((s) => (s['Action'] = 'iam:*')), /exactly iam:PassRole/],
    [
      'two actions',
      mutate((s) => (s['Action'] = ['iam:PassRole', 'iam:PutRolePolicy'])),
      /exactly iam:PassRole/,
    ],
    ['a Deny', mutate((s) => (s['Effect'] = 'Deny')), /Effect must be Allow/],
    ['no condition', mutate((s) => delete s['Condition']), /missing Condition/],
    [
      'StringLike',
      mutate((s) => (s['Condition'] = { StringLike: { 'iam:PassedToService': '*' } })),
      /exactly StringEquals/,
    ],
    [
      'a wildcard service',
      mutate((s) => (s['Condition'] = { StringEquals: { 'iam:PassedToService': '*' } })),
      /one service principal/,
    ],
    [
      'two services',
      mutate(
        (s) =>
          (s['Condition'] = {
            StringEquals: { 'iam:PassedToService': ['glue.amazonaws.com', 'ec2.amazonaws.com'] },
          }),
      ),
      /one service principal/,
    ],
    [
      'an extra condition key',
      mutate(
        (s) =>
          (s['Condition'] = {
            StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com', 'aws:username': 'x' },
          }),
      ),
      /exactly StringEquals/,
    ],
    ['NotResource', mutate((s) => (s['NotResource'] = 'x')), /unexpected NotResource/],
    [
      'a second statement',
      mutate((_s, d) => (d['Statement'] = [good.Statement, good.Statement].flat())),
      /exactly one statement/,
    ],
    ['an old Version', mutate((_s, d) => (d['Version'] = '2008-10-17')), /Version/],
  ])('refuses %s', (_label, document, problem) => {
    const result = checkMinimalDocument(document, ACCOUNT);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.problem).toMatch(problem);
  });

  it('refuses what is not a document at all', () => {
    for (const value of [null, 'policy', [], { Version: '2012-10-17' }])
      expect(checkMinimalDocument(value, ACCOUNT).ok).toBe(false);
  });
});
