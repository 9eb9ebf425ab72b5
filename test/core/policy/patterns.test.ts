import { matchesActionPattern, matchesArnPattern } from '../../../lambda/core/policy/patterns';

describe('IAM wildcard patterns', () => {
  it('matches actions case-insensitively with * and ?', () => {
    expect(matchesActionPattern('iam:Pass*', 'iam:PassRole')).toBe(true);
    expect(matchesActionPattern('IAM:passrole', 'iam:PassRole')).toBe(true);
    expect(matchesActionPattern('iam:?assRole', 'iam:PassRole')).toBe(true);
    expect(matchesActionPattern('iam:Get*', 'iam:PassRole')).toBe(false);
    expect(matchesActionPattern('*', 'glue:UpdateJob')).toBe(true);
  });

  it('matches ARNs case-sensitively, * spanning path slashes', () => {
    expect(
      matchesArnPattern('arn:aws:iam::*:role/AWSGlueServiceRole*', 'arn:aws:iam::1:role/AWSGlueServiceRoleX'),
    ).toBe(true);
    expect(
      matchesArnPattern('arn:aws:iam::*:role/AWSGlueServiceRole*', 'arn:aws:iam::1:role/awsglueservicerolex'),
    ).toBe(false);
    expect(matchesArnPattern('arn:aws:iam::*:role/*', 'arn:aws:iam::1:role/service-role/x')).toBe(true);
    expect(matchesArnPattern('arn:aws:iam::1:role/x', 'arn:aws:iam::1:role/x2')).toBe(false);
  });

  it('treats regex metacharacters in patterns literally', () => {
    expect(matchesArnPattern('arn:aws:iam::1:role/a.b', 'arn:aws:iam::1:role/aXb')).toBe(false);
    expect(matchesArnPattern('arn:aws:iam::1:role/a+b', 'arn:aws:iam::1:role/a+b')).toBe(true);
  });
});
