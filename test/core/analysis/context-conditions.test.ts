import { contextRelief } from '../../../lambda/core/analysis/context-conditions';
import { principalStatements } from '../../../lambda/core/policy/statements';
import { inline, user } from '../../support/scope-builders';

const ROLE = 'arn:aws:iam::123456789012:role/r';

function denies(...statements: Parameters<typeof inline>[1][]) {
  return principalStatements(user('u', { inlinePolicies: [inline('P', ...statements)] }));
}

describe('context relief beneath a deny', () => {
  it('lifts an MFA deny by setting MFA present', () => {
    const relief = contextRelief(
      denies({
        Effect: 'Deny',
        NotAction: ['iam:ListMFADevices'],
        Resource: '*',
        Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      }),
      'iam:PassRole',
      ROLE,
      { 'aws:MultiFactorAuthPresent': 'false' },
    );
    expect(relief).toEqual({
      overrides: { 'aws:MultiFactorAuthPresent': 'true' },
      descriptions: ['MFA present'],
    });
  });

  it('lifts a source-IP deny with an address inside the allowed range', () => {
    const relief = contextRelief(
      denies({
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7'] } },
      }),
      'iam:PassRole',
      ROLE,
      { 'aws:SourceIp': '192.0.2.1' },
    );
    expect(relief?.overrides).toEqual({ 'aws:SourceIp': '203.0.113.0' });
    expect(relief?.descriptions).toEqual(['source IP in 203.0.113.0/24']);
  });

  it('offers nothing for an unconditional deny, even beside a relievable one', () => {
    expect(
      contextRelief(
        denies({ Effect: 'Deny', Action: 'iam:PassRole', Resource: ROLE }),
        'iam:PassRole',
        ROLE,
        {},
      ),
    ).toBeNull();
    expect(
      contextRelief(
        denies(
          { Effect: 'Deny', Action: 'iam:PassRole', Resource: ROLE },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ),
        'iam:PassRole',
        ROLE,
        {},
      ),
    ).toBeNull();
  });

  it('ignores denies that do not cover the action or the role', () => {
    expect(
      contextRelief(
        denies(
          { Effect: 'Deny', Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/admin-*' },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ),
        'iam:PassRole',
        ROLE,
        {},
      )?.overrides,
    ).toEqual({ 'aws:MultiFactorAuthPresent': 'true' });
  });
});
