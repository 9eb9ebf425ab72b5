/** The main stack with cdk.json's defaults (bundling skipped: test/lib/bundle.test.ts bundles). */
import { type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { APPLY_IAM_ACTIONS } from '../../lib/constructs/apply-function';
import { IAM_READ_ACTIONS } from '../../lib/constructs/diagnose-function';
import {
  ACCOUNT_AUTHORIZATION_READ_ACTIONS,
  ENTITY_READ_ACTIONS,
} from '../../lib/constructs/handler-function';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../../lib/denial-event-patterns';
import type { PassRoleRemediation } from '../../lib/passrole-remediation';
import { buildMainStack } from './support/cdk-app';
import { iamActionsOutside, renderIntrinsic, rolePermissions } from './support/iam-statements';

let stack: Stack;
let remediation: PassRoleRemediation;
let template: Template;

beforeAll(() => {
  ({ stack, remediation, template } = buildMainStack());
});

/** The logical id CloudFormation knows a construct by. */
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

describe('routing', () => {
  it('has one rule, on the default bus, with exactly the exported denial pattern', () => {
    // The other rule is the reconciler's schedule (test/lib/apply-reconciler.test.ts).
    template.resourceCountIs('AWS::Events::Rule', 2);
    expect(
      Object.values(template.findResources('AWS::Events::Rule')).filter(
        (rule) => (rule.Properties as { EventPattern?: unknown }).EventPattern !== undefined,
      ),
    ).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: JSON.parse(JSON.stringify(PASSROLE_DENIAL_EVENT_PATTERN)),
      EventBusName: Match.absent(),
      State: 'ENABLED',
    });
  });

  it('targets the queue, with its own dead-letter queue and retry policy', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        {
          Arn: arnOf(remediation.queue),
          DeadLetterConfig: { Arn: arnOf(remediation.targetDlq) },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        },
      ],
    });
  });

  it('encrypts the queue with the stack key and moves a message to the DLQ after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: arnOf(remediation.key),
      RedrivePolicy: { deadLetterTargetArn: arnOf(remediation.dlq), maxReceiveCount: 5 },
    });
  });

  it('gives the queue a visibility timeout of at least six times the function timeout', () => {
    const queue = template.toJSON().Resources[logicalId(remediation.queue)].Properties;
    const fn = template.toJSON().Resources[logicalId(remediation.function)].Properties;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
  });

  it('encrypts both dead-letter queues with the stack key and keeps their messages 14 days', () => {
    for (const dlq of [remediation.dlq, remediation.targetDlq]) {
      expect(template.toJSON().Resources[logicalId(dlq)].Properties).toEqual({
        KmsMasterKeyId: arnOf(remediation.key),
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    }
  });

  it('refuses requests without TLS on every queue', () => {
    for (const queue of [remediation.queue, remediation.dlq, remediation.targetDlq]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it("lets EventBridge (this account's) and CloudWatch alarms use the key, and rotates it", () => {
    const key = template.toJSON().Resources[logicalId(remediation.key)].Properties;
    expect(key.EnableKeyRotation).toBe(true);
    const statements = key.KeyPolicy.Statement as { Principal: { Service?: string }; Action: string[] }[];
    const actionsFor = (service: string) =>
      statements
        .filter((statement) => statement.Principal.Service === service)
        .flatMap((statement) => statement.Action);
    expect(actionsFor('events.amazonaws.com')).toEqual(
      expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']),
    );
    expect(actionsFor('cloudwatch.amazonaws.com')).toEqual(
      expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']),
    );
    for (const statement of statements.filter((candidate) => candidate.Principal.Service !== undefined)) {
      expect(statement).toMatchObject({
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
    }
  });
});

describe('the diagnose function', () => {
  it('is fed by the queue in batches, reports partial batch failures and caps concurrency at the setting', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(remediation.queue),
      FunctionName: { Ref: logicalId(remediation.function) },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('runs Node.js 22 on ARM64 with active tracing, the ESM bundle and its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      MemorySize: 1024,
      Timeout: 120,
      LoggingConfig: { LogGroup: { Ref: logicalId(remediation.function.logGroup) } },
      Role: arnOf(remediation.functionRole),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('gets its tables, topic, settings, the review links and Powertools configuration from the environment', () => {
    const environment =
      template.toJSON().Resources[logicalId(remediation.function)].Properties.Environment.Variables;
    expect(environment).toEqual({
      PROPOSALS_TABLE_NAME: { Ref: logicalId(remediation.proposalsTable) },
      IDEMPOTENCY_TABLE_NAME: { Ref: logicalId(remediation.idempotencyTable) },
      TOPIC_ARN: { Ref: logicalId(remediation.topic) },
      PROPOSAL_TTL_HOURS: '72',
      RENOTIFY_AFTER_HOURS: '24',
      LINK_MAC_KEY_ID: arnOf(remediation.approvalKeys.linkMacKey),
      APPROVAL_MODE: 'both',
      REVIEW_BASE_URL: { 'Fn::GetAtt': [logicalId(remediation.httpApi), 'ApiEndpoint'] },
      APPROVERS: '',
      ALLOW_ADMIN_ROLES: 'false',
      AUTO_APPROVE: 'off',
      // Its content: test/lib/locked-down-resources.test.ts.
      OWN_RESOURCE_ARNS: expect.anything(),
      PERMISSION_SET_PEOPLE_LIMIT: '10',
      POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
      POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });
});

describe("the diagnose function role's permissions", () => {
  it('are exactly these statements', () => {
    const role = logicalId(remediation.functionRole);
    const { statements, managedPolicyArns } = rolePermissions(template, role);
    const key = `\${${logicalId(remediation.key)}.Arn}`;
    const proposals = `\${${logicalId(remediation.proposalsTable)}.Arn}`;
    const expected = [
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`\${${logicalId(remediation.function.logGroup)}.Arn}`],
      },
      {
        sid: 'ReadAccountEntities',
        actions: [...ENTITY_READ_ACTIONS].sort(),
        resources: ['group', 'role', 'user'].map(
          (entity) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${entity}/*`,
        ),
      },
      { sid: 'ListRolesTrustingTheRole', actions: ['iam:ListRoles'], resources: ['*'] },
      {
        sid: 'ReadInstanceProfiles',
        actions: ['iam:GetInstanceProfile'],
        resources: ['arn:${AWS::Partition}:iam::${AWS::AccountId}:instance-profile/*'],
      },
      {
        sid: 'ReadManagedPolicies',
        actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
        resources: [
          'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/*',
          'arn:${AWS::Partition}:iam::aws:policy/*',
        ],
      },
      {
        sid: 'SimulateAccountPrincipals',
        actions: ['iam:GetContextKeysForPrincipalPolicy', 'iam:SimulatePrincipalPolicy'],
        resources: ['group', 'role', 'user'].map(
          (entity) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${entity}/*`,
        ),
      },
      {
        sid: 'DecodeEc2AuthorizationMessages',
        actions: ['sts:DecodeAuthorizationMessage'],
        resources: ['*'],
      },
      {
        sid: 'ReadAwsAuthorizationDetails',
        actions: ['iam:GetRequestAuthorizationDetails'],
        resources: ['*'],
      },
      { sid: null, actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
      {
        sid: 'ReadAndWriteProposals',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [proposals],
      },
      {
        sid: 'RecordIdempotency',
        actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [`\${${logicalId(remediation.idempotencyTable)}.Arn}`],
      },
      {
        sid: 'PublishProposals',
        actions: ['sns:Publish'],
        resources: [`\${${logicalId(remediation.topic)}}`],
      },
      { sid: 'EncryptForTheTopic', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key] },
      {
        sid: 'GenerateReviewLinkMac',
        actions: ['kms:GenerateMac'],
        resources: [`\${${logicalId(remediation.approvalKeys.linkMacKey)}.Arn}`],
      },
      {
        sid: null,
        actions: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        resources: [`\${${logicalId(remediation.queue)}.Arn}`],
      },
      { sid: null, actions: ['kms:Decrypt'], resources: [key] },
    ].map((statement) => ({
      ...statement,
      effect: 'Allow',
      notActions: [],
      resources: [...statement.resources].sort(),
    }));

    const byContent = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect([...statements].sort(byContent)).toEqual([...expected].sort(byContent));
    expect(managedPolicyArns).toEqual([]);
  });

  it('hold no IAM write action: every iam action is one of the read actions', () => {
    const { statements } = rolePermissions(template, logicalId(remediation.functionRole));
    expect(statements.length).toBeGreaterThan(0);
    expect(iamActionsOutside(statements, IAM_READ_ACTIONS)).toEqual([]);
  });

  it('are the only policy attached to the role', () => {
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(logicalId(remediation.functionRole)),
    );
    expect(attached).toHaveLength(1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });
});

describe('IAM write actions', () => {
  const iamActionsOf = (roleLogicalId: string) =>
    rolePermissions(template, roleLogicalId)
      .statements.filter((statement) => statement.effect === 'Allow')
      .flatMap((statement) => statement.actions)
      .filter((action) => action.toLowerCase().startsWith('iam:'));

  it("are only in the apply function's role: every other role of the stack holds IAM reads at most", () => {
    const apply = logicalId(remediation.applyFunctionRole);
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roles.sort()).toEqual(
      [
        apply,
        logicalId(remediation.approvalFunctionRole),
        logicalId(remediation.functionRole),
        logicalId(remediation.reconciler.role),
      ].sort(),
    );
    for (const role of roles.filter((candidate) => candidate !== apply)) {
      const { statements, managedPolicyArns } = rolePermissions(template, role);
      expect({ role, beyondReads: iamActionsOutside(statements, IAM_READ_ACTIONS) }).toEqual({
        role,
        beyondReads: [],
      });
      expect(managedPolicyArns).toEqual([]);
    }
  });

  it('leave the approval role the account authorization reads of its re-analysis, nothing else in IAM', () => {
    const role = logicalId(remediation.approvalFunctionRole);
    const reads = [...ACCOUNT_AUTHORIZATION_READ_ACTIONS].sort();
    expect([...new Set(iamActionsOf(role))].sort()).toEqual(reads);
    expect(iamActionsOutside(rolePermissions(template, role).statements, reads)).toEqual([]);
  });

  it('give the apply role exactly Put/Get of group, user and role inline policies, SimulatePrincipalPolicy and the re-reads', () => {
    const role = logicalId(remediation.applyFunctionRole);
    const reads = [...ACCOUNT_AUTHORIZATION_READ_ACTIONS];
    expect(
      iamActionsOutside(rolePermissions(template, role).statements, [...APPLY_IAM_ACTIONS, ...reads]),
    ).toEqual([]);
    expect([...new Set(iamActionsOf(role))].sort()).toEqual(
      [
        ...reads,
        'iam:PutGroupPolicy',
        'iam:PutRolePolicy',
        'iam:PutUserPolicy',
        'iam:SimulatePrincipalPolicy',
      ].sort(),
    );
  });
});

describe('tables', () => {
  it('keeps proposals on demand, with PITR, encryption, TTL, the byStatus index, retained on destroy', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byStatus',
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'status', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ]),
      },
    });
  });

  it('gives Powertools Idempotency its default schema: id, TTL on expiration', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      },
    });
  });
});

describe('notifications', () => {
  it('encrypts the topic with the stack key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(remediation.key) });
  });

  it('refuses publishing without TLS in the topic policy', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(remediation.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribes nobody and configures no chat channel with the defaults', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
    expect(remediation.notificationChannel.chatbotRole).toBeUndefined();
  });

  it('creates no trail without createTrail', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(remediation.trail).toBeUndefined();
  });
});

describe('operations', () => {
  it('alarms on messages in any dead-letter queue and on errors of every function, notifying the topic', () => {
    const alarmOn = (metricName: string, dimension: Record<string, unknown>) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Dimensions: [dimension],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: logicalId(remediation.topic) }],
      });
    for (const dlq of [remediation.dlq, remediation.targetDlq, remediation.applyDlq]) {
      alarmOn('ApproximateNumberOfMessagesVisible', {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [logicalId(dlq), 'QueueName'] },
      });
    }
    for (const fn of [
      remediation.function,
      remediation.approvalFunction,
      remediation.applyFunction,
      remediation.reconciler.function,
    ]) {
      alarmOn('Errors', { Name: 'FunctionName', Value: { Ref: logicalId(fn) } });
    }
    // The reconciler's failed apply requests (test/lib/apply-reconciler.test.ts).
    alarmOn('ApplyRequestFailures', { Name: 'service', Value: 'passrole-doctor' });
    expect(remediation.alarms).toHaveLength(9);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  it("graphs the function's metrics on the dashboard: denials, proposals, duplicates, errors, p95 duration", () => {
    const body = renderIntrinsic(
      template.toJSON().Resources[logicalId(remediation.dashboard)].Properties.DashboardBody,
    );
    const metrics = JSON.stringify(
      JSON.parse(body).widgets.flatMap(
        (widget: { properties: { metrics?: unknown[] } }) => widget.properties.metrics ?? [],
      ),
    );
    for (const metric of [
      'DenialsSeen',
      'NotApplicable',
      'ProposalsCreated',
      'DuplicatesSuppressed',
      'Errors',
    ]) {
      expect(metrics).toContain(`["PassRoleDoctor","${metric}","service","passrole-doctor"`);
    }
    expect(metrics).toMatch(
      /\["PassRoleDoctor","DiagnosisDuration","service","passrole-doctor",\{[^}]*"stat":"p95"/,
    );
  });
});
