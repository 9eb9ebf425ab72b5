import {
  minimalPassRoleDocument,
  policySize,
  proposalPolicyName,
  roleNameFromArn,
  serviceWord,
} from '../../../lambda/core/proposal/document';

describe('the minimal document', () => {
  it("names the policy like the seed's AllowPass<RoleName>To<Service>", () => {
    expect(proposalPolicyName('arn:aws:iam::1:role/glue-runtime-role', 'glue.amazonaws.com')).toBe(
      'AllowPassGlueRuntimeRoleToGlue',
    );
    expect(proposalPolicyName('arn:aws:iam::1:role/service-role/app_task', 'ecs-tasks.amazonaws.com')).toBe(
      'AllowPassAppTaskToEcsTasks',
    );
    expect(serviceWord('glue.amazonaws.com.cn')).toBe('Glue');
    expect(roleNameFromArn('arn:aws:iam::1:role/a/b/c')).toBe('c');
  });

  it('keeps names within 128 characters and distinct for different long roles', () => {
    const long = 'x'.repeat(64) + '-' + 'y'.repeat(63);
    const a = proposalPolicyName(`arn:aws:iam::1:role/${long}`, 'glue.amazonaws.com');
    const b = proposalPolicyName(`arn:aws:iam::1:role/${long}z`, 'glue.amazonaws.com');
    expect(a.length).toBeLessThanOrEqual(128);
    expect(b.length).toBeLessThanOrEqual(128);
    expect(a).not.toBe(b);
  });

  it('allows iam:PassRole on exactly one role for exactly one service', () => {
    const document = minimalPassRoleDocument(
      'arn:aws:iam::1:role/r',
      'glue.amazonaws.com',
      'AllowPassRToGlue',
    );
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowPassRToGlue',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: 'arn:aws:iam::1:role/r',
          Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
        },
      ],
    });
    expect(policySize(document)).toBe(JSON.stringify(document).length);
  });
});
