import {
  accountOf,
  iamArn,
  nameOf,
  parseArn,
  parseIamArn,
  partitionForRegion,
  roleArnFrom,
  roleNameOf,
  rolePathAndName,
} from '../../../lambda/core/iam/arn';

describe('the ARN vocabulary', () => {
  it('parses the five fields and keeps the resource whole', () => {
    expect(parseArn('arn:aws:iam::123456789012:role/service-role/etl')).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      account: '123456789012',
      resource: 'role/service-role/etl',
    });
    expect(parseArn('not-an-arn')).toBeNull();
  });

  it('gives an account only for a twelve-digit one', () => {
    expect(accountOf('arn:aws:iam::123456789012:user/mei')).toBe('123456789012');
    expect(accountOf('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBeNull();
    expect(accountOf('arn:aws:s3:::bucket')).toBeNull();
  });

  it('names an entity by its last segment, and a role pattern by path and name', () => {
    expect(nameOf('arn:aws:iam::123456789012:role/service-role/etl')).toBe('etl');
    expect(nameOf('arn:aws:sts::123456789012:assumed-role/dev/mei')).toBe('mei');
    expect(nameOf('plain')).toBe('plain');
    expect(roleNameOf('arn:aws:iam::1:role/a/b/c')).toBe('c');
    expect(rolePathAndName('arn:aws:iam::123456789012:role/service-role/etl')).toBe('service-role/etl');
    expect(rolePathAndName('etl')).toBe('etl');
  });

  it('builds a role ARN from a name in the region partition', () => {
    expect(roleArnFrom('role/team/etl', partitionForRegion('cn-north-1'), '123456789012')).toBe(
      'arn:aws-cn:iam::123456789012:role/team/etl',
    );
  });
});

describe('IAM entity ARNs', () => {
  it('reads kind, path and name of users, groups and roles', () => {
    expect(parseIamArn('arn:aws:iam::123456789012:role/service-role/team/etl')).toEqual({
      partition: 'aws',
      accountId: '123456789012',
      kind: 'role',
      path: '/service-role/team/',
      name: 'etl',
    });
    expect(parseIamArn('arn:aws-cn:iam::123456789012:user/mei')).toMatchObject({
      partition: 'aws-cn',
      kind: 'user',
      path: '/',
      name: 'mei',
    });
    expect(parseIamArn('arn:aws:iam::123456789012:group/Developers')?.kind).toBe('group');
    expect(parseIamArn('arn:aws:iam::123456789012:policy/x')?.kind).toBe('other');
  });

  it("reads an assumed-role session as its role, whose path the session's ARN does not carry", () => {
    expect(parseIamArn('arn:aws:sts::123456789012:assumed-role/dev/mei')).toEqual({
      partition: 'aws',
      accountId: '123456789012',
      kind: 'assumed-role',
      path: '/',
      name: 'dev',
    });
    expect(parseIamArn('arn:aws:sts::123456789012:federated-user/bob')?.kind).toBe('other');
  });

  it('is null for what is not an IAM or STS ARN of an account', () => {
    expect(parseIamArn('arn:aws:s3:::bucket')).toBeNull();
    expect(parseIamArn('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBeNull();
    expect(parseIamArn('etl')).toBeNull();
  });

  it('builds an IAM ARN without a region', () => {
    expect(iamArn('aws-us-gov', '123456789012', 'policy/*')).toBe(
      'arn:aws-us-gov:iam::123456789012:policy/*',
    );
    expect(roleArnFrom('/etl', 'aws', '123456789012')).toBe('arn:aws:iam::123456789012:role/etl');
  });
});
