/** Triage decides from the denial alone, before any account data or simulation. */
import { triage } from '../../../lambda/core/diagnosis/triage';
import { ACCOUNT } from '../../support/scope-builders';
import { denialOf } from '../../support/denials';

describe('triage', () => {
  it('a denial that names no role: not applicable, role-not-named', () => {
    expect(triage(denialOf({ roleArn: null }))).toMatchObject({
      kind: 'decided',
      diagnosis: { outcome: 'not-applicable', why: { code: 'role-not-named' } },
    });
  });

  it('an unknown caller: not applicable, principal-unknown, with the caller', () => {
    const denial = denialOf({ principalType: 'unknown', principalArn: 'arn:aws:sts::1:federated-user/x' });
    expect(triage(denial)).toMatchObject({
      diagnosis: {
        outcome: 'not-applicable',
        why: { code: 'principal-unknown', principalArn: 'arn:aws:sts::1:federated-user/x' },
      },
    });
    expect(triage(denialOf({ policySourceArn: null }))).toMatchObject({
      diagnosis: { why: { code: 'principal-unknown' } },
    });
  });

  it('root is checked before the caller: root has no IAM entity', () => {
    expect(triage(denialOf({ principalType: 'root', policySourceArn: null }))).toMatchObject({
      diagnosis: { outcome: 'unsimulated', why: { kind: 'root' }, findings: [{ kind: 'root' }] },
    });
  });

  it("another account's role: unsimulated, the cause left as the message states it", () => {
    const roleArn = 'arn:aws:iam::999988887777:role/shared';
    const denial = denialOf({ roleArn, messageCause: { policyType: null, explicit: null, policyArn: null } });
    expect(triage(denial)).toEqual({
      kind: 'decided',
      diagnosis: {
        outcome: 'unsimulated',
        denial,
        why: { kind: 'cross-account', roleAccount: '999988887777' },
        findings: [{ kind: 'cross-account', roleArn, roleAccount: '999988887777', account: ACCOUNT }],
      },
    });
  });

  it("'Cross-account pass role is not allowed' decides before anything else, with or without the role", () => {
    const crossAccount = { policyType: null, explicit: null, policyArn: null, crossAccount: true };
    const unnamed = denialOf({ roleArn: null, policySourceArn: null, messageCause: crossAccount });
    expect(triage(unnamed)).toEqual({
      kind: 'decided',
      diagnosis: {
        outcome: 'unsimulated',
        denial: unnamed,
        why: { kind: 'cross-account', roleAccount: null },
        findings: [{ kind: 'cross-account', roleArn: null, roleAccount: null, account: ACCOUNT }],
      },
    });
    const roleArn = 'arn:aws:iam::999988887777:role/shared';
    expect(triage(denialOf({ roleArn, principalType: 'unknown', messageCause: crossAccount }))).toMatchObject(
      {
        diagnosis: { why: { kind: 'cross-account', roleAccount: '999988887777' } },
      },
    );
  });

  it("another account's role is cross-account whoever the caller: root, unknown, a session policy", () => {
    const roleArn = 'arn:aws:iam::999988887777:role/shared';
    for (const parts of [
      { principalType: 'root' as const, policySourceArn: null },
      { principalType: 'unknown' as const, policySourceArn: null },
      { messageCause: { policyType: 'session' as const, explicit: true, policyArn: null } },
    ]) {
      expect(triage(denialOf({ roleArn, ...parts }))).toMatchObject({
        diagnosis: { outcome: 'unsimulated', why: { kind: 'cross-account', roleAccount: '999988887777' } },
      });
    }
  });

  it('a session policy named by the message: unsimulated, the entity behind the session named', () => {
    const denial = denialOf({
      principalType: 'role',
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-42`,
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer`,
      messageCause: { policyType: 'session', explicit: true, policyArn: null },
    });
    expect(triage(denial)).toMatchObject({
      diagnosis: {
        outcome: 'unsimulated',
        why: { kind: 'session-policy' },
        findings: [{ kind: 'session-policy', explicit: true, principalType: 'role', entity: 'deployer' }],
      },
    });
  });

  it('a service-linked role: unsimulated, the role named', () => {
    const policySourceArn = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    expect(triage(denialOf({ principalType: 'service-linked-role', policySourceArn }))).toMatchObject({
      diagnosis: {
        outcome: 'unsimulated',
        findings: [{ kind: 'service-linked-role', role: 'AWSServiceRoleForAutoScaling' }],
      },
    });
  });

  it('anything else is simulated, for the role and the entity the denial names', () => {
    const denial = denialOf();
    expect(triage(denial)).toEqual({
      kind: 'simulate',
      denial,
      roleArn: denial.roleArn,
      policySourceArn: denial.policySourceArn,
    });
  });
});
