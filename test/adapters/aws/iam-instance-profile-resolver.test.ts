import { GetInstanceProfileCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { IamInstanceProfileResolver } from '../../../lambda/adapters/aws/iam-instance-profile-resolver';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import { roleNameOf } from '../../../lambda/core/iam/arn';

const ACCOUNT = '123456789012';
const PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/workers/etl-workers`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/etl-runtime`;
const CREATED = new Date('2026-06-01T00:00:00Z');

function profile(roles: string[], arn = PROFILE_ARN) {
  return {
    InstanceProfile: {
      Path: '/workers/',
      InstanceProfileName: 'etl-workers',
      InstanceProfileId: 'AIPAEXAMPLEETLWORKERS',
      Arn: arn,
      CreateDate: CREATED,
      Roles: roles.map((roleArn) => ({
        Path: '/',
        RoleName: roleNameOf(roleArn),
        RoleId: 'AROAEXAMPLEETLRUNTIME',
        Arn: roleArn,
        CreateDate: CREATED,
      })),
    },
  };
}

describe('IamInstanceProfileResolver', () => {
  const iam = mockClient(IAMClient);
  const resolver = new IamInstanceProfileResolver(new IAMClient({ region: 'us-east-1' }));
  beforeEach(() => iam.reset());

  it('asks GetInstanceProfile by name, given the name or the ARN, and answers the role it holds', async () => {
    iam.on(GetInstanceProfileCommand).resolves(profile([ROLE_ARN]));
    expect(await resolver.instanceProfileRole(ACCOUNT, 'etl-workers')).toBe(ROLE_ARN);
    expect(await resolver.instanceProfileRole(ACCOUNT, PROFILE_ARN)).toBe(ROLE_ARN);
    expect(iam).toHaveReceivedCommandTimes(GetInstanceProfileCommand, 2);
    expect(iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: 'etl-workers' });
  });

  it('answers null for a profile that holds no role', async () => {
    iam.on(GetInstanceProfileCommand).resolves(profile([]));
    expect(await resolver.instanceProfileRole(ACCOUNT, 'etl-workers')).toBeNull();
  });

  it('answers not-found for NoSuchEntity, another path, another account, or no profile name at all', async () => {
    iam
      .on(GetInstanceProfileCommand)
      .rejects(new NoSuchEntityException({ message: 'not found', $metadata: { httpStatusCode: 404 } }));
    expect(await resolver.instanceProfileRole(ACCOUNT, 'etl-workers')).toBe('not-found');
    iam.on(GetInstanceProfileCommand).resolves(profile([ROLE_ARN]));
    expect(
      await resolver.instanceProfileRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:instance-profile/etl-workers`),
    ).toBe('not-found');
    expect(await resolver.instanceProfileRole('210987654321', 'etl-workers')).toBe('not-found');
    expect(
      await resolver.instanceProfileRole(ACCOUNT, 'arn:aws:iam::210987654321:instance-profile/etl-workers'),
    ).toBe('not-found');
    expect(await resolver.instanceProfileRole(ACCOUNT, 'not a profile')).toBe('not-found');
  });

  it('fails with a retryable error on throttling, and for good on access denied', async () => {
    iam.on(GetInstanceProfileCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(resolver.instanceProfileRole(ACCOUNT, 'etl-workers')).rejects.toBeInstanceOf(
      TransientAwsError,
    );
    iam.on(GetInstanceProfileCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(resolver.instanceProfileRole(ACCOUNT, 'etl-workers')).rejects.toBeInstanceOf(AwsCallError);
  });
});
