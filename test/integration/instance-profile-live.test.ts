/**
 * An EC2 denial that names only the instance profile, diagnosed live against moto_server: the CLI
 * resolves the role through GetInstanceProfile, and a profile that is gone or empty is a finding.
 */
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { join } from 'node:path';
import { TargetedAccountReader } from '../../lambda/adapters/aws/targeted-account-reader';
import { runCli } from '../../lambda/handlers/cli/main';
import type { CliIo } from '../../lambda/handlers/cli/io';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';

const EVENT = join(
  __dirname,
  '../fixtures/cloudtrail/passrole/23-ec2-RunInstances-instance-profile-message-names-no-role.json',
);
const WEB_ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/web-tier-instance`;
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

async function buildAccount(clients: MotoClients): Promise<void> {
  const iam = clients.iam;
  for (const name of ['ops-automation', 'web-tier-instance']) {
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: EC2_TRUST }));
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'ops-automation',
      PolicyName: 'LaunchAppInstances',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Launch', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
          {
            Sid: 'PassAppRoles',
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/app-*`,
          },
        ],
      }),
    }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web-tier' }));
  await iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-tier', RoleName: 'web-tier-instance' }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'empty-workers' }));
}

describe('an EC2 denial naming only the instance profile, live against moto_server', () => {
  let clients: MotoClients;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await buildAccount(clients);
    process.env.AWS_ENDPOINT_URL = motoEndpoint();
  });

  afterAll(() => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    clients.destroy();
  });

  it('GetInstanceProfile answers the role, null for an empty profile, not-found for none', async () => {
    const resolver = new TargetedAccountReader(clients.iam);
    expect(await resolver.instanceProfileRole(MOTO_ACCOUNT_ID, 'web-tier')).toBe(WEB_ROLE);
    expect(
      await resolver.instanceProfileRole(
        MOTO_ACCOUNT_ID,
        `arn:aws:iam::${MOTO_ACCOUNT_ID}:instance-profile/web-tier`,
      ),
    ).toBe(WEB_ROLE);
    expect(await resolver.instanceProfileRole(MOTO_ACCOUNT_ID, 'empty-workers')).toBeNull();
    expect(await resolver.instanceProfileRole(MOTO_ACCOUNT_ID, 'retired-workers')).toBe('not-found');
  });

  it('the CLI diagnoses the role the profile holds, and reports the profile that is gone', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
    const code = await runCli(['diagnose', '--event', EVENT, '--simulator', 'local', '--json'], io);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const [found, gone] = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(found).toMatchObject({
      outcome: 'proposed',
      denial: {
        roleArn: WEB_ROLE,
        instanceProfile: `arn:aws:iam::${MOTO_ACCOUNT_ID}:instance-profile/web-tier`,
      },
      findings: [{ kind: 'instance-profile' }, { kind: 'near-miss' }],
      proposal: { target: { type: 'role', name: 'ops-automation' }, verified: true },
    });
    expect(gone).toMatchObject({
      outcome: 'unsimulated',
      denial: { roleArn: null, instanceProfile: 'retired-workers' },
      findings: [{ kind: 'not-found' }],
    });
  });
});
