import { OrganizationsReader } from '../../../lambda/adapters/aws/organizations-reader';
import { OrganizationsApi } from '../../../lambda/adapters/aws/organizations/organizations-api';
import { AwsCallError, TransientAwsError } from '../../../lambda/core/errors';
import {
  error,
  FakeOrganizations,
  type FakeOrganizationState,
} from '../../support/organizations/fake-organizations';

const ROOT = 'r-ab12';
const WORKLOADS = 'ou-ab12-aaaaaaaa';
const DATA = 'ou-ab12-bbbbbbbb';
const MEMBER = '111122223333';
const MANAGEMENT = '999988887777';
const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const DENY_PASSROLE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }],
});

function state(overrides: Partial<FakeOrganizationState> = {}): FakeOrganizationState {
  return {
    rootId: ROOT,
    managementAccountId: MANAGEMENT,
    scpsEnabled: true,
    units: [
      { id: WORKLOADS, name: 'Workloads', parent: ROOT },
      { id: DATA, name: 'Data', parent: WORKLOADS },
    ],
    accounts: [
      { id: MEMBER, name: 'data-prod', parent: DATA },
      { id: MANAGEMENT, name: 'management', parent: ROOT },
    ],
    policies: [
      { id: 'p-FullAWSAccess', name: 'FullAWSAccess', content: ALLOW_ALL },
      { id: 'p-denypass1', name: 'DenyPassRole', content: DENY_PASSROLE },
      { id: 'p-extra0001', name: 'Extra1', content: ALLOW_ALL },
      { id: 'p-extra0002', name: 'Extra2', content: ALLOW_ALL },
    ],
    attachments: {
      [ROOT]: ['p-FullAWSAccess'],
      [WORKLOADS]: ['p-FullAWSAccess', 'p-denypass1', 'p-extra0001', 'p-extra0002'],
      [DATA]: ['p-FullAWSAccess'],
      [MEMBER]: ['p-FullAWSAccess'],
      [MANAGEMENT]: ['p-FullAWSAccess'],
    },
    ...overrides,
  };
}

interface Setup {
  fake: FakeOrganizations;
  reader: OrganizationsReader;
  clock: { now: number };
  waits: number[];
}

function setup(
  options: { state?: FakeOrganizationState; pageSize?: number; maxAttempts?: number } = {},
): Setup {
  const fake = new FakeOrganizations(options.state ?? state(), options.pageSize ?? 100);
  const clock = { now: 1_000_000 };
  const waits: number[] = [];
  const api = new OrganizationsApi({
    endpoint: { url: new URL('https://organizations.us-east-1.amazonaws.com'), signingRegion: 'us-east-1' },
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    fetch: fake.fetch,
    maxAttempts: options.maxAttempts ?? 3,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
  });
  const reader = new OrganizationsReader(api, { ttlMs: 60_000, now: () => clock.now });
  return { fake, reader, clock, waits };
}

describe('OrganizationsReader', () => {
  it('signs each call as Organizations JSON 1.1 in the partition region', async () => {
    const { fake, reader } = setup();
    await reader.account(MEMBER);
    const call = fake.calls[0];
    expect(call?.operation).toBe('DescribeAccount');
    expect(call?.headers['x-amz-target']).toBe('AWSOrganizationsV20161128.DescribeAccount');
    expect(call?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(call?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/organizations\/aws4_request/,
    );
    expect(call?.input).toEqual({ AccountId: MEMBER });
  });

  it('builds the OU path from ListParents up to the root, naming each OU', async () => {
    const { reader } = setup();
    expect(await reader.account(MEMBER)).toEqual({
      id: MEMBER,
      name: 'data-prod',
      ouPath: [
        { id: ROOT, name: 'Root' },
        { id: WORKLOADS, name: 'Workloads' },
        { id: DATA, name: 'Data' },
      ],
    });
  });

  it('answers null for an unknown account, and sends nothing for a value that is no account id', async () => {
    const { fake, reader } = setup();
    expect(await reader.account('444455556666')).toBeNull();
    expect(await reader.account('../../etc')).toBeNull();
    expect(fake.calls.map((call) => call.input['AccountId'])).toEqual(['444455556666']);
  });

  it('reads the SCP levels root first, the account last, every page of each listing', async () => {
    const { fake, reader } = setup({ pageSize: 2 });
    const levels = await reader.serviceControlPolicies(MEMBER);
    expect(levels.map((level) => level.map((policy) => policy.name))).toEqual([
      ['FullAWSAccess'],
      ['FullAWSAccess', 'DenyPassRole', 'Extra1', 'Extra2'],
      ['FullAWSAccess'],
      ['FullAWSAccess'],
    ]);
    expect(levels[1]?.[1]?.document).toEqual(JSON.parse(DENY_PASSROLE));
    const workloadsPages = fake.calls.filter(
      (call) => call.operation === 'ListPoliciesForTarget' && call.input['TargetId'] === WORKLOADS,
    );
    expect(workloadsPages.map((call) => call.input['NextToken'])).toEqual([undefined, '2']);
    expect(workloadsPages[0]?.input['Filter']).toBe('SERVICE_CONTROL_POLICY');
  });

  it('has no SCP in force when SCPs are not enabled at the root', async () => {
    const { fake, reader } = setup({ state: state({ scpsEnabled: false }) });
    expect(await reader.serviceControlPolicies(MEMBER)).toEqual([]);
    expect(fake.count('ListPoliciesForTarget')).toBe(0);
  });

  it('has no SCP in force for the management account', async () => {
    const { reader } = setup();
    expect(await reader.serviceControlPolicies(MANAGEMENT)).toEqual([]);
  });

  it('refuses to read SCPs for an account outside the organization', async () => {
    const { reader } = setup();
    await expect(reader.serviceControlPolicies('444455556666')).rejects.toBeInstanceOf(AwsCallError);
  });

  it('serves repeats from the cache until the TTL, then reads again', async () => {
    const { fake, reader, clock } = setup();
    await Promise.all([reader.account(MEMBER), reader.account(MEMBER)]);
    await reader.serviceControlPolicies(MEMBER);
    expect(fake.count('DescribeAccount')).toBe(1);
    expect(fake.count('DescribePolicy')).toBe(4);
    clock.now += 59_000;
    await reader.serviceControlPolicies(MEMBER);
    expect(fake.count('DescribeAccount')).toBe(1);
    clock.now += 2_000;
    await reader.serviceControlPolicies(MEMBER);
    expect(fake.count('DescribeAccount')).toBe(2);
    expect(fake.count('DescribePolicy')).toBe(8);
  });

  it('retries throttling with backoff, then answers', async () => {
    const { fake, reader, waits } = setup();
    fake.script('DescribeAccount', error('TooManyRequestsException', 'slow down'));
    expect((await reader.account(MEMBER))?.name).toBe('data-prod');
    expect(fake.count('DescribeAccount')).toBe(2);
    expect(waits).toEqual([50]);
  });

  it('gives up on throttling after its attempts as a transient error, and does not cache it', async () => {
    const { fake, reader } = setup({ maxAttempts: 2 });
    const throttled = error('TooManyRequestsException', 'slow down');
    fake.script('DescribeAccount', throttled, throttled);
    await expect(reader.account(MEMBER)).rejects.toBeInstanceOf(TransientAwsError);
    expect((await reader.account(MEMBER))?.name).toBe('data-prod');
  });

  it('names the missing permission when Organizations denies the call', async () => {
    const { fake, reader } = setup();
    fake.script('ListParents', error('AccessDeniedException', 'not a delegated administrator'));
    const failure = reader.account(MEMBER);
    await expect(failure).rejects.toBeInstanceOf(AwsCallError);
    await expect(failure).rejects.toThrow(/organizations:ListParents/);
    expect(fake.count('ListParents')).toBe(1);
  });

  it('rejects an SCP whose content is not a policy document', async () => {
    const broken = state();
    broken.policies.splice(1, 1, { id: 'p-denypass1', name: 'DenyPassRole', content: '{"Statement": 3}' });
    const { reader } = setup({ state: broken });
    await expect(reader.serviceControlPolicies(MEMBER)).rejects.toThrow(/SCP p-denypass1/);
  });

  it('rejects a page token the service already gave', async () => {
    const { fake, reader } = setup();
    const loop = { status: 200, body: { Policies: [], NextToken: 'again' } };
    fake.script('ListPoliciesForTarget', ...Array.from({ length: 8 }, () => loop));
    await expect(reader.serviceControlPolicies(MEMBER)).rejects.toThrow(/repeated a page token/);
  });

  it('uses the partition endpoint of the function region, or the endpoint override', () => {
    const china = OrganizationsReader.fromEnvironment({ AWS_REGION: 'cn-north-1' });
    expect(china.api).toBeInstanceOf(OrganizationsApi);
    expect(() => OrganizationsReader.fromEnvironment({ AWS_REGION: 'us-iso-east-1' })).toThrow(
      /no published endpoint/,
    );
  });
});
