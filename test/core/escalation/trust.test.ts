import { trustAdmits } from '../../../lambda/core/escalation/trust';
import type { PrincipalFacts } from '../../../lambda/core/escalation/conditions';
import { ACCOUNT, doc, role } from './support';

const trustingRoot = (root: string) =>
  role('break-glass', {
    trustPolicy: doc({ Effect: 'Allow', Principal: { AWS: root }, Action: 'sts:AssumeRole' }),
  });

const factsIn = (partition: string): PrincipalFacts => ({
  arn: `arn:${partition}:iam::${ACCOUNT}:role/passed`,
  accountId: ACCOUNT,
  kind: 'role',
  username: null,
});

describe('trustAdmits: an account root in R own partition', () => {
  it('admits R through its account root in aws-cn and aws-us-gov, as in aws', () => {
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
      expect(trustAdmits(trustingRoot(`arn:${partition}:iam::${ACCOUNT}:root`), factsIn(partition))).toBe(
        'account',
      );
    }
  });

  it('does not read the root of another partition as R account', () => {
    expect(trustAdmits(trustingRoot(`arn:aws:iam::${ACCOUNT}:root`), factsIn('aws-cn'))).toBeNull();
  });
});
