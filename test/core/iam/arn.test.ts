import {
  accountOf,
  nameOf,
  parseArn,
  partitionForRegion,
  roleArnFrom,
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
    expect(rolePathAndName('arn:aws:iam::123456789012:role/service-role/etl')).toBe('service-role/etl');
    expect(rolePathAndName('etl')).toBe('etl');
  });

  it('builds a role ARN from a name in the region partition', () => {
    expect(roleArnFrom('role/team/etl', partitionForRegion('cn-north-1'), '123456789012')).toBe(
      'arn:aws-cn:iam::123456789012:role/team/etl',
    );
  });
});
