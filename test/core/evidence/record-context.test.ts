/** AWS's recorded context over the reconstructed one: what differs, what is added, what is not taken. */
import { recordedRequest } from '../../../lambda/core/evidence/record-context';
import { passEvaluation } from '../../support/aws-records';
import { denialOf } from '../../support/denials';

const denial = denialOf({
  context: {
    'aws:MultiFactorAuthPresent': 'true',
    'aws:CurrentTime': '2026-06-17T02:04:37Z',
    'aws:SourceIp': '198.51.100.1',
  },
});

describe('recordedRequest', () => {
  it('the same instant at another precision, or a boolean in other case, is no difference', () => {
    const result = recordedRequest(
      denial,
      { 'aws:currenttime': '2026-06-17T02:04:37.998Z', 'aws:MultiFactorAuthPresent': 'TRUE' },
      passEvaluation(),
    );
    expect(result.differences).toEqual([]);
    expect(result.context).toEqual(denial.context);
  });

  it("AWS's differing values replace the reconstructed ones under the reconstruction's key names", () => {
    const result = recordedRequest(
      denial,
      { 'aws:sourceip': '203.0.113.7', 'aws:MultiFactorAuthPresent': 'false' },
      passEvaluation({ context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }),
    );
    expect(result.context).toEqual({
      'aws:MultiFactorAuthPresent': 'false',
      'aws:CurrentTime': '2026-06-17T02:04:37Z',
      'aws:SourceIp': '203.0.113.7',
    });
    expect(result.passedToService).toBe('lambda.amazonaws.com');
    expect(result.differences).toEqual([
      { key: 'aws:SourceIp', aws: '203.0.113.7', reconstructed: '198.51.100.1' },
      { key: 'aws:MultiFactorAuthPresent', aws: 'false', reconstructed: 'true' },
      { key: 'iam:PassedToService', aws: 'lambda.amazonaws.com', reconstructed: 'glue.amazonaws.com' },
    ]);
  });

  it('adds the condition keys a pass is commonly tested on, never others or lists; refuses ill-typed values', () => {
    const result = recordedRequest(
      denial,
      {
        'aws:SourceVpc': 'vpc-1',
        'aws:userid': 'AIDAEXAMPLE',
        'aws:PrincipalTag/team': ['a', 'b'],
        'aws:MultiFactorAuthAge': 'soon',
        constructor: 'x',
      },
      passEvaluation({ context: {} }),
    );
    expect(result.context).toEqual({ ...denial.context, 'aws:SourceVpc': 'vpc-1' });
    expect(result.differences).toEqual([{ key: 'aws:SourceVpc', aws: 'vpc-1', reconstructed: null }]);
    expect(result.ignored).toEqual(['aws:MultiFactorAuthAge']);
  });
});
