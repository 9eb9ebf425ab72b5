import { checkStringKey, requiredStringValues } from '../../../lambda/core/policy/conditions';

describe('string conditions on a known key', () => {
  it('holds without a condition or when the key is not tested', () => {
    expect(checkStringKey(undefined, 'iam:PassedToService', 'glue.amazonaws.com')).toBe('holds');
    expect(
      checkStringKey(
        { Bool: { 'aws:SecureTransport': 'true' } },
        'iam:PassedToService',
        'glue.amazonaws.com',
      ),
    ).toBe('holds');
  });

  it('judges StringEquals, StringLike and their negations', () => {
    const equals = { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } };
    expect(checkStringKey(equals, 'iam:PassedToService', 'glue.amazonaws.com')).toBe('holds');
    expect(checkStringKey(equals, 'iam:PassedToService', 'ec2.amazonaws.com')).toBe('fails');
    const like = { StringLike: { 'iam:PassedToService': ['ec2.amazonaws.com*'] } };
    expect(checkStringKey(like, 'iam:PassedToService', 'ec2.amazonaws.com.cn')).toBe('holds');
    expect(checkStringKey(like, 'iam:PassedToService', 'glue.amazonaws.com')).toBe('fails');
    const not = { StringNotEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } };
    expect(checkStringKey(not, 'iam:PassedToService', 'lambda.amazonaws.com')).toBe('fails');
    expect(checkStringKey(not, 'iam:PassedToService', 'glue.amazonaws.com')).toBe('holds');
  });

  it('compares condition keys case-insensitively, like IAM', () => {
    expect(checkStringKey({ StringEquals: { 'IAM:PassedToService': 'x' } }, 'iam:PassedToService', 'y')).toBe(
      'fails',
    );
  });

  it('says unknown for non-string operators on the key', () => {
    expect(checkStringKey({ ArnLike: { 'iam:PassedToService': 'x' } }, 'iam:PassedToService', 'y')).toBe(
      'unknown',
    );
  });

  it('lists the values a positive string condition requires', () => {
    expect(
      requiredStringValues(
        {
          StringLike: { 'iam:PassedToService': ['a', 'b'] },
          StringNotEquals: { 'iam:PassedToService': 'c' },
        },
        'iam:PassedToService',
      ),
    ).toEqual(['a', 'b']);
  });
});
