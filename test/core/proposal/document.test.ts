import {
  minimalPassRoleDocument,
  policySize,
  proposalPolicyName,
  proposalPolicyNameOn,
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

describe('a policy name already taken on the target', () => {
  const GLUE = 'glue.amazonaws.com';
  const dashed = 'arn:aws:iam::1:role/etl-nightly-runtime';
  const others = ['arn:aws:iam::1:role/etl_nightly_runtime', 'arn:aws:iam::1:role/etl.nightly.runtime'];
  const plain = 'AllowPassEtlNightlyRuntimeToGlue';
  const policyFor = (roleArn: string) => ({
    name: plain,
    document: minimalPassRoleDocument(roleArn, GLUE, plain),
  });

  it('etl-nightly-runtime, etl_nightly_runtime and etl.nightly.runtime share the plain name', () => {
    for (const roleArn of [dashed, ...others]) expect(proposalPolicyName(roleArn, GLUE)).toBe(plain);
  });

  it('keeps the plain name when it is free or holds exactly this grant', () => {
    expect(proposalPolicyNameOn(dashed, GLUE, [])).toBe(plain);
    expect(
      proposalPolicyNameOn(dashed, GLUE, [{ name: 'Other', document: policyFor(others[0] ?? '').document }]),
    ).toBe(plain);
    expect(proposalPolicyNameOn(dashed, GLUE, [policyFor(dashed)])).toBe(plain);
  });

  it('adds a short stable hash of (role ARN, service) when another document holds it', () => {
    const names = others.map((roleArn) => proposalPolicyNameOn(roleArn, GLUE, [policyFor(dashed)]));
    for (const name of names) expect(name).toMatch(/^AllowPassEtlNightlyRuntimeToGlue-[0-9a-z]{1,7}$/);
    expect(new Set(names).size).toBe(2);
    expect(proposalPolicyNameOn(others[0] ?? '', GLUE, [policyFor(dashed)])).toBe(names[0]);
    // Another service for the same role is another name.
    expect(
      proposalPolicyNameOn(others[0] ?? '', 'lambda.amazonaws.com', [
        { ...policyFor(dashed), name: 'AllowPassEtlNightlyRuntimeToLambda' },
      ]),
    ).not.toBe('AllowPassEtlNightlyRuntimeToLambda');
  });

  it('a name already at 128 characters gets another hash, still within 128', () => {
    const long = `arn:aws:iam::1:role/${'x'.repeat(64)}-${'y'.repeat(63)}`;
    const longPlain = proposalPolicyName(long, GLUE);
    const name = proposalPolicyNameOn(long, GLUE, [{ name: longPlain, document: { Statement: [] } }]);
    expect(name).not.toBe(longPlain);
    expect(name.length).toBeLessThanOrEqual(128);
  });
});
