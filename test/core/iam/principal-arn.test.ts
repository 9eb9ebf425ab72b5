import { parsePrincipalArn, sessionRoleArn } from '../../../lambda/core/iam/principal-arn';

const ACCOUNT = '123456789012';
const session = (role: string, name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${name}`;

describe('parsePrincipalArn', () => {
  it('tells users, roles (with their path) and sessions apart', () => {
    expect(parsePrincipalArn(`arn:aws:iam::${ACCOUNT}:user/dev/alice`)).toMatchObject({
      kind: 'user',
      account: ACCOUNT,
      name: 'alice',
    });
    expect(parsePrincipalArn(`arn:aws:iam::${ACCOUNT}:role/team/ops/Approver`)).toMatchObject({
      kind: 'role',
      name: 'Approver',
      path: '/team/ops/',
    });
    expect(parsePrincipalArn(session('AWSReservedSSO_Admin_0123abcd', 'mei@example.com'))).toMatchObject({
      kind: 'session',
      roleName: 'AWSReservedSSO_Admin_0123abcd',
      sessionName: 'mei@example.com',
      identityCenter: true,
    });
    expect(parsePrincipalArn(`arn:aws:iam::${ACCOUNT}:root`)).toMatchObject({ kind: 'other' });
  });
});

describe('sessionRoleArn', () => {
  it("names a session's role without a path, in the session's partition", () => {
    const principal = parsePrincipalArn(`arn:aws-cn:sts::${ACCOUNT}:assumed-role/Deployer/ci`);
    if (principal.kind !== 'session') throw new Error('expected a session');
    expect(sessionRoleArn(principal)).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/Deployer`);
  });
});
