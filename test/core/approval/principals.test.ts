import {
  approverIdentity,
  arnPatternMatches,
  matchApprover,
  patternNeedsRolePath,
  sameIdentity,
} from '../../../lambda/core/approval/principals';

const ACCOUNT = '123456789012';
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;

describe('approverIdentity: the human behind an approval', () => {
  it('is the user for an IAM user, the role for any session of it, whatever its session name', () => {
    expect(approverIdentity(`arn:aws:iam::${ACCOUNT}:user/dev/alice`)).toBe(
      `arn:aws:iam::${ACCOUNT}:user/alice`,
    );
    expect(approverIdentity(session('Approver', 'alice'))).toBe(approverIdentity(session('Approver', 'bob')));
    expect(approverIdentity(session('Approver', 'alice'))).toBe(`arn:aws:iam::${ACCOUNT}:role/Approver`);
  });

  it('is the Identity Center user for an AWSReservedSSO_ session, across permission sets', () => {
    const admin = approverIdentity(session('AWSReservedSSO_Admin_0123abcd', 'mei@example.com'));
    const ops = approverIdentity(session('AWSReservedSSO_Ops_4567ef01', 'MEI@example.com'));
    const other = approverIdentity(session('AWSReservedSSO_Admin_0123abcd', 'kenji@example.com'));
    expect(admin).toBe('identity-center-user:mei@example.com');
    expect(sameIdentity(admin, ops)).toBe(true);
    expect(sameIdentity(admin, other)).toBe(false);
  });

  it('takes the same Identity Center user signed in to two accounts as one person', () => {
    const hub = approverIdentity(
      `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123abcd/mei@example.com`,
    );
    const member = approverIdentity(
      'arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_Ops_4567ef01/mei@example.com',
    );
    expect(sameIdentity(hub, member)).toBe(true);
    // As stored before the organization mode (account-scoped): still the same person.
    expect(sameIdentity(`identity-center-user:210987654321:MEI@example.com`, hub)).toBe(true);
    expect(sameIdentity(`identity-center-user:210987654321:kenji@example.com`, hub)).toBe(false);
    // Two roles of the same name in two accounts stay two approvers: IAM names are per account.
    const roleHub = approverIdentity(`arn:aws:sts::${ACCOUNT}:assumed-role/Ops/mei`);
    const roleMember = approverIdentity('arn:aws:sts::210987654321:assumed-role/Ops/mei');
    expect(sameIdentity(roleHub, roleMember)).toBe(false);
  });
});

describe('arnPatternMatches', () => {
  it('takes * as any run and ? as one character, everything else literally', () => {
    expect(arnPatternMatches('arn:aws:iam::*:user/a?ice', `arn:aws:iam::${ACCOUNT}:user/alice`)).toBe(true);
    expect(arnPatternMatches('arn:aws:iam::*:user/a?ice', `arn:aws:iam::${ACCOUNT}:user/allice`)).toBe(false);
    expect(arnPatternMatches('arn:aws:iam::1.3456789012:user/x', `arn:aws:iam::123456789012:user/x`)).toBe(
      false,
    );
    expect(arnPatternMatches('arn:aws:iam::(1)*', 'arn:aws:iam::1x')).toBe(false);
  });
});

describe('matchApprover', () => {
  const approvers = [
    `arn:aws:iam::${ACCOUNT}:user/alice`,
    `arn:aws:iam::${ACCOUNT}:role/SecurityApprover`,
    `arn:aws:sts::${ACCOUNT}:assumed-role/Auditor/*`,
  ];

  it('matches a user by its ARN, a session by its sts ARN or by the role it stands for', () => {
    expect(matchApprover(approvers, `arn:aws:iam::${ACCOUNT}:user/alice`, null).matched).toBe(true);
    expect(matchApprover(approvers, session('SecurityApprover', 'anyone'), null).matched).toBe(true);
    expect(matchApprover(approvers, session('Auditor', 'kenji'), null).matched).toBe(true);
    expect(matchApprover(approvers, session('Developer', 'alice'), null)).toEqual({
      matched: false,
      unresolvedPath: false,
    });
    expect(matchApprover(approvers, `arn:aws:iam::${ACCOUNT}:user/bob`, null).matched).toBe(false);
  });

  it('needs the role path for a pattern that names one, and refuses when it is unknown', () => {
    const withPath = [`arn:aws:iam::${ACCOUNT}:role/security/*`];
    expect(patternNeedsRolePath(withPath[0] ?? '')).toBe(true);
    expect(patternNeedsRolePath(`arn:aws:iam::${ACCOUNT}:role/Security*`)).toBe(false);
    expect(matchApprover(withPath, session('Approver', 'x'), null)).toEqual({
      matched: false,
      unresolvedPath: true,
    });
    expect(matchApprover(withPath, session('Approver', 'x'), '/security/').matched).toBe(true);
    expect(matchApprover(withPath, session('Approver', 'x'), '/').matched).toBe(false);
  });

  it('matches nothing with no approvers configured', () => {
    expect(matchApprover([], `arn:aws:iam::${ACCOUNT}:user/alice`, null).matched).toBe(false);
  });
});
