import { analyzeTrustPolicy } from '../../../lambda/core/analysis/trust-policy';
import { doc, trustFor } from '../../support/scope-builders';

describe('trust policy analysis', () => {
  it('admits the service named as a principal for sts:AssumeRole', () => {
    expect(analyzeTrustPolicy(trustFor('glue.amazonaws.com'), 'glue.amazonaws.com')).toEqual({
      trustedServices: ['glue.amazonaws.com'],
      trustsService: true,
      deniesService: false,
    });
  });

  it('reports a service that is not trusted, and every service that is', () => {
    const analysis = analyzeTrustPolicy(
      trustFor('lambda.amazonaws.com', 'states.amazonaws.com'),
      'glue.amazonaws.com',
    );
    expect(analysis.trustsService).toBe(false);
    expect(analysis.trustedServices).toEqual(['lambda.amazonaws.com', 'states.amazonaws.com']);
  });

  it('ignores statements for other actions and honours explicit denies', () => {
    const trust = doc(
      { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:TagSession' },
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' },
    );
    expect(analyzeTrustPolicy(trust, 'glue.amazonaws.com').trustsService).toBe(false);
    expect(analyzeTrustPolicy(trust, 'ec2.amazonaws.com')).toMatchObject({
      trustsService: false,
      deniesService: true,
    });
  });

  it('reads NotAction as IAM does: a Deny of all but sts:TagSession denies sts:AssumeRole', () => {
    const trust = doc(
      { Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: { Service: 'glue.amazonaws.com' }, NotAction: 'sts:TagSession' },
    );
    expect(analyzeTrustPolicy(trust, 'glue.amazonaws.com')).toMatchObject({
      trustsService: false,
      deniesService: true,
    });
    const allowAllBut = doc({
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      NotAction: 'sts:TagSession',
    });
    expect(analyzeTrustPolicy(allowAllBut, 'lambda.amazonaws.com').trustsService).toBe(true);
  });

  it('has no answer when the service is unknown, and no services without a trust policy', () => {
    expect(analyzeTrustPolicy(trustFor('glue.amazonaws.com'), null).trustsService).toBeNull();
    expect(analyzeTrustPolicy(null, 'glue.amazonaws.com')).toMatchObject({
      trustedServices: [],
      trustsService: false,
    });
  });
});
