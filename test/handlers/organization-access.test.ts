import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { hubAccountAccess } from '../../lambda/handlers/organization-access';

const stsMock = mockClient(STSClient);

beforeEach(() => {
  stsMock.reset();
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIA1',
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
});

describe('hubAccountAccess', () => {
  test("names the hub function as the session and builds the role ARN in the hub region's partition", async () => {
    const captured: unknown[] = [];
    const access = hubAccountAccess({
      sts: new STSClient({ region: 'cn-north-1' }),
      hubFunction: 'apply',
      externalId: 'external-id',
      region: 'cn-north-1',
      capture: (client) => {
        captured.push(client);
        return client;
      },
    });
    await access.write('111122223333', 'alice@example.com');
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws-cn:iam::111122223333:role/PassRoleDoctorMember-Apply',
      RoleSessionName: 'PassRoleDoctorHub-Apply',
      ExternalId: 'external-id',
      SourceIdentity: 'alice@example.com',
    });
    expect(captured.length).toBeGreaterThanOrEqual(2);
  });
});
