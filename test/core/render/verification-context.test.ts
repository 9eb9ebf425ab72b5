import {
  allowedAsVerified,
  allowedUnder,
  andAssumed,
  assumedConditions,
} from '../../../lambda/core/render/verification-context';

describe('what a verification assumed', () => {
  it('names each relieved condition the denied request did not have, and nothing else', () => {
    const made = { 'aws:MultiFactorAuthPresent': 'false', 'aws:RequestedRegion': 'eu-west-1' };
    const verified = {
      ...made,
      'aws:MultiFactorAuthPresent': 'true',
      'aws:SourceIp': '203.0.113.0',
      // The engine adds the service to every simulation: the request's own, not an assumption.
      'iam:PassedToService': 'glue.amazonaws.com',
    };
    expect(assumedConditions(made, verified)).toEqual(['MFA present', 'from source IP 203.0.113.0']);
    expect(assumedConditions(made, made)).toEqual([]);
    expect(
      assumedConditions({}, { 'aws:SecureTransport': 'true', 'aws:RequestedRegion': 'us-east-1' }),
    ).toEqual(['over HTTPS', 'in region us-east-1']);
  });

  it('says "allowed" alone only when the simulation ran on the request as made', () => {
    expect(allowedUnder([])).toBe('allowed');
    expect(allowedUnder(['MFA present'])).toBe(
      'allowed with MFA present (assumed by the simulation: the denied request did not have it)',
    );
    expect(allowedUnder(['MFA present', 'over HTTPS', 'in region us-east-1'])).toBe(
      'allowed with MFA present, over HTTPS and in region us-east-1 (assumed by the simulation: the denied request did not have them)',
    );
    expect(andAssumed([])).toBe('');
    expect(andAssumed(['MFA present'])).toBe(
      ', and with MFA present (assumed by the simulation: the denied request did not have it)',
    );
  });

  it('reads both contexts from a record, and a record without a proposal assumed nothing', () => {
    const denial = { context: { 'aws:MultiFactorAuthPresent': 'false' } };
    const proposal = { verificationContext: { 'aws:MultiFactorAuthPresent': 'true' } };
    expect(allowedAsVerified({ denial, proposal })).toMatch(/^allowed with MFA present \(/);
    expect(allowedAsVerified({ denial, proposal: null })).toBe('allowed');
  });
});
