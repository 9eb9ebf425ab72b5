import { join } from 'node:path';
import {
  LocalPolicySimulator,
  type ServiceControlPolicy,
} from '../../../lambda/adapters/local/local-policy-simulator';
import { SimulationError } from '../../../lambda/core/errors';
import type {
  AccountScope,
  ManagedPolicy,
  MatchedStatement,
  PolicyDocument,
  RequestContext,
  RoleDetails,
  SimulationRequest,
  SimulationResult,
  UserDetails,
} from '../../../lambda/core/model';
import { policy, scopeOf, seedUser } from './seed-scope';

const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const GLUE_SERVICE_ROLE = 'arn:aws:iam::123456789012:role/AWSGlueServiceRoleX';
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';
const scpDir = join(__dirname, '../../fixtures/scp');

const glueContext = (mfa: string): RequestContext => ({
  'aws:MultiFactorAuthPresent': mfa,
  'iam:PassedToService': 'glue.amazonaws.com',
});

const passEtlRoleToGlue: PolicyDocument = policy({
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: ETL_ROLE,
  Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
});

function passRoleRequest(
  scope: AccountScope | Promise<AccountScope>,
  overrides: Partial<Omit<SimulationRequest, 'scope'>> = {},
): SimulationRequest {
  return {
    policySourceArn: 'arn:aws:iam::123456789012:user/mei.tanaka',
    action: 'iam:PassRole',
    resourceArn: ETL_ROLE,
    context: glueContext('true'),
    additionalPolicies: [],
    scope,
    ...overrides,
  };
}

const requireMfaDeny: MatchedStatement = {
  policyType: 'identity',
  policyName: 'RequireMFA',
  policyArn: null,
  attachedTo: 'group/Developers',
  effect: 'Deny',
  statement: 'DenyAllExceptListedIfNoMFA',
};

const glueConsolePassRole: MatchedStatement = {
  policyType: 'identity',
  policyName: 'AWSGlueConsoleFullAccess',
  policyArn: GLUE_CONSOLE,
  attachedTo: 'group/GlueAccess',
  effect: 'Allow',
  // The managed policy's PassRole-to-Glue statement has no Sid: its 0-based index.
  statement: '8',
};

describe('LocalPolicySimulator on the seed account (mei.tanaka)', () => {
  const simulator = new LocalPolicySimulator();
  const mei = scopeOf(seedUser('mei.tanaka'));

  const cases: {
    name: string;
    resourceArn?: string;
    context: RequestContext;
    additionalPolicies?: PolicyDocument[];
    expected: SimulationResult;
  }[] = [
    {
      name: 'without MFA the Developers group RequireMFA statement denies explicitly',
      context: glueContext('false'),
      expected: { decision: 'explicitDeny', matchedStatements: [requireMfaDeny], blockedBy: ['identity'] },
    },
    {
      name: 'with MFA nothing allows passing the ETL role',
      context: glueContext('true'),
      expected: { decision: 'implicitDeny', matchedStatements: [], blockedBy: ['identity'] },
    },
    {
      name: 'with MFA the proposed policy allows it and is the matched statement',
      context: glueContext('true'),
      additionalPolicies: [passEtlRoleToGlue],
      expected: {
        decision: 'allowed',
        matchedStatements: [
          {
            policyType: 'identity',
            policyName: 'proposal-1',
            policyArn: null,
            attachedTo: null,
            effect: 'Allow',
            statement: '0',
          },
        ],
        blockedBy: [],
      },
    },
    {
      name: 'the proposal does not allow passing the role to another service',
      context: { 'aws:MultiFactorAuthPresent': 'true', 'iam:PassedToService': 'ec2.amazonaws.com' },
      additionalPolicies: [passEtlRoleToGlue],
      expected: { decision: 'implicitDeny', matchedStatements: [], blockedBy: ['identity'] },
    },
    {
      name: 'without MFA the deny still wins over the proposal',
      context: glueContext('false'),
      additionalPolicies: [passEtlRoleToGlue],
      expected: { decision: 'explicitDeny', matchedStatements: [requireMfaDeny], blockedBy: ['identity'] },
    },
    {
      name: 'a role named AWSGlueServiceRole* is allowed by AWSGlueConsoleFullAccess',
      resourceArn: GLUE_SERVICE_ROLE,
      context: glueContext('true'),
      expected: { decision: 'allowed', matchedStatements: [glueConsolePassRole], blockedBy: [] },
    },
  ];

  it.each(cases)('$name', async ({ resourceArn, context, additionalPolicies, expected }) => {
    const result = await simulator.simulate(
      passRoleRequest(mei, {
        resourceArn: resourceArn ?? ETL_ROLE,
        context,
        additionalPolicies: additionalPolicies ?? [],
      }),
    );
    expect(result).toEqual(expected);
  });

  it('does not keep an additional policy for later calls on the same principal', async () => {
    const withProposal = await simulator.simulate(
      passRoleRequest(mei, { additionalPolicies: [passEtlRoleToGlue] }),
    );
    const withoutProposal = await simulator.simulate(passRoleRequest(mei));
    expect([withProposal.decision, withoutProposal.decision]).toEqual(['allowed', 'implicitDeny']);
  });

  it('takes a scope that is still loading', async () => {
    const result = await simulator.simulate(
      passRoleRequest(Promise.resolve(mei), { context: glueContext('false') }),
    );
    expect(result.matchedStatements).toEqual([requireMfaDeny]);
  });

  it('resolves ${aws:username} to the user: own MFA device yes, a colleague no', async () => {
    const listMfa = (resourceArn: string) =>
      simulator.simulate(
        passRoleRequest(mei, {
          action: 'iam:ListMFADevices',
          resourceArn,
          context: { 'aws:MultiFactorAuthPresent': 'false' },
        }),
      );
    const own = await listMfa('arn:aws:iam::123456789012:user/mei.tanaka');
    const colleague = await listMfa('arn:aws:iam::123456789012:user/li.wei');
    expect(own.decision).toBe('allowed');
    expect(own.matchedStatements.map((statement) => statement.statement)).toEqual(['AllowManageOwnMFA']);
    expect(colleague.decision).toBe('implicitDeny');
  });
});

describe('LocalPolicySimulator with service control policies', () => {
  const mei = scopeOf(seedUser('mei.tanaka'));
  const glueRoleRequest = passRoleRequest(mei, { resourceArn: GLUE_SERVICE_ROLE });

  async function withScps(...files: string[]): Promise<LocalPolicySimulator> {
    const scps = await LocalPolicySimulator.loadScpFiles(files.map((file) => join(scpDir, file)));
    return new LocalPolicySimulator({ serviceControlPolicies: scps });
  }

  it('allows what every SCP allows', async () => {
    const simulator = await withScps('full-aws-access.json');
    expect((await simulator.simulate(glueRoleRequest)).decision).toBe('allowed');
  });

  it('an SCP that denies iam:PassRole denies explicitly, naming the SCP statement', async () => {
    const simulator = await withScps('full-aws-access.json', 'deny-passrole.json');
    expect(await simulator.simulate(glueRoleRequest)).toEqual({
      decision: 'explicitDeny',
      matchedStatements: [
        {
          policyType: 'scp',
          policyName: 'deny-passrole',
          policyArn: null,
          attachedTo: null,
          effect: 'Deny',
          statement: 'DenyPassRole',
        },
      ],
      blockedBy: ['scp'],
    });
  });

  it('an SCP at a lower level that allows only s3 denies implicitly', async () => {
    const simulator = await withScps('full-aws-access.json', 'allow-s3-only.json');
    expect(await simulator.simulate(glueRoleRequest)).toEqual({
      decision: 'implicitDeny',
      matchedStatements: [],
      blockedBy: ['scp'],
    });
  });

  it('names the layers that block when identity and SCP both fail', async () => {
    const simulator = await withScps('allow-s3-only.json');
    const result = await simulator.simulate(passRoleRequest(mei));
    expect(result.blockedBy).toEqual(['scp', 'identity']);
  });

  it('evaluates aws:PrincipalArn guardrails against the principal', async () => {
    const simulator = await withScps('deny-passrole-except-admin.json');
    const admin: RoleDetails = {
      kind: 'role',
      arn: 'arn:aws:iam::123456789012:role/admin',
      name: 'admin',
      path: '/',
      trustPolicy: null,
      inlinePolicies: [{ name: 'Admin', document: policy({ Effect: 'Allow', Action: '*', Resource: '*' }) }],
      attachedPolicies: [],
      permissionsBoundary: null,
    };
    const asMei = await simulator.simulate(glueRoleRequest);
    const asAdmin = await simulator.simulate(
      passRoleRequest(scopeOf(admin), { policySourceArn: admin.arn, resourceArn: GLUE_SERVICE_ROLE }),
    );
    expect(asMei.decision).toBe('explicitDeny');
    expect(asMei.matchedStatements.map((statement) => statement.statement)).toEqual(['OnlyAdminPassesRoles']);
    expect(asAdmin.decision).toBe('allowed');
  });

  it('levels as Organizations gives them: one policy of a level allowing is enough, a deny anywhere denies', async () => {
    const scps = await LocalPolicySimulator.loadScpFiles(
      ['full-aws-access.json', 'allow-s3-only.json', 'deny-passrole.json'].map((file) => join(scpDir, file)),
    );
    const [full, s3Only, deny] = scps as [ServiceControlPolicy, ServiceControlPolicy, ServiceControlPolicy];
    const twoAtOneLevel = new LocalPolicySimulator({ serviceControlPolicyLevels: [[full], [s3Only, full]] });
    expect((await twoAtOneLevel.simulate(glueRoleRequest)).decision).toBe('allowed');
    // The same policies as one level each (serviceControlPolicies) must all allow.
    const eachItsOwnLevel = new LocalPolicySimulator({ serviceControlPolicies: [full, s3Only, full] });
    expect((await eachItsOwnLevel.simulate(glueRoleRequest)).decision).toBe('implicitDeny');
    const denied = new LocalPolicySimulator({ serviceControlPolicyLevels: [[full], [full, deny]] });
    expect(await denied.simulate(glueRoleRequest)).toMatchObject({
      decision: 'explicitDeny',
      matchedStatements: [{ policyType: 'scp', policyName: 'deny-passrole', statement: 'DenyPassRole' }],
    });
  });

  it('names an invalid SCP when the library rejects it', async () => {
    const simulator = new LocalPolicySimulator({
      serviceControlPolicies: [
        {
          name: 'broken-scp',
          document: policy({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Principal: '*' }),
        },
      ],
    });
    await expect(simulator.simulate(glueRoleRequest)).rejects.toThrow(/scp policy broken-scp/);
  });
});

describe('LocalPolicySimulator with a permissions boundary', () => {
  const simulator = new LocalPolicySimulator();
  const boundary = (document: PolicyDocument): ManagedPolicy => ({
    arn: 'arn:aws:iam::123456789012:policy/DeveloperBoundary',
    name: 'DeveloperBoundary',
    document,
  });
  const meiWithin = (document: PolicyDocument): AccountScope => {
    const user: UserDetails = { ...seedUser('mei.tanaka'), permissionsBoundary: boundary(document) };
    return scopeOf(user);
  };

  it('a boundary without iam:PassRole blocks what the identity policies allow', async () => {
    const scope = meiWithin(policy({ Effect: 'Allow', Action: ['glue:*', 's3:*'], Resource: '*' }));
    expect(await simulator.simulate(passRoleRequest(scope, { resourceArn: GLUE_SERVICE_ROLE }))).toEqual({
      decision: 'implicitDeny',
      matchedStatements: [],
      blockedBy: ['boundary'],
    });
  });

  it('a boundary that allows iam:PassRole lets the identity allow through', async () => {
    const scope = meiWithin(policy({ Effect: 'Allow', Action: '*', Resource: '*' }));
    const result = await simulator.simulate(passRoleRequest(scope, { resourceArn: GLUE_SERVICE_ROLE }));
    expect(result).toEqual({ decision: 'allowed', matchedStatements: [glueConsolePassRole], blockedBy: [] });
  });

  it('a deny in the boundary is reported as a boundary statement on the user', async () => {
    const scope = meiWithin(
      policy(
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
      ),
    );
    const result = await simulator.simulate(passRoleRequest(scope, { resourceArn: GLUE_SERVICE_ROLE }));
    expect(result).toEqual({
      decision: 'explicitDeny',
      matchedStatements: [
        {
          policyType: 'boundary',
          policyName: 'DeveloperBoundary',
          policyArn: 'arn:aws:iam::123456789012:policy/DeveloperBoundary',
          attachedTo: 'user/mei.tanaka',
          effect: 'Deny',
          statement: '1',
        },
      ],
      blockedBy: ['boundary'],
    });
  });
});

describe('LocalPolicySimulator request context', () => {
  const simulator = new LocalPolicySimulator();
  const deployer: RoleDetails = {
    kind: 'role',
    arn: 'arn:aws:iam::123456789012:role/deployer',
    name: 'deployer',
    path: '/',
    trustPolicy: null,
    inlinePolicies: [
      {
        name: 'PassFromOffice',
        document: policy(
          { Sid: 'PassAny', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
          {
            Sid: 'OnlyFromOffice',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } },
          },
        ),
      },
    ],
    attachedPolicies: [],
    permissionsBoundary: null,
  };
  const fromIp = (sourceIp: string) =>
    simulator.simulate(
      passRoleRequest(scopeOf(deployer), {
        policySourceArn: deployer.arn,
        context: { 'aws:SourceIp': sourceIp, 'iam:PassedToService': 'glue.amazonaws.com' },
      }),
    );

  it('a NotIpAddress deny applies outside the range', async () => {
    expect(await fromIp('198.51.100.24')).toEqual({
      decision: 'explicitDeny',
      matchedStatements: [
        {
          policyType: 'identity',
          policyName: 'PassFromOffice',
          policyArn: null,
          attachedTo: 'role/deployer',
          effect: 'Deny',
          statement: 'OnlyFromOffice',
        },
      ],
      blockedBy: ['identity'],
    });
  });

  it('a NotIpAddress deny does not apply inside the range', async () => {
    const result = await fromIp('203.0.113.5');
    expect(result.decision).toBe('allowed');
    expect(result.matchedStatements.map((statement) => statement.statement)).toEqual(['PassAny']);
  });

  it.each([
    ['aws:MultiFactorAuthPresent', 'yes', /aws:MultiFactorAuthPresent/],
    ['aws:MultiFactorAuthPresent', 'TRUE', /'true' or 'false'/],
    ['aws:SourceIp', 'office', /not an IP address/],
    ['aws:SourceIp', '203.0.113.0/33', /not an IP address/],
    ['aws:CurrentTime', 'yesterday', /not an ISO 8601 date/],
    ['aws:MultiFactorAuthAge', 'an hour', /not a number/],
  ])('rejects %s = %j instead of letting the condition fail open', async (key, value, message) => {
    const scope = scopeOf(seedUser('mei.tanaka'));
    const request = passRoleRequest(scope, { context: { ...glueContext('true'), [key]: value } });
    await expect(simulator.simulate(request)).rejects.toThrow(SimulationError);
    await expect(simulator.simulate(request)).rejects.toThrow(message);
  });

  it('accepts well-formed typed values', async () => {
    const scope = scopeOf(seedUser('mei.tanaka'));
    const context = {
      ...glueContext('true'),
      'aws:SourceIp': '2001:db8::1',
      'aws:CurrentTime': '2026-06-17T02:04:37Z',
      'aws:MultiFactorAuthAge': '300',
    };
    expect((await simulator.simulate(passRoleRequest(scope, { context }))).decision).toBe('implicitDeny');
  });
});

describe('LocalPolicySimulator errors', () => {
  const simulator = new LocalPolicySimulator();
  const mei = scopeOf(seedUser('mei.tanaka'));

  it('refuses a principal missing from the account data', async () => {
    const request = passRoleRequest(scopeOf(null), {
      policySourceArn: 'arn:aws:iam::123456789012:user/gone',
    });
    await expect(simulator.simulate(request)).rejects.toThrow(
      new SimulationError(
        'Cannot simulate offline: the principal arn:aws:iam::123456789012:user/gone is not in the account data',
      ),
    );
  });

  it('reports a malformed additional policy in one line naming it', async () => {
    const malformed = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Alow', Action: 'iam:PassRole', Resource: '*' }],
    };
    const request = passRoleRequest(mei, { additionalPolicies: [malformed as unknown as PolicyDocument] });
    const error: unknown = await simulator.simulate(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulationError);
    const message = (error as SimulationError).message;
    expect(message).toContain('identity policy proposal-1');
    expect(message).toContain('Statement[0].Effect');
    expect(message).not.toContain('\n');
  });

  it('refuses a resource pattern, which the library answers by sampling', async () => {
    await expect(
      simulator.simulate(passRoleRequest(mei, { resourceArn: 'arn:aws:iam::123456789012:role/etl-*' })),
    ).rejects.toThrow(/resource pattern arn:aws:iam::123456789012:role\/etl-\*: give one resource ARN/);
  });

  it('simulates a wildcard-only action on *', async () => {
    const result = await simulator.simulate(
      passRoleRequest(mei, { action: 'glue:GetJobs', resourceArn: '*', context: glueContext('true') }),
    );
    expect(result.decision).toBe('allowed');
  });

  it('reports an action IAM does not have', async () => {
    await expect(simulator.simulate(passRoleRequest(mei, { action: 'iam:PassRoles' }))).rejects.toThrow(
      /iam-simulate cannot evaluate iam:PassRoles on .*invalid\.action/,
    );
  });
});
