import { analyzeTrustPolicy } from '../../../lambda/core/analysis/trust-policy';
import { iamChangingActions, isAdminEquivalent, riskFlags } from '../../../lambda/core/proposal/risk';
import { inline, managed, role, trustFor } from '../../support/scope-builders';

const groupTarget = { type: 'group' as const, name: 'GlueAccess', arn: null, memberCount: 12 };

describe('risk flags', () => {
  it('flags an admin-equivalent role', () => {
    const admin = role('ops', {
      attachedPolicies: [managed('AdministratorAccess', { Effect: 'Allow', Action: '*', Resource: '*' })],
    });
    expect(isAdminEquivalent(admin)).toBe(true);
    expect(
      riskFlags(
        groupTarget,
        admin,
        analyzeTrustPolicy(admin.trustPolicy, 'glue.amazonaws.com'),
        'glue.amazonaws.com',
      )[0],
    ).toContain('admin-equivalent');
  });

  it('flags a role that can change IAM, naming the actions', () => {
    const escalator = role('x', {
      inlinePolicies: [inline('P', { Effect: 'Allow', Action: ['iam:Put*Policy', 's3:*'], Resource: '*' })],
    });
    expect(isAdminEquivalent(escalator)).toBe(false);
    expect(iamChangingActions(escalator)).toEqual([
      'iam:PutRolePolicy',
      'iam:PutUserPolicy',
      'iam:PutGroupPolicy',
    ]);
  });

  it('says how many group members gain it and which other services the role trusts', () => {
    const shared = role('etl', { trustPolicy: trustFor('glue.amazonaws.com', 'ec2.amazonaws.com') });
    const flags = riskFlags(
      groupTarget,
      shared,
      analyzeTrustPolicy(shared.trustPolicy, 'glue.amazonaws.com'),
      'glue.amazonaws.com',
    );
    expect(flags).toEqual([
      'All 12 members of group GlueAccess gain this permission.',
      'The role also trusts ec2.amazonaws.com: it can be used by more services than glue.amazonaws.com.',
    ]);
  });

  it('never says "also trusts" of a role that does not trust the service at all', () => {
    const userTarget = { type: 'user' as const, name: 'mei', arn: null, memberCount: 1 };
    const flagsFor = (trustPolicy: ReturnType<typeof trustFor> | null) => {
      const passed = role('etl', { trustPolicy });
      return riskFlags(
        userTarget,
        passed,
        analyzeTrustPolicy(passed.trustPolicy, 'glue.amazonaws.com'),
        'glue.amazonaws.com',
      );
    };
    expect(flagsFor(trustFor('lambda.amazonaws.com', 'ec2.amazonaws.com'))).toEqual([
      'The role does not trust glue.amazonaws.com (it trusts lambda.amazonaws.com, ec2.amazonaws.com): passing it to glue.amazonaws.com will not work until its trust policy admits glue.amazonaws.com.',
    ]);
    expect(flagsFor(null)).toEqual([
      'The role does not trust glue.amazonaws.com (it trusts no service): passing it to glue.amazonaws.com will not work until its trust policy admits glue.amazonaws.com.',
    ]);
    // The China-partition name of the same service is not another service.
    expect(flagsFor(trustFor('glue.amazonaws.com.cn'))).toEqual([]);
    expect(flagsFor(trustFor('*'))).toEqual([
      'The role also trusts *: it can be used by more services than glue.amazonaws.com.',
    ]);
  });

  it('raises nothing for a narrow role passed by one user', () => {
    const narrow = role('etl', {
      inlinePolicies: [
        inline('Data', { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
      ],
    });
    const userTarget = { type: 'user' as const, name: 'mei', arn: null, memberCount: 1 };
    expect(
      riskFlags(
        userTarget,
        narrow,
        analyzeTrustPolicy(narrow.trustPolicy, 'glue.amazonaws.com'),
        'glue.amazonaws.com',
      ),
    ).toEqual([]);
  });
});
