/**
 * The approval workflow's infrastructure: the review-link signing key, the HTTP API and its routes
 * per approval mode, the approval function, and the apply function with its role, denies and DLQ.
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { IAM_ROUTES, LINK_ROUTES } from '../../lib/constructs/approval-api';
import { ENTITY_READ_ACTIONS } from '../../lib/constructs/handler-function';
import type { PassRoleRemediation } from '../../lib/passrole-remediation';
import type { ApprovalMode } from '../../lib/settings';
import { buildMainStack, type MainStack } from './support/cdk-app';
import { renderIntrinsic, rolePermissions, type RenderedStatement } from './support/iam-statements';

function build(approvalMode?: ApprovalMode): MainStack {
  return buildMainStack({ context: approvalMode === undefined ? {} : { approvalMode } });
}

let stack: Stack;
let remediation: PassRoleRemediation;
let template: Template;

beforeAll(() => {
  ({ stack, remediation, template } = build());
});

const logicalIdIn = (inStack: Stack, construct: IConstruct) =>
  inStack.getLogicalId(construct.node.defaultChild as CfnElement);
const logicalId = (construct: IConstruct) => logicalIdIn(stack, construct);
const arnRef = (construct: IConstruct) => `\${${logicalId(construct)}.Arn}`;
const properties = (construct: IConstruct) =>
  template.toJSON().Resources[logicalId(construct)].Properties as Record<string, unknown>;

const byContent = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
const sorted = (statements: RenderedStatement[]) => [...statements].sort(byContent);
const allow = (sid: string | null, actions: string[], resources: string[]): RenderedStatement => ({
  sid,
  effect: 'Allow',
  actions: [...actions].sort(),
  notActions: [],
  resources: [...resources].sort(),
});
const deny = (sid: string, actions: string[], resources: string[]): RenderedStatement => ({
  ...allow(sid, actions, resources),
  effect: 'Deny',
});
const accountIam = (resource: string) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${resource}`;

const XRAY = allow(null, ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']);
/** The re-analysis's reads (the approval and apply functions), as the diagnose function has them. */
const IAM_READS = [
  allow('ReadAccountEntities', [...ENTITY_READ_ACTIONS], ['group/*', 'role/*', 'user/*'].map(accountIam)),
  allow('ListRolesTrustingTheRole', ['iam:ListRoles'], ['*']),
  allow(
    'ReadManagedPolicies',
    ['iam:GetPolicy', 'iam:GetPolicyVersion'],
    ['arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/*', 'arn:${AWS::Partition}:iam::aws:policy/*'],
  ),
];
const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
  POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
};

describe('the approval keys (KMS)', () => {
  it('are an HMAC_256 key for review links and an ECC_NIST_P256 key signing decisions, neither rotating', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(properties(remediation.approvalKeys.linkMacKey)).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
    expect(properties(remediation.approvalKeys.decisionSigningKey)).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
    });
    for (const key of [remediation.approvalKeys.linkMacKey, remediation.approvalKeys.decisionSigningKey]) {
      expect(properties(key).EnableKeyRotation).toBeUndefined();
    }
  });

  it('have aliases named after the stack, for replacing a key by hand', () => {
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/PassRoleDoctor/review-links',
      TargetKeyId: { 'Fn::GetAtt': [logicalId(remediation.approvalKeys.linkMacKey), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/PassRoleDoctor/decisions',
      TargetKeyId: { 'Fn::GetAtt': [logicalId(remediation.approvalKeys.decisionSigningKey), 'Arn'] },
    });
  });

  it('are named in stack outputs, and so is the bus', () => {
    template.hasOutput('LinkMacKeyArn', {
      Value: { 'Fn::GetAtt': [logicalId(remediation.approvalKeys.linkMacKey), 'Arn'] },
    });
    template.hasOutput('DecisionSigningKeyArn', {
      Value: { 'Fn::GetAtt': [logicalId(remediation.approvalKeys.decisionSigningKey), 'Arn'] },
    });
    template.hasOutput('EventBusName', { Value: { Ref: logicalId(remediation.eventBus) } });
  });
});

describe('the HTTP API', () => {
  it('is an HTTP API with one auto-deployed $default stage, throttled to 5 requests/s with bursts of 10', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    expect(properties(remediation.httpApi)).toMatchObject({
      ProtocolType: 'HTTP',
      Name: 'PassRoleDoctor-approval',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: logicalId(remediation.httpApi) },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 },
    });
  });

  it('logs every request as JSON to its own log group, without the query string (review tokens)', () => {
    const stage = properties(remediation.approvalApi.stage);
    const accessLogs = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(accessLogs.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(remediation.approvalApi.accessLogGroup), 'Arn'],
    });
    const format = JSON.parse(accessLogs.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      caller: '$context.identity.userArn',
      routeKey: '$context.routeKey',
      path: '$context.path',
      status: '$context.status',
    });
    // $context.path has no query string; nothing else that carries one may be logged.
    expect(accessLogs.Format).not.toMatch(/querystring|requestUri|requestOverride/i);
    expect(properties(remediation.approvalApi.accessLogGroup)).toMatchObject({ RetentionInDays: 30 });
  });

  it('sends every route to the approval function with one Lambda proxy integration (payload 2.0)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: { Ref: logicalId(remediation.httpApi) },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(remediation.approvalFunction), 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });

  it('lets API Gateway invoke the approval function for each route only, from this API', () => {
    const approvalArn = { 'Fn::GetAtt': [logicalId(remediation.approvalFunction), 'Arn'] };
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((permission) => permission.Properties as Record<string, unknown>)
      // The other permission in the stack lets the reconciler's schedule invoke the reconciler.
      .filter((permission) => JSON.stringify(permission.FunctionName) === JSON.stringify(approvalArn));
    expect(permissions).toHaveLength(LINK_ROUTES.length + IAM_ROUTES.length);
    const apiPrefix = `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${logicalId(remediation.httpApi)}}`;
    expect(permissions.map((permission) => renderIntrinsic(permission.SourceArn)).sort()).toEqual(
      [...LINK_ROUTES, ...IAM_ROUTES].map((route) => `${apiPrefix}/*/*${route.path}`).sort(),
    );
    for (const permission of permissions) {
      expect(permission).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalId(remediation.approvalFunction), 'Arn'] },
      });
    }
  });

  it('names each IAM route in execute-api ARN form, path parameters as *, for approver policies', () => {
    const rendered = IAM_ROUTES.map((route) =>
      renderIntrinsic(stack.resolve(remediation.approvalApi.routeArn(route))),
    );
    const prefix = `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${logicalId(remediation.httpApi)}}/$default`;
    expect(rendered).toEqual([
      `${prefix}/GET/iam/proposals`,
      `${prefix}/GET/iam/proposals/*`,
      `${prefix}/POST/iam/proposals/*/approve`,
      `${prefix}/POST/iam/proposals/*/reject`,
    ]);
  });

  it('gives its https endpoint, no trailing slash, as a stack output and to the diagnose function', () => {
    const endpoint = { 'Fn::GetAtt': [logicalId(remediation.httpApi), 'ApiEndpoint'] };
    template.hasOutput('ApprovalApiUrl', { Value: endpoint });
    expect(stack.resolve(remediation.approvalApi.url)).toEqual(endpoint);
  });
});

describe.each<[ApprovalMode | 'default', { link: boolean; iam: boolean }]>([
  ['default', { link: true, iam: true }],
  ['both', { link: true, iam: true }],
  ['link', { link: true, iam: false }],
  ['iam', { link: false, iam: true }],
])('routes with approvalMode %s', (mode, expected) => {
  let built: MainStack;
  beforeAll(() => {
    built = mode === 'default' ? { stack, remediation, template } : build(mode);
  });

  const routes = () =>
    Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties as { RouteKey: string; AuthorizationType: string; Target: unknown },
    );
  const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

  it(`${expected.link ? 'has' : 'has no'} review-link routes, without an authorizer (the token is the credential)`, () => {
    const linkRoutes = routes().filter((route) => !route.RouteKey.includes(' /iam/'));
    expect(linkRoutes.map((route) => [route.RouteKey, route.AuthorizationType]).sort()).toEqual(
      expected.link ? LINK_ROUTES.map((route) => [routeKey(route), 'NONE']).sort() : [],
    );
  });

  it(`${expected.iam ? 'has' : 'has no'} IAM routes, each behind the AWS_IAM authorizer`, () => {
    const iamRoutes = routes().filter((route) => route.RouteKey.includes(' /iam/'));
    expect(iamRoutes.map((route) => [route.RouteKey, route.AuthorizationType]).sort()).toEqual(
      expected.iam ? IAM_ROUTES.map((route) => [routeKey(route), 'AWS_IAM']).sort() : [],
    );
  });

  it('passes the mode to the approval and diagnose functions', () => {
    const environment = (construct: IConstruct) =>
      (
        built.template.toJSON().Resources[logicalIdIn(built.stack, construct)].Properties as {
          Environment: { Variables: Record<string, unknown> };
        }
      ).Environment.Variables;
    const approvalMode = mode === 'default' ? 'both' : mode;
    expect(environment(built.remediation.approvalFunction).APPROVAL_MODE).toBe(approvalMode);
    expect(environment(built.remediation.function).APPROVAL_MODE).toBe(approvalMode);
  });
});

describe('the approval function', () => {
  it('runs Node.js 22 on ARM64 with active tracing, its own log group and role, within the API timeout', () => {
    expect(properties(remediation.approvalFunction)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Timeout: 15,
      MemorySize: 1024,
      LoggingConfig: { LogGroup: { Ref: logicalId(remediation.approvalFunction.logGroup) } },
      Role: { 'Fn::GetAtt': [logicalId(remediation.approvalFunctionRole), 'Arn'] },
    });
  });

  it('gets its table, both keys, the apply function, its mode and approval settings from the environment', () => {
    expect(
      (properties(remediation.approvalFunction).Environment as { Variables: unknown }).Variables,
    ).toEqual({
      PROPOSALS_TABLE_NAME: { Ref: logicalId(remediation.proposalsTable) },
      LINK_MAC_KEY_ID: { 'Fn::GetAtt': [logicalId(remediation.approvalKeys.linkMacKey), 'Arn'] },
      DECISION_SIGNING_KEY_ID: {
        'Fn::GetAtt': [logicalId(remediation.approvalKeys.decisionSigningKey), 'Arn'],
      },
      APPLY_FUNCTION_NAME: { Ref: logicalId(remediation.applyFunction) },
      APPROVAL_MODE: 'both',
      APPROVERS: '',
      ALLOW_ADMIN_ROLES: 'false',
      AUTO_APPROVE: 'off',
      OWN_RESOURCE_ARNS: expect.anything(),
      PERMISSION_SET_PEOPLE_LIMIT: '10',
      ...POWERTOOLS_ENVIRONMENT,
    });
  });

  it('role: its logs, X-Ray, its DynamoDB calls, IAM reads, VerifyMac and Sign, invoking apply; nothing else', () => {
    const { statements, managedPolicyArns } = rolePermissions(
      template,
      logicalId(remediation.approvalFunctionRole),
    );
    expect(sorted(statements)).toEqual(
      sorted([
        allow(
          'WriteOwnLogs',
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          [arnRef(remediation.approvalFunction.logGroup)],
        ),
        XRAY,
        allow(
          'DecideProposals',
          ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          [arnRef(remediation.proposalsTable)],
        ),
        allow(
          'ListProposalsByStatus',
          ['dynamodb:Query'],
          [`${arnRef(remediation.proposalsTable)}/index/byStatus`],
        ),
        ...IAM_READS,
        allow('VerifyReviewLinkMac', ['kms:VerifyMac'], [arnRef(remediation.approvalKeys.linkMacKey)]),
        allow('SignDecisions', ['kms:Sign'], [arnRef(remediation.approvalKeys.decisionSigningKey)]),
        // The unqualified function only: no version or alias (ARN:*).
        allow('StartApply', ['lambda:InvokeFunction'], [arnRef(remediation.applyFunction)]),
      ]),
    );
    expect(managedPolicyArns).toEqual([]);
  });
});

describe('the apply function', () => {
  it('runs Node.js 22 on ARM64 with tracing, 4 minutes: the 2-minute verification with room to spare', () => {
    expect(properties(remediation.applyFunction)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Timeout: 240,
      LoggingConfig: { LogGroup: { Ref: logicalId(remediation.applyFunction.logGroup) } },
      Role: { 'Fn::GetAtt': [logicalId(remediation.applyFunctionRole), 'Arn'] },
    });
    const { Timeout, Environment } = properties(remediation.applyFunction) as {
      Timeout: number;
      Environment: { Variables: { VERIFY_TIMEOUT_SECONDS: string } };
    };
    expect(Timeout).toBeGreaterThanOrEqual(Number(Environment.Variables.VERIFY_TIMEOUT_SECONDS) + 60);
  });

  it('gets its table, topic, bus, the protected roles, the verification window and the review URL from the environment', () => {
    expect((properties(remediation.applyFunction).Environment as { Variables: unknown }).Variables).toEqual({
      PROPOSALS_TABLE_NAME: { Ref: logicalId(remediation.proposalsTable) },
      TOPIC_ARN: { Ref: logicalId(remediation.topic) },
      EVENT_BUS_NAME: { Ref: logicalId(remediation.eventBus) },
      DECISION_SIGNING_KEY_ID: {
        'Fn::GetAtt': [logicalId(remediation.approvalKeys.decisionSigningKey), 'Arn'],
      },
      PROTECTED_ROLE_ARNS: {
        'Fn::Join': [
          '',
          [
            { 'Fn::GetAtt': [logicalId(remediation.applyFunctionRole), 'Arn'] },
            ',',
            { 'Fn::GetAtt': [logicalId(remediation.functionRole), 'Arn'] },
            ',',
            { 'Fn::GetAtt': [logicalId(remediation.approvalFunctionRole), 'Arn'] },
            ',',
            { 'Fn::GetAtt': [logicalId(remediation.reconciler.role), 'Arn'] },
          ],
        ],
      },
      VERIFY_TIMEOUT_SECONDS: '120',
      REVIEW_BASE_URL: { 'Fn::GetAtt': [logicalId(remediation.httpApi), 'ApiEndpoint'] },
      ...POWERTOOLS_ENVIRONMENT,
    });
  });

  it('is retried twice when invoked asynchronously, then sent to its dead-letter queue; stale events too', () => {
    // The other one is the reconciler's (no retries).
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(remediation.applyFunction) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(remediation.applyDlq), 'Arn'] } },
      },
    });
  });

  it('has an encrypted, TLS-only dead-letter queue that keeps failures 14 days', () => {
    expect(properties(remediation.applyDlq)).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(remediation.applyDlq) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('names its dead-letter queue in a stack output', () => {
    template.hasOutput('ApplyDeadLetterQueueUrl', { Value: { Ref: logicalId(remediation.applyDlq) } });
  });

  it('is started by the approval function and the reconciler (their roles) only: no event source, no invoke permission', () => {
    const applyRef = JSON.stringify({ Ref: logicalId(remediation.applyFunction) });
    const applyArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(remediation.applyFunction), 'Arn'] });
    const mentions = Object.values({
      ...template.findResources('AWS::Lambda::Permission'),
      ...template.findResources('AWS::Lambda::EventSourceMapping'),
    }).filter((resource) => {
      const text = JSON.stringify(resource.Properties);
      return text.includes(applyRef) || text.includes(applyArn);
    });
    expect(mentions).toEqual([]);
  });
});

describe("the apply role's permissions", () => {
  const statementsOfApply = () => rolePermissions(template, logicalId(remediation.applyFunctionRole));

  it('are exactly these statements', () => {
    const { statements, managedPolicyArns } = statementsOfApply();
    expect(sorted(statements)).toEqual(
      sorted([
        allow(
          'WriteOwnLogs',
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          [arnRef(remediation.applyFunction.logGroup)],
        ),
        XRAY,
        allow(
          'WriteInlinePoliciesOfGroups',
          ['iam:PutGroupPolicy', 'iam:GetGroupPolicy'],
          [accountIam('group/*')],
        ),
        allow(
          'WriteInlinePoliciesOfUsers',
          ['iam:PutUserPolicy', 'iam:GetUserPolicy'],
          [accountIam('user/*')],
        ),
        allow(
          'WriteInlinePoliciesOfRoles',
          ['iam:PutRolePolicy', 'iam:GetRolePolicy'],
          [accountIam('role/*')],
        ),
        allow(
          'VerifyByResimulating',
          ['iam:SimulatePrincipalPolicy'],
          [accountIam('user/*'), accountIam('role/*')],
        ),
        deny(
          'NeverWriteThisStacksRoles',
          ['iam:Put*Policy'],
          [
            arnRef(remediation.applyFunctionRole),
            arnRef(remediation.approvalFunctionRole),
            arnRef(remediation.functionRole),
            arnRef(remediation.reconciler.role),
          ],
        ),
        deny(
          'NeverWriteAwsManagedRoles',
          ['iam:Put*Policy'],
          [accountIam('role/aws-reserved/*'), accountIam('role/aws-service-role/*')],
        ),
        allow(
          'ApplyProposals',
          ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          [arnRef(remediation.proposalsTable)],
        ),
        ...IAM_READS,
        allow(
          'ReadDecisionPublicKey',
          ['kms:GetPublicKey'],
          [arnRef(remediation.approvalKeys.decisionSigningKey)],
        ),
        allow('PublishOutcomes', ['sns:Publish'], [`\${${logicalId(remediation.topic)}}`]),
        allow('EncryptForTheTopic', ['kms:Decrypt', 'kms:GenerateDataKey'], [arnRef(remediation.key)]),
        allow('AnnounceOnTheStacksBus', ['events:PutEvents'], [arnRef(remediation.eventBus)]),
        allow(
          null,
          ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          [arnRef(remediation.applyDlq)],
        ),
      ]),
    );
    expect(managedPolicyArns).toEqual([]);
  });

  it('deny inline-policy writes on every role of this stack, in the same policy as the allows', () => {
    const roles = Object.keys(template.findResources('AWS::IAM::Role')).map((role) => `\${${role}.Arn}`);
    const denied = statementsOfApply().statements.find(
      (statement) => statement.sid === 'NeverWriteThisStacksRoles',
    );
    expect(denied?.resources).toEqual(roles.sort());
    // One policy: the allows can never be attached without the denies.
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(logicalId(remediation.applyFunctionRole)),
    );
    expect(policies).toHaveLength(1);
  });

  it('do not sign or start anything: no kms:Sign, secretsmanager or lambda action', () => {
    const actions = statementsOfApply().statements.flatMap((statement) => statement.actions);
    expect(actions.filter((action) => /^(secretsmanager|lambda|sts):|^kms:Sign$/.test(action))).toEqual([]);
  });
});
