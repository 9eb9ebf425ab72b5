import { trustPolicyNamesRole } from '../../../lambda/core/analysis/trusts-role';
import type { PolicyStatement } from '../../../lambda/core/model';

const ACCOUNT = '123456789012';
const R = `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const trusts = (...statements: PolicyStatement[]) =>
  trustPolicyNamesRole({ Version: '2012-10-17', Statement: statements }, R, ACCOUNT);
const allow = (parts: Partial<PolicyStatement>): PolicyStatement => ({
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  ...parts,
});

describe('trustPolicyNamesRole', () => {
  it('R by ARN as an AWS principal, alone or in a list, with any action pattern covering sts:AssumeRole', () => {
    expect(trusts(allow({ Principal: { AWS: R } }))).toBe(true);
    expect(
      trusts(allow({ Principal: { AWS: ['arn:aws:iam::123456789012:user/x', R] }, Action: 'sts:*' })),
    ).toBe(true);
    expect(trusts(allow({ Principal: { AWS: R }, Action: ['sts:TagSession', 'STS:ASSUMEROLE'] }))).toBe(true);
    expect(trusts(allow({ Principal: { AWS: R }, Action: undefined, NotAction: 'sts:TagSession' }))).toBe(
      true,
    );
  });

  it('the account root, the bare account id or * with aws:PrincipalArn naming R', () => {
    const naming = { StringEquals: { 'aws:PrincipalArn': R } };
    expect(trusts(allow({ Principal: { AWS: ROOT }, Condition: naming }))).toBe(true);
    expect(trusts(allow({ Principal: { AWS: ACCOUNT }, Condition: naming }))).toBe(true);
    expect(trusts(allow({ Principal: '*', Condition: naming }))).toBe(true);
    expect(
      trusts(
        allow({
          Principal: { AWS: ROOT },
          Condition: { ArnLike: { 'aws:principalarn': [`arn:aws:iam::${ACCOUNT}:role/etl-*`] } },
        }),
      ),
    ).toBe(true);
    expect(
      trusts(
        allow({
          Principal: { AWS: ROOT },
          Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:PrincipalArn': '*' } },
        }),
      ),
    ).toBe(true);
  });

  it('not: the root without a condition naming R, another role, a Deny, another action, a service', () => {
    expect(trusts(allow({ Principal: { AWS: ROOT } }))).toBe(false);
    expect(
      trusts(
        allow({ Principal: { AWS: ROOT }, Condition: { StringEquals: { 'aws:PrincipalArn': `${R}-2` } } }),
      ),
    ).toBe(false);
    // An exact operator takes a pattern literally.
    expect(
      trusts(
        allow({
          Principal: { AWS: ROOT },
          Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*' } },
        }),
      ),
    ).toBe(false);
    expect(
      trusts(
        allow({ Principal: { AWS: ROOT }, Condition: { StringNotEquals: { 'aws:PrincipalArn': 'x' } } }),
      ),
    ).toBe(false);
    expect(trusts({ Effect: 'Deny', Principal: { AWS: R }, Action: 'sts:AssumeRole' })).toBe(false);
    expect(trusts(allow({ Principal: { AWS: R }, Action: 'sts:AssumeRoleWithWebIdentity' }))).toBe(false);
    expect(trusts(allow({ Principal: { AWS: R }, Action: undefined, NotAction: 'sts:*' }))).toBe(false);
    expect(trusts(allow({ Principal: { Service: 'glue.amazonaws.com' } }))).toBe(false);
    expect(
      trusts(
        allow({
          Principal: { AWS: 'arn:aws:iam::999988887777:root' },
          Condition: { StringEquals: { 'aws:PrincipalArn': R } },
        }),
      ),
    ).toBe(false);
    expect(trustPolicyNamesRole(null, R, ACCOUNT)).toBe(false);
  });
});
