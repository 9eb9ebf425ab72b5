import {
  IAMClient,
  NoSuchEntityException,
  ServiceFailureException,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
  type Statement as AwsStatement,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsPolicySimulator } from '../../../lambda/adapters/aws/aws-policy-simulator';
import { AwsCallError, SimulationError, TransientAwsError } from '../../../lambda/core/errors';
import type {
  AccountScope,
  PolicyDocument,
  SimulationRequest,
  UserDetails,
} from '../../../lambda/core/model';
import { policy, scopeOf, seedUser } from '../local/seed-scope';

const MEI = 'arn:aws:iam::123456789012:user/mei.tanaka';
const ETL_ROLE = 'arn:aws:iam::123456789012:role/etl-nightly-runtime';
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';

const iamMock = mockClient(IAMClient);
const simulator = new AwsPolicySimulator(new IAMClient({ region: 'us-east-1' }));

beforeEach(() => iamMock.reset());

const mei = (): UserDetails => seedUser('mei.tanaka');

function passRoleRequest(overrides: Partial<SimulationRequest> = {}): SimulationRequest {
  return {
    policySourceArn: MEI,
    action: 'iam:PassRole',
    resourceArn: ETL_ROLE,
    context: { 'aws:MultiFactorAuthPresent': 'false', 'iam:PassedToService': 'glue.amazonaws.com' },
    additionalPolicies: [],
    scope: scopeOf(mei()),
    ...overrides,
  };
}

function evaluation(fields: Partial<EvaluationResult>): EvaluationResult {
  return {
    EvalActionName: 'iam:PassRole',
    EvalResourceName: ETL_ROLE,
    EvalDecision: 'implicitDeny',
    MatchedStatements: [],
    MissingContextValues: [],
    ...fields,
  };
}

function answer(...results: EvaluationResult[]): void {
  iamMock.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: results, IsTruncated: false });
}

/** Where IAM would report the statement `marker` opens in `text`: 1-based line and column of its braces. */
function positionsOf(text: string, marker: string): Pick<AwsStatement, 'StartPosition' | 'EndPosition'> {
  // A marker is the statement's opening text, or a Sid that comes first in it.
  const start = marker.startsWith('{') ? text.indexOf(marker) : text.lastIndexOf('{', text.indexOf(marker));
  let depth = 0;
  let end = start;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    if (text[end] === '}' && --depth === 0) break;
  }
  const at = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { Line: before.length, Column: (before.at(-1)?.length ?? 0) + 1 };
  };
  return { StartPosition: at(start), EndPosition: at(end) };
}

function requireMfaDocument(): PolicyDocument {
  const developers = mei().groups.find((group) => group.name === 'Developers');
  const requireMfa = developers?.inlinePolicies.find((inline) => inline.name === 'RequireMFA');
  if (!requireMfa) throw new Error('the seed lacks RequireMFA');
  return requireMfa.document;
}

describe('AwsPolicySimulator request', () => {
  it('sends one SimulatePrincipalPolicy call with typed context entries and the additional policies as JSON', async () => {
    answer(evaluation({ EvalDecision: 'allowed' }));
    const proposal = policy({ Effect: 'Allow', Action: 'iam:PassRole', Resource: ETL_ROLE });
    await simulator.simulate(
      passRoleRequest({
        context: {
          'aws:MultiFactorAuthPresent': 'true',
          'aws:SourceIp': '198.51.100.24',
          'aws:CurrentTime': '2026-06-17T02:04:37Z',
          'aws:MultiFactorAuthAge': '300',
          'iam:PassedToService': 'glue.amazonaws.com',
          'aws:RequestedRegion': 'ap-northeast-1',
          'aws:PrincipalArn': MEI,
        },
        additionalPolicies: [proposal],
      }),
    );
    const calls = iamMock.commandCalls(SimulatePrincipalPolicyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      PolicySourceArn: MEI,
      ActionNames: ['iam:PassRole'],
      ResourceArns: [ETL_ROLE],
      ContextEntries: [
        {
          ContextKeyName: 'aws:MultiFactorAuthPresent',
          ContextKeyValues: ['true'],
          ContextKeyType: 'boolean',
        },
        { ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['198.51.100.24'], ContextKeyType: 'ip' },
        {
          ContextKeyName: 'aws:CurrentTime',
          ContextKeyValues: ['2026-06-17T02:04:37Z'],
          ContextKeyType: 'date',
        },
        { ContextKeyName: 'aws:MultiFactorAuthAge', ContextKeyValues: ['300'], ContextKeyType: 'numeric' },
        {
          ContextKeyName: 'iam:PassedToService',
          ContextKeyValues: ['glue.amazonaws.com'],
          ContextKeyType: 'string',
        },
        {
          ContextKeyName: 'aws:RequestedRegion',
          ContextKeyValues: ['ap-northeast-1'],
          ContextKeyType: 'string',
        },
        { ContextKeyName: 'aws:PrincipalArn', ContextKeyValues: [MEI], ContextKeyType: 'string' },
      ],
      PolicyInputList: [JSON.stringify(proposal)],
    });
  });

  it('leaves out empty context entries and policy inputs', async () => {
    answer(evaluation({}));
    await simulator.simulate(passRoleRequest({ context: {} }));
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)[0]?.args[0].input).toEqual({
      PolicySourceArn: MEI,
      ActionNames: ['iam:PassRole'],
      ResourceArns: [ETL_ROLE],
    });
  });

  it('types context keys whatever their case', async () => {
    answer(evaluation({}));
    await simulator.simulate(passRoleRequest({ context: { 'AWS:multifactorauthpresent': 'false' } }));
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)[0]?.args[0].input.ContextEntries).toEqual([
      {
        ContextKeyName: 'AWS:multifactorauthpresent',
        ContextKeyValues: ['false'],
        ContextKeyType: 'boolean',
      },
    ]);
  });

  it('follows Marker while IsTruncated and uses the result on a later page', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .resolvesOnce({ EvaluationResults: [], IsTruncated: true, Marker: 'page-2' })
      .resolvesOnce({ EvaluationResults: [evaluation({ EvalDecision: 'allowed' })], IsTruncated: false });
    const result = await simulator.simulate(passRoleRequest());
    const calls = iamMock.commandCalls(SimulatePrincipalPolicyCommand);
    expect(calls.map((call) => call.args[0].input.Marker)).toEqual([undefined, 'page-2']);
    expect(result.decision).toBe('allowed');
  });

  it('stops when IsTruncated is false even if a Marker is present', async () => {
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .resolves({ EvaluationResults: [evaluation({})], IsTruncated: false, Marker: 'stale' });
    await simulator.simulate(passRoleRequest());
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(1);
  });

  it('runs while the scope is still loading and names statements once it has it', async () => {
    let resolveScope: (scope: AccountScope) => void = () => undefined;
    const scope = new Promise<AccountScope>((resolve) => (resolveScope = resolve));
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'RequireMFA', SourcePolicyType: 'group' }],
      }),
    );
    const pending = simulator.simulate(passRoleRequest({ scope }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(1);
    resolveScope(scopeOf(mei()));
    expect((await pending).matchedStatements[0]?.attachedTo).toBe('group/Developers');
  });
});

describe('AwsPolicySimulator result mapping', () => {
  it('names a group inline deny reported as <kind>_<entity>_<policy>, locating the statement by position', async () => {
    const stored = JSON.stringify(requireMfaDocument(), null, 4);
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [
          {
            SourcePolicyId: 'group_Developers_RequireMFA',
            SourcePolicyType: 'group',
            ...positionsOf(stored, '"Sid": "DenyAllExceptListedIfNoMFA"'),
          },
        ],
      }),
    );
    expect(await simulator.simulate(passRoleRequest())).toEqual({
      decision: 'explicitDeny',
      matchedStatements: [
        {
          policyType: 'identity',
          policyName: 'RequireMFA',
          policyArn: null,
          attachedTo: 'group/Developers',
          effect: 'Deny',
          statement: 'DenyAllExceptListedIfNoMFA',
        },
      ],
      blockedBy: ['identity'],
    });
  });

  it('names an AWS managed policy by its name and finds the statement index in a compact document', async () => {
    const glue = mei().groups[0]?.attachedPolicies[0]?.document;
    const stored = JSON.stringify(glue);
    answer(
      evaluation({
        EvalDecision: 'allowed',
        MatchedStatements: [
          {
            SourcePolicyId: 'AWSGlueConsoleFullAccess',
            SourcePolicyType: 'aws-managed',
            ...positionsOf(
              stored,
              '{"Action":["iam:PassRole"],"Condition":{"StringLike":{"iam:PassedToService":["glue',
            ),
          },
        ],
      }),
    );
    const result = await simulator.simulate(passRoleRequest({ resourceArn: ETL_ROLE }));
    expect(result).toEqual({
      decision: 'allowed',
      matchedStatements: [
        {
          policyType: 'identity',
          policyName: 'AWSGlueConsoleFullAccess',
          policyArn: GLUE_CONSOLE,
          attachedTo: 'group/GlueAccess',
          effect: 'Allow',
          statement: '8',
        },
      ],
      blockedBy: [],
    });
  });

  it.each([2, 4])('finds the statement index in a document indented by %i spaces', async (indent) => {
    const glue = mei().groups[0]?.attachedPolicies[0]?.document;
    const statements = Array.isArray(glue?.Statement) ? glue.Statement : [];
    const stored = JSON.stringify(glue, null, indent);
    // Statements sit two levels deep: their own lines are indented twice more.
    const ec2Notebook = JSON.stringify(statements[9], null, indent).replace(
      /\n/g,
      `\n${' '.repeat(2 * indent)}`,
    );
    answer(
      evaluation({
        EvalDecision: 'allowed',
        MatchedStatements: [
          {
            SourcePolicyId: 'AWSGlueConsoleFullAccess',
            SourcePolicyType: 'aws-managed',
            ...positionsOf(stored, ec2Notebook),
          },
        ],
      }),
    );
    const [statement] = (await simulator.simulate(passRoleRequest())).matchedStatements;
    expect(statement?.statement).toBe('9');
  });

  it('names PolicyInputList.N as proposal-N and locates the statement in the text it sent', async () => {
    const proposal = policy(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: ETL_ROLE },
    );
    const sent = JSON.stringify(proposal);
    answer(
      evaluation({
        EvalDecision: 'allowed',
        MatchedStatements: [
          {
            SourcePolicyId: 'PolicyInputList.1',
            SourcePolicyType: 'IAM Policy' as AwsStatement['SourcePolicyType'],
            ...positionsOf(sent, '"iam:PassRole"'),
          },
        ],
      }),
    );
    const result = await simulator.simulate(passRoleRequest({ additionalPolicies: [proposal] }));
    expect(result.matchedStatements).toEqual([
      {
        policyType: 'identity',
        policyName: 'proposal-1',
        policyArn: null,
        attachedTo: null,
        effect: 'Allow',
        statement: '1',
      },
    ]);
  });

  it('without positions it takes the policy’s only statement of the deciding effect', async () => {
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'RequireMFA', SourcePolicyType: 'group' }],
      }),
    );
    const [statement] = (await simulator.simulate(passRoleRequest())).matchedStatements;
    expect(statement?.statement).toBe('DenyAllExceptListedIfNoMFA');
  });

  it.each([
    ['a lone start position in a guessed layout', { StartPosition: { Line: 40, Column: 3 } }],
    [
      'positions that fit no likely layout',
      { StartPosition: { Line: 40, Column: 3 }, EndPosition: { Line: 52, Column: 4 } },
    ],
  ])(
    'leaves the statement unknown given %s and several statements of the effect',
    async (_label, positions) => {
      answer(
        evaluation({
          EvalDecision: 'allowed',
          MatchedStatements: [
            { SourcePolicyId: 'AWSGlueConsoleFullAccess', SourcePolicyType: 'aws-managed', ...positions },
          ],
        }),
      );
      const [statement] = (await simulator.simulate(passRoleRequest())).matchedStatements;
      expect(statement).toMatchObject({ policyArn: GLUE_CONSOLE, effect: 'Allow', statement: null });
    },
  );

  it('reports a policy absent from the scope by the id IAM gave', async () => {
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'user_mei.tanaka_Gone', SourcePolicyType: 'user' }],
      }),
    );
    expect((await simulator.simulate(passRoleRequest())).matchedStatements).toEqual([
      {
        policyType: 'identity',
        policyName: 'user_mei.tanaka_Gone',
        policyArn: null,
        attachedTo: null,
        effect: 'Deny',
        statement: null,
      },
    ]);
  });

  it('still answers when the scope cannot be read', async () => {
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'group_Developers_RequireMFA', SourcePolicyType: 'group' }],
      }),
    );
    const result = await simulator.simulate(
      passRoleRequest({ scope: Promise.reject(new Error('snapshot unreadable')) }),
    );
    expect(result.decision).toBe('explicitDeny');
    expect(result.matchedStatements[0]?.policyName).toBe('group_Developers_RequireMFA');
  });

  it('maps a boundary managed policy to the boundary layer', async () => {
    const boundary = {
      arn: 'arn:aws:iam::123456789012:policy/DevBoundary',
      name: 'DevBoundary',
      document: policy({ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' }),
    };
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        MatchedStatements: [{ SourcePolicyId: 'DevBoundary', SourcePolicyType: 'user-managed' }],
        PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
      }),
    );
    const result = await simulator.simulate(
      passRoleRequest({ scope: scopeOf({ ...mei(), permissionsBoundary: boundary }) }),
    );
    expect(result).toEqual({
      decision: 'explicitDeny',
      matchedStatements: [
        {
          policyType: 'boundary',
          policyName: 'DevBoundary',
          policyArn: boundary.arn,
          attachedTo: 'user/mei.tanaka',
          effect: 'Deny',
          statement: '0',
        },
      ],
      blockedBy: ['boundary'],
    });
  });

  it.each([
    [{ OrganizationsDecisionDetail: { AllowedByOrganizations: false } }, ['scp']],
    [{ PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false } }, ['boundary']],
    [
      {
        OrganizationsDecisionDetail: { AllowedByOrganizations: false },
        PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
      },
      ['scp', 'boundary'],
    ],
    [{ OrganizationsDecisionDetail: { AllowedByOrganizations: true } }, ['identity']],
    [{}, ['identity']],
  ])('an implicit deny with %j is blocked by %j', async (details, blockedBy) => {
    answer(evaluation({ EvalDecision: 'implicitDeny', ...details }));
    expect(await simulator.simulate(passRoleRequest())).toEqual({
      decision: 'implicitDeny',
      matchedStatements: [],
      blockedBy,
    });
  });

  it('takes matched statements and boundary detail from the resource-specific result when only it has them', async () => {
    answer(
      evaluation({
        EvalDecision: 'explicitDeny',
        ResourceSpecificResults: [
          {
            EvalResourceName: ETL_ROLE,
            EvalResourceDecision: 'explicitDeny',
            MatchedStatements: [{ SourcePolicyId: 'group_Developers_RequireMFA', SourcePolicyType: 'group' }],
          },
        ],
      }),
    );
    const result = await simulator.simulate(passRoleRequest());
    expect(result.matchedStatements.map((statement) => statement.policyName)).toEqual(['RequireMFA']);
  });

  it('fails when IAM returns no result', async () => {
    answer();
    await expect(simulator.simulate(passRoleRequest())).rejects.toThrow(SimulationError);
  });
});

describe('AwsPolicySimulator errors', () => {
  const throttling = Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400 },
  });
  const serviceFailure = new ServiceFailureException({
    message: 'internal',
    $metadata: { httpStatusCode: 500 },
  });
  const noSuchEntity = new NoSuchEntityException({
    message: 'The user with name gone cannot be found.',
    $metadata: { httpStatusCode: 404 },
  });
  const accessDenied = Object.assign(new Error('not authorized to perform: iam:SimulatePrincipalPolicy'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });
  const network = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

  it.each([
    ['throttling', throttling, TransientAwsError, /worth retrying/],
    ['a 5xx', serviceFailure, TransientAwsError, /worth retrying/],
    ['a network failure', network, TransientAwsError, /worth retrying/],
    ['NoSuchEntity', noSuchEntity, SimulationError, /no entity arn:aws:iam::123456789012:user\/mei\.tanaka/],
    ['AccessDenied', accessDenied, AwsCallError, /iam:SimulatePrincipalPolicy/],
  ])('maps %s, keeping the cause', async (_label, failure, type, message) => {
    iamMock.on(SimulatePrincipalPolicyCommand).rejects(failure);
    const error: unknown = await simulator.simulate(passRoleRequest()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).cause).toBe(failure);
  });
});
