import { selfApproval } from '../../../lambda/core/approval/separation';

const ACCOUNT = '123456789012';
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;
const GROUP_TARGET = { type: 'group' as const, arn: `arn:aws:iam::${ACCOUNT}:group/GlueAccess` };
const MEMBERS = [`arn:aws:iam::${ACCOUNT}:user/mei.tanaka`, `arn:aws:iam::${ACCOUNT}:user/kenji.sato`];

describe('selfApproval (separation of duties)', () => {
  const userDenial = {
    principalArn: `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
    policySourceArn: `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
  };

  it('refuses the denied principal, and a member of the target group who would gain the grant', () => {
    const facts = { denial: userDenial, target: GROUP_TARGET, gainers: MEMBERS };
    expect(selfApproval(`arn:aws:iam::${ACCOUNT}:user/mei.tanaka`, facts)).toEqual({
      reason: 'denied-principal',
      principal: userDenial.principalArn,
    });
    expect(selfApproval(`arn:aws:iam::${ACCOUNT}:user/Kenji.Sato`, facts)).toEqual({
      reason: 'gains-the-grant',
      principal: MEMBERS[1],
    });
    expect(selfApproval(`arn:aws:iam::${ACCOUNT}:user/alice`, facts)).toBeNull();
  });

  it('refuses any session of the denied role, whatever session name it chose', () => {
    const denial = {
      principalArn: session('etl-developer', 'ci-run-17'),
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/dev/etl-developer`,
    };
    const facts = { denial, target: { type: 'role' as const, arn: denial.policySourceArn }, gainers: [] };
    expect(selfApproval(session('etl-developer', 'ci-run-17'), facts)?.reason).toBe('denied-principal');
    expect(selfApproval(session('etl-developer', 'approver-bob'), facts)?.reason).toBe('denied-principal');
    expect(selfApproval(session('SecurityApprover', 'bob'), facts)).toBeNull();
  });

  it('refuses another Identity Center user of the denied permission set, and the denied user in another one', () => {
    const denial = {
      principalArn: session('AWSReservedSSO_DataEng_0123abcd', 'mei@example.com'),
      policySourceArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEng_0123abcd`,
    };
    const facts = { denial, target: { type: 'role' as const, arn: denial.policySourceArn }, gainers: [] };
    expect(selfApproval(session('AWSReservedSSO_Admin_89ab', 'mei@example.com'), facts)?.reason).toBe(
      'denied-principal',
    );
    expect(selfApproval(session('AWSReservedSSO_DataEng_0123abcd', 'kenji@example.com'), facts)?.reason).toBe(
      'denied-entity',
    );
    expect(selfApproval(session('AWSReservedSSO_Admin_89ab', 'kenji@example.com'), facts)).toBeNull();
  });

  it('refuses the denied Identity Center user signing in to the hub account to approve', () => {
    const member = '210987654321';
    const denial = {
      principalArn: `arn:aws:sts::${member}:assumed-role/AWSReservedSSO_DataEng_0123abcd/mei@example.com`,
      policySourceArn: `arn:aws:iam::${member}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEng_0123abcd`,
    };
    const target = { type: 'group' as const, arn: `arn:aws:iam::${member}:group/GlueAccess` };
    const facts = { denial, target, gainers: [] };
    expect(selfApproval(session('AWSReservedSSO_SecurityApprover_89ab', 'mei@example.com'), facts)).toEqual({
      reason: 'denied-principal',
      principal: denial.principalArn,
    });
    expect(
      selfApproval(session('AWSReservedSSO_SecurityApprover_89ab', 'kenji@example.com'), facts),
    ).toBeNull();
  });

  it("refuses the target role's own sessions and the target user", () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/glue-runner`;
    const facts = { denial: userDenial, target: { type: 'role' as const, arn: role }, gainers: [] };
    expect(selfApproval(session('glue-runner', 'x'), facts)).toEqual({
      reason: 'gains-the-grant',
      principal: role,
    });
    const user = `arn:aws:iam::${ACCOUNT}:user/ops/kenji.sato`;
    const userFacts = { denial: userDenial, target: { type: 'user' as const, arn: user }, gainers: [] };
    expect(selfApproval(`arn:aws:iam::${ACCOUNT}:user/kenji.sato`, userFacts)?.reason).toBe(
      'gains-the-grant',
    );
  });

  it('does not confuse the same name in another account', () => {
    const facts = { denial: userDenial, target: GROUP_TARGET, gainers: MEMBERS };
    expect(selfApproval('arn:aws:iam::210987654321:user/kenji.sato', facts)).toBeNull();
  });
});
