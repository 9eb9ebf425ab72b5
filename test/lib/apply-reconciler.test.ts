/**
 * The apply reconciler in the main stack: its schedule, its function, and a role that can only query
 * the byStatus index and start the apply function.
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  RECONCILE_GRACE,
  RECONCILE_INTERVAL,
  RECONCILE_LIMIT_PER_STATUS,
} from '../../lib/constructs/apply-reconciler';
import { APPLY_TIMEOUT } from '../../lib/constructs/apply-function';
import type { PassRoleRemediation } from '../../lib/passrole-remediation';
import { readReconcileSettings } from '../../lambda/handlers/reconcile/settings';
import { buildMainStack } from './support/cdk-app';
import { iamActionsOutside, renderIntrinsic, rolePermissions } from './support/iam-statements';

let stack: Stack;
let remediation: PassRoleRemediation;
let template: Template;

beforeAll(() => {
  ({ stack, remediation, template } = buildMainStack());
});

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const resource = (construct: IConstruct) =>
  template.toJSON().Resources[logicalId(construct)] as { Properties: Record<string, unknown> };
const environment = () =>
  (resource(remediation.reconciler.function).Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;

describe('the reconciler schedule', () => {
  it('runs every 5 minutes, enabled, on the default bus', () => {
    expect(RECONCILE_INTERVAL.toMinutes()).toBe(5);
    expect(resource(remediation.reconciler.schedule).Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
    });
    expect(resource(remediation.reconciler.schedule).Properties.EventBusName).toBeUndefined();
  });

  it('targets the reconciler function alone, without retries (the next run comes anyway)', () => {
    expect(resource(remediation.reconciler.schedule).Properties.Targets).toEqual([
      {
        Id: expect.any(String),
        Arn: arnOf(remediation.reconciler.function),
        RetryPolicy: { MaximumRetryAttempts: 0 },
      },
    ]);
  });

  it('may invoke the function, from this rule only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(remediation.reconciler.function),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(remediation.reconciler.schedule),
    });
  });
});

describe('the reconciler function', () => {
  it('runs Node.js 22 on ARM64 with tracing, 256 MB, 1 minute, its own log group and role', () => {
    expect(resource(remediation.reconciler.function).Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      MemorySize: 256,
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: logicalId(remediation.reconciler.logGroup) } },
      Role: arnOf(remediation.reconciler.role),
    });
    expect(resource(remediation.reconciler.function).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('is not retried by Lambda either, and drops a scheduled event older than one interval', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(remediation.reconciler.function) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('gets its table, the apply function, its limits and the decision key from the environment', () => {
    expect(environment()).toEqual({
      PROPOSALS_TABLE_NAME: { Ref: logicalId(remediation.proposalsTable) },
      APPLY_FUNCTION_NAME: { Ref: logicalId(remediation.applyFunction) },
      RECONCILE_GRACE_SECONDS: '300',
      ANNOUNCE_WITHIN_HOURS: '24',
      LIMIT_PER_STATUS: String(RECONCILE_LIMIT_PER_STATUS),
      DECISION_SIGNING_KEY_ID: {
        'Fn::GetAtt': [logicalId(remediation.approvalKeys.decisionSigningKey), 'Arn'],
      },
      POWERTOOLS_SERVICE_NAME: 'passrole-doctor',
      POWERTOOLS_METRICS_NAMESPACE: 'PassRoleDoctor',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('leaves a record alone for longer than an apply invocation can run', () => {
    expect(RECONCILE_GRACE.toSeconds()).toBeGreaterThan(APPLY_TIMEOUT.toSeconds());
  });

  it('is given an environment its settings reader accepts', () => {
    const variables = Object.fromEntries(
      Object.entries(environment()).map(([name, value]) => [name, renderIntrinsic(value)]),
    );
    // The Refs render as ${LogicalId}: stand in a deployed name for each.
    variables.PROPOSALS_TABLE_NAME = 'PassRoleDoctor-Proposals-1';
    variables.APPLY_FUNCTION_NAME = 'PassRoleDoctor-ApplyFunction-1';
    variables.DECISION_SIGNING_KEY_ID =
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(readReconcileSettings(variables).reconcile).toEqual({
      graceMs: RECONCILE_GRACE.toMilliseconds(),
      announceWithinMs: 24 * 3_600_000,
      limitPerStatus: RECONCILE_LIMIT_PER_STATUS,
    });
  });
});

describe("the reconciler role's permissions", () => {
  const statements = () => rolePermissions(template, logicalId(remediation.reconciler.role));

  it('are exactly its logs, X-Ray, Query on the byStatus index, the decision public key and invoking the apply function', () => {
    const { statements: rendered, managedPolicyArns } = statements();
    const table = `\${${logicalId(remediation.proposalsTable)}.Arn}`;
    const byContent = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect([...rendered].sort(byContent)).toEqual(
      [
        {
          sid: 'WriteOwnLogs',
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          notActions: [],
          resources: [`\${${logicalId(remediation.reconciler.logGroup)}.Arn}`],
        },
        {
          sid: null,
          effect: 'Allow',
          actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          notActions: [],
          resources: ['*'],
        },
        {
          sid: 'ListProposalsByStatus',
          effect: 'Allow',
          actions: ['dynamodb:Query'],
          notActions: [],
          resources: [`${table}/index/byStatus`],
        },
        {
          sid: 'ReadDecisionPublicKey',
          effect: 'Allow',
          actions: ['kms:GetPublicKey'],
          notActions: [],
          resources: [`\${${logicalId(remediation.approvalKeys.decisionSigningKey)}.Arn}`],
        },
        {
          sid: 'StartApply',
          effect: 'Allow',
          actions: ['lambda:InvokeFunction'],
          notActions: [],
          resources: [`\${${logicalId(remediation.applyFunction)}.Arn}`],
        },
      ].sort(byContent),
    );
    expect(managedPolicyArns).toEqual([]);
  });

  it('hold no IAM action at all and no DynamoDB write or table-wide read', () => {
    const actions = statements().statements.flatMap((statement) => statement.actions);
    expect(iamActionsOutside(statements().statements, [])).toEqual([]);
    expect(actions.filter((action) => /^dynamodb:/i.test(action))).toEqual(['dynamodb:Query']);
    const dynamodbResources = statements()
      .statements.filter((statement) => statement.actions.includes('dynamodb:Query'))
      .flatMap((statement) => statement.resources);
    expect(dynamodbResources.every((arn) => arn.endsWith('/index/byStatus'))).toBe(true);
  });

  it('cannot be written by the apply function: its role is one of the protected roles', () => {
    const applyStatements = rolePermissions(template, logicalId(remediation.applyFunctionRole)).statements;
    const denied = applyStatements.find((statement) => statement.sid === 'NeverWriteThisStacksRoles');
    expect(denied?.resources).toContain(`\${${logicalId(remediation.reconciler.role)}.Arn}`);
    const applyEnvironment = resource(remediation.applyFunction).Properties.Environment as {
      Variables: { PROTECTED_ROLE_ARNS: unknown };
    };
    expect(renderIntrinsic(applyEnvironment.Variables.PROTECTED_ROLE_ARNS).split(',')).toContain(
      `\${${logicalId(remediation.reconciler.role)}.Arn}`,
    );
  });
});

describe('the reconciler alarms', () => {
  it('alarm after two failed runs in a row, on its errors and on apply requests that failed', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(remediation.reconciler.function) } }],
      Threshold: 0,
      EvaluationPeriods: 2,
      AlarmActions: [{ Ref: logicalId(remediation.topic) }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'PassRoleDoctor',
      MetricName: 'ApplyRequestFailures',
      Dimensions: [{ Name: 'service', Value: 'passrole-doctor' }],
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 2,
      AlarmActions: [{ Ref: logicalId(remediation.topic) }],
    });
  });

  it('alarm at the first approved proposal whose decision does not verify', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'PassRoleDoctor',
      MetricName: 'UnverifiedApprovals',
      Dimensions: [{ Name: 'service', Value: 'passrole-doctor' }],
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: logicalId(remediation.topic) }],
    });
  });

  it('graph applies asked for again and failed requests on the dashboard', () => {
    const body = renderIntrinsic(resource(remediation.dashboard).Properties.DashboardBody);
    const metrics = JSON.stringify(
      (JSON.parse(body) as { widgets: { properties: { metrics?: unknown[] } }[] }).widgets.flatMap(
        (widget) => widget.properties.metrics ?? [],
      ),
    );
    expect(metrics).toContain('"AppliesRequestedAgain"');
    expect(metrics).toContain('"ApplyRequestFailures"');
  });
});
