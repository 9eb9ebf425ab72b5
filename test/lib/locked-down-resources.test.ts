/**
 * Issue 10's locked-down resources: every resource policy is an explicit Deny with exceptions by
 * aws:PrincipalArn, each denies changes to itself to all but the deploy role (and root), and every
 * role gets exactly the DynamoDB actions it calls.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { IAM_ROUTES, LINK_ROUTES } from '../../lib/constructs/approval-api';
import { KEY_CHANGE_ACTIONS } from '../../lib/constructs/approval-keys';
import type { PassRoleRemediation } from '../../lib/passrole-remediation';
import { buildProtectionScp, SCP_MAX_CHARACTERS, writeProtectionScp } from '../../lib/protection-scp';
import { buildMainStack, type MainStack } from './support/cdk-app';
import { renderIntrinsic, rolePermissions } from './support/iam-statements';

let stack: Stack;
let remediation: PassRoleRemediation;
let template: Template;

beforeAll(() => {
  ({ stack, remediation, template } = buildMainStack());
});

const idIn = (inStack: Stack, construct: IConstruct) =>
  inStack.getLogicalId(construct.node.defaultChild as CfnElement);
const logicalId = (construct: IConstruct) => idIn(stack, construct);
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const properties = (construct: IConstruct, inTemplate: Template = template) =>
  inTemplate.toJSON().Resources[logicalId(construct)].Properties as Record<string, unknown>;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const statementsOf = (document: unknown) => (document as { Statement: Statement[] }).Statement;
const bySid = (statements: Statement[], sid: string) => {
  const found = statements.find((statement) => statement.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid} in ${JSON.stringify(statements)}`);
  return found;
};
const keyPolicy = (key: IConstruct) => statementsOf(properties(key).KeyPolicy);
const rendered = (values: unknown) => (values as unknown[]).map(renderIntrinsic);

const CFN_EXEC_ROLE =
  'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}';
const ROOT = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root';
const roleArn = (role: IConstruct) => `\${${logicalId(role)}.Arn}`;

/** The Deny that keeps a policy's changes to the deploy role and root. */
function expectDeployRoleOnly(statement: Statement, actions: readonly string[]): void {
  expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*' });
  expect([statement.Action].flat().sort()).toEqual([...actions].sort());
  expect(Object.keys(statement.Condition ?? {})).toEqual(['ArnNotEquals']);
  expect(rendered(statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'])).toEqual([CFN_EXEC_ROLE, ROOT]);
}

describe('the key policies', () => {
  it('deny GenerateMac to all but the diagnose role, VerifyMac to all but the approval role', () => {
    const statements = keyPolicy(remediation.approvalKeys.linkMacKey);
    expect(bySid(statements, 'DenyGenerateReviewLinkMacToAllButItsRole')).toEqual({
      Sid: 'DenyGenerateReviewLinkMacToAllButItsRole',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:GenerateMac',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [arnOf(remediation.functionRole)] } },
    });
    expect(bySid(statements, 'DenyVerifyReviewLinkMacToAllButItsRole')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:VerifyMac',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [arnOf(remediation.approvalFunctionRole)] } },
    });
  });

  it('deny kms:Sign with the decision key to all but the approval role', () => {
    expect(
      bySid(keyPolicy(remediation.approvalKeys.decisionSigningKey), 'DenySignDecisionsToAllButItsRole'),
    ).toEqual({
      Sid: 'DenySignDecisionsToAllButItsRole',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:Sign',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [arnOf(remediation.approvalFunctionRole)] } },
    });
  });

  it('keep the root statement (CloudFormation administers the keys through IAM) and deny changes to all but the deploy role', () => {
    for (const key of [
      remediation.key,
      remediation.approvalKeys.linkMacKey,
      remediation.approvalKeys.decisionSigningKey,
    ]) {
      const statements = keyPolicy(key);
      expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
      expectDeployRoleOnly(bySid(statements, 'DenyKeyChangesToAllButTheDeployRole'), KEY_CHANGE_ACTIONS);
      expect(KEY_CHANGE_ACTIONS).toEqual(
        expect.arrayContaining([
          'kms:PutKeyPolicy',
          'kms:ScheduleKeyDeletion',
          'kms:DisableKey',
          'kms:CreateGrant',
        ]),
      );
    }
  });

  it('tag the keys with the stack name, for the shipped SCP', () => {
    for (const key of [
      remediation.key,
      remediation.approvalKeys.linkMacKey,
      remediation.approvalKeys.decisionSigningKey,
    ]) {
      expect(properties(key).Tags).toEqual([{ Key: 'passrole-doctor:stack', Value: 'PassRoleDoctor' }]);
    }
  });

  it("give EventBridge only GenerateDataKey*/Decrypt on the queues' key, for this account", () => {
    const events = keyPolicy(remediation.key).filter((statement) =>
      JSON.stringify(statement.Principal).includes('events.amazonaws.com'),
    );
    expect(events).toEqual([
      {
        Sid: 'EventBridgeSendsToTheQueues',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('take the deploy role from the deployRoleArn setting when set', () => {
    const deployRoleArn = 'arn:aws:iam::123456789012:role/Deployer';
    const built = buildMainStack({ context: { deployRoleArn } });
    const statements = statementsOf(
      (
        built.template.toJSON().Resources[
          idIn(built.stack, built.remediation.approvalKeys.decisionSigningKey)
        ].Properties as { KeyPolicy: unknown }
      ).KeyPolicy,
    );
    expect(
      rendered(
        bySid(statements, 'DenyKeyChangesToAllButTheDeployRole').Condition?.ArnNotEquals?.[
          'aws:PrincipalArn'
        ],
      ),
    ).toEqual([deployRoleArn, ROOT]);
  });
});

describe('the topic policy', () => {
  const topicStatements = () =>
    statementsOf(
      (
        Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0]?.Properties as {
          PolicyDocument: unknown;
        }
      ).PolicyDocument,
    );

  it('denies sns:Publish to all but the diagnose and apply roles, unless CloudWatch publishes for one of the stack alarms', () => {
    const statement = bySid(topicStatements(), 'OnlyTheStacksFunctionsAndAlarmsPublish');
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish' });
    const condition = statement.Condition?.ArnNotEquals ?? {};
    expect(rendered(condition['aws:PrincipalArn'])).toEqual([
      roleArn(remediation.functionRole),
      roleArn(remediation.applyFunctionRole),
    ]);
    expect(rendered(condition['aws:SourceArn']).sort()).toEqual(
      remediation.alarms.map((alarm) => roleArn(alarm)).sort(),
    );
    expect(remediation.alarms).toHaveLength(9);
  });

  it('lets CloudWatch publish for the stack alarms, from this account', () => {
    const statement = bySid(topicStatements(), 'TheStacksAlarmsPublish');
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(rendered(statement.Condition?.ArnEquals?.['aws:SourceArn'])).toHaveLength(9);
  });

  it('denies every subscription when no channel is configured', () => {
    expect(bySid(topicStatements(), 'NoSubscriptionsWithoutAChannel')).toEqual({
      Sid: 'NoSubscriptionsWithoutAChannel',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Subscribe',
      Resource: { Ref: logicalId(remediation.topic) },
    });
  });

  it('denies changes to itself to all but the deploy role', () => {
    expectDeployRoleOnly(bySid(topicStatements(), 'DenyTopicChangesToAllButTheDeployRole'), [
      'sns:AddPermission',
      'sns:DeleteTopic',
      'sns:PutDataProtectionPolicy',
      'sns:RemovePermission',
      'sns:SetTopicAttributes',
    ]);
  });
});

describe('the routing queues', () => {
  const queuePolicy = (queue: IConstruct) => {
    const found = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find(
      (policy) =>
        JSON.stringify((policy.Properties as { Queues: unknown }).Queues) ===
        JSON.stringify([{ Ref: logicalId(queue) }]),
    );
    return statementsOf((found?.Properties as { PolicyDocument: unknown }).PolicyDocument);
  };
  const ruleArn = () => arnOf(remediation.rule);

  it.each(['queue', 'targetDlq'] as const)(
    'admit EventBridge only from the stack rule, and deny SendMessage otherwise (%s)',
    (name) => {
      const queue = remediation[name];
      const statements = queuePolicy(queue);
      const allows = statements.filter((statement) => statement.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': ruleArn() } },
        }),
      ]);
      expect(
        statements.find((statement) => statement.Effect === 'Deny' && statement.Action === 'sqs:SendMessage'),
      ).toMatchObject({
        Principal: '*',
        Resource: arnOf(queue),
        Condition: { ArnNotEquals: { 'aws:SourceArn': ruleArn() } },
      });
      expect(JSON.stringify(statements)).not.toContain('aws:SourceAccount');
    },
  );

  it('deny changes to the queues to all but the deploy role', () => {
    for (const queue of [remediation.queue, remediation.dlq, remediation.targetDlq]) {
      expectDeployRoleOnly(bySid(queuePolicy(queue), 'DenyQueueChangesToAllButTheDeployRole'), [
        'sqs:AddPermission',
        'sqs:DeleteQueue',
        'sqs:RemovePermission',
        'sqs:SetQueueAttributes',
        'sqs:TagQueue',
        'sqs:UntagQueue',
      ]);
    }
  });
});

describe('the proposals table', () => {
  it('keeps its logical id (it is retained: a new id would orphan the old table)', () => {
    expect(logicalId(remediation.proposalsTable)).toBe('PassRoleRemediationTablesProposals0A00BE9D');
  });

  it('denies writes to all but the diagnose, approval and apply roles, and policy changes to all but the deploy role', () => {
    const statements = statementsOf(
      (properties(remediation.proposalsTable).ResourcePolicy as { PolicyDocument: unknown }).PolicyDocument,
    );
    const writes = bySid(statements, 'OnlyTheStacksFunctionsWrite');
    expect(writes).toMatchObject({ Effect: 'Deny', Principal: '*', Resource: '*' });
    expect([writes.Action].flat().sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PartiQLDelete',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(rendered(writes.Condition?.ArnNotEquals?.['aws:PrincipalArn'])).toEqual([
      roleArn(remediation.functionRole),
      roleArn(remediation.approvalFunctionRole),
      roleArn(remediation.applyFunctionRole),
    ]);
    expectDeployRoleOnly(bySid(statements, 'DenyPolicyChangesToAllButTheDeployRole'), [
      'dynamodb:DeleteResourcePolicy',
      'dynamodb:PutResourcePolicy',
    ]);
  });

  it('is reached by each role with exactly the DynamoDB actions it calls', () => {
    const table = roleArn(remediation.proposalsTable);
    const dynamodbOf = (role: IConstruct) =>
      rolePermissions(template, logicalId(role))
        .statements.filter((statement) => statement.actions.some((action) => action.startsWith('dynamodb:')))
        .map(({ actions, resources }) => ({ actions, resources }));
    const index = `${table}/index/byStatus`;
    expect(dynamodbOf(remediation.approvalFunctionRole)).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [table] },
      { actions: ['dynamodb:Query'], resources: [index] },
    ]);
    expect(dynamodbOf(remediation.applyFunctionRole)).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [table] },
    ]);
    expect(dynamodbOf(remediation.reconciler.role)).toEqual([
      { actions: ['dynamodb:Query'], resources: [index] },
    ]);
    expect(dynamodbOf(remediation.functionRole)).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table] },
      {
        actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [roleArn(remediation.idempotencyTable)],
      },
    ]);
  });
});

describe("the stack's event bus", () => {
  it('denies events:PutEvents to all but the apply role', () => {
    const bus = properties(remediation.eventBus);
    expect(bus.Name).toBe('PassRoleDoctor-events');
    expect(statementsOf(bus.Policy)).toEqual([
      {
        Sid: 'OnlyTheApplyFunctionPutsEvents',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: expect.anything(),
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [arnOf(remediation.applyFunctionRole)] } },
      },
    ]);
    expect(renderIntrinsic(statementsOf(bus.Policy)[0]?.Resource)).toBe(
      'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/PassRoleDoctor-events',
    );
  });
});

describe('the stack resources the functions know as their own (OWN_RESOURCE_ARNS)', () => {
  it('lists the tables, topic, queues, keys and bus by ARN, and functions, roles, policies, rules and aliases by name', () => {
    const variables = (fn: IConstruct) =>
      (properties(fn).Environment as { Variables: Record<string, unknown> }).Variables;
    const own = renderIntrinsic(variables(remediation.approvalFunction).OWN_RESOURCE_ARNS).split(',');
    expect(renderIntrinsic(variables(remediation.function).OWN_RESOURCE_ARNS)).toBe(own.join(','));
    expect(own).toEqual([
      roleArn(remediation.proposalsTable),
      `${roleArn(remediation.proposalsTable)}/index/*`,
      roleArn(remediation.idempotencyTable),
      `\${${logicalId(remediation.topic)}}`,
      roleArn(remediation.queue),
      roleArn(remediation.dlq),
      roleArn(remediation.targetDlq),
      roleArn(remediation.applyDlq),
      roleArn(remediation.key),
      roleArn(remediation.approvalKeys.linkMacKey),
      roleArn(remediation.approvalKeys.decisionSigningKey),
      roleArn(remediation.eventBus),
      'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:PassRoleDoctor-*',
      'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/PassRoleDoctor-*',
      'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/PassRoleDoctor-*',
      'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/PassRoleDoctor-*',
      'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/PassRoleDoctor/*',
    ]);
  });
});

describe('the reconciler', () => {
  it('verifies decisions with the public key: DECISION_SIGNING_KEY_ID and kms:GetPublicKey', () => {
    const key = remediation.approvalKeys.decisionSigningKey;
    expect(
      (properties(remediation.reconciler.function).Environment as { Variables: Record<string, unknown> })
        .Variables,
    ).toMatchObject({ DECISION_SIGNING_KEY_ID: arnOf(key) });
    expect(rolePermissions(template, logicalId(remediation.reconciler.role)).statements).toContainEqual({
      sid: 'ReadDecisionPublicKey',
      effect: 'Allow',
      actions: ['kms:GetPublicKey'],
      notActions: [],
      resources: [roleArn(key)],
    });
  });
});

describe('route throttles', () => {
  const routeSettings = (built: MainStack) =>
    (
      built.template.toJSON().Resources[idIn(built.stack, built.remediation.approvalApi.stage)]
        .Properties as {
        RouteSettings: Record<string, unknown>;
      }
    ).RouteSettings;

  it('gives every link route and every IAM route its own throttle, defaults 5/s with bursts of 10', () => {
    const expected = Object.fromEntries(
      [...LINK_ROUTES, ...IAM_ROUTES].map((route) => [
        `${route.method} ${route.path}`,
        { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      ]),
    );
    expect(routeSettings({ stack, remediation, template })).toEqual(expected);
  });

  it('takes each throttle from its settings, and names only routes that exist (approvalMode iam)', () => {
    const built = buildMainStack({
      context: { approvalMode: 'iam', linkThrottleRate: 1, iamThrottleRate: 20, iamThrottleBurst: 40 },
    });
    expect(routeSettings(built)).toEqual(
      Object.fromEntries(
        IAM_ROUTES.map((route) => [
          `${route.method} ${route.path}`,
          { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        ]),
      ),
    );
  });

  it('deploys the stage after the routes its settings name', () => {
    const stageResource = template.toJSON().Resources[logicalId(remediation.approvalApi.stage)] as {
      DependsOn: string[];
    };
    const routes = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(stageResource.DependsOn).toEqual(expect.arrayContaining(routes));
  });
});

describe('autoApprove', () => {
  it('is off by default: the diagnose role may not invoke the approval function', () => {
    const { statements } = rolePermissions(template, logicalId(remediation.functionRole));
    expect(statements.flatMap((statement) => statement.actions)).not.toContain('lambda:InvokeFunction');
  });

  it('with no-new-access, lets the diagnose role invoke the approval function, named in its environment', () => {
    const built = buildMainStack({
      context: {
        autoApprove: 'no-new-access',
        approvers: 'arn:aws:iam::*:role/Approver',
        allowAdminRoles: true,
      },
    });
    const id = (construct: IConstruct) => idIn(built.stack, construct);
    const { statements } = rolePermissions(built.template, id(built.remediation.functionRole));
    expect(statements).toContainEqual({
      sid: 'AskForAutoApproval',
      effect: 'Allow',
      actions: ['lambda:InvokeFunction'],
      notActions: [],
      resources: [`\${${id(built.remediation.approvalFunction)}.Arn}`],
    });
    for (const fn of [built.remediation.function, built.remediation.approvalFunction]) {
      expect(
        (built.template.toJSON().Resources[id(fn)].Properties.Environment as { Variables: unknown })
          .Variables,
      ).toMatchObject({
        APPROVERS: 'arn:aws:iam::*:role/Approver',
        ALLOW_ADMIN_ROLES: 'true',
        AUTO_APPROVE: 'no-new-access',
      });
    }
    expect(
      (
        built.template.toJSON().Resources[id(built.remediation.function)].Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables.APPROVAL_FUNCTION_NAME,
    ).toEqual({
      Ref: id(built.remediation.approvalFunction),
    });
  });
});

describe('the shipped SCP', () => {
  const scp = buildProtectionScp({
    stackName: 'PassRoleDoctor',
    account: '123456789012',
    region: 'eu-west-1',
  });
  const statement = (sid: string) => {
    const found = scp.Statement.find((candidate) => candidate.Sid === sid);
    if (found === undefined) throw new Error(`no statement ${sid}`);
    return found;
  };
  const deployRole = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1';

  it('fits in one SCP', () => {
    expect(JSON.stringify(scp).length).toBeLessThan(SCP_MAX_CHARACTERS);
  });

  it("denies changing the stack's functions, roles, policies, tables, topic, queues, bus, rules and alarms to all but the deploy role", () => {
    const protect = statement('ProtectTheStacksResources');
    expect(protect.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [deployRole] } });
    expect(protect.Action).toEqual(
      expect.arrayContaining([
        'lambda:Update*',
        'iam:PassRole',
        'iam:Put*',
        'dynamodb:DeleteResourcePolicy',
        'sns:SetTopicAttributes',
        'sqs:SetQueueAttributes',
        'events:*Targets',
      ]),
    );
    expect(protect.Resource).toEqual(
      expect.arrayContaining([
        'arn:aws:lambda:eu-west-1:123456789012:function:PassRoleDoctor-*',
        'arn:aws:iam::123456789012:role/PassRoleDoctor-*',
        'arn:aws:dynamodb:eu-west-1:123456789012:table/PassRoleDoctor-*',
        'arn:aws:sns:eu-west-1:123456789012:PassRoleDoctor-*',
        'arn:aws:sqs:eu-west-1:123456789012:PassRoleDoctor-*',
        'arn:aws:events:eu-west-1:123456789012:event-bus/PassRoleDoctor-events',
        'arn:aws:events:eu-west-1:123456789012:rule/PassRoleDoctor-*',
      ]),
    );
  });

  it("denies invoking the functions and writing the table, topic, queues and bus to all but the deploy role and the stack's roles", () => {
    const use = statement('UseOnlyFromTheStack');
    expect(use.Action).toEqual(
      expect.arrayContaining([
        'lambda:Invoke*',
        'dynamodb:PutItem',
        'sns:Publish',
        'sqs:SendMessage',
        'events:PutEvents',
      ]),
    );
    expect(use.Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': [deployRole, 'arn:aws:iam::123456789012:role/PassRoleDoctor-*'] },
    });
  });

  it('finds the keys by their stack tag, and event source mappings by the function', () => {
    expect(statement('ProtectTheStacksKeys')).toMatchObject({
      Action: expect.arrayContaining(['kms:PutKeyPolicy', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion']),
      Resource: ['arn:aws:kms:eu-west-1:123456789012:key/*'],
      Condition: { StringEquals: { 'aws:ResourceTag/passrole-doctor:stack': 'PassRoleDoctor' } },
    });
    expect(statement('NoEventSourcesForTheFunctions').Condition.ArnLike).toEqual({
      'lambda:FunctionArn': [
        'arn:aws:lambda:eu-west-1:123456789012:function:PassRoleDoctor-*',
        'arn:aws:lambda:eu-west-1:123456789012:function:PassRoleDoctor-*:*',
      ],
    });
  });

  it('is written beside the templates, with * for an environment-agnostic stack', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'passrole-doctor-scp-'));
    try {
      const file = writeProtectionScp(directory, stack, null);
      expect(path.basename(file)).toBe('PassRoleDoctor.protection-scp.json');
      const written = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(written).toEqual(buildProtectionScp({ stackName: 'PassRoleDoctor' }));
      expect(JSON.stringify(written)).toContain('arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*-*');
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
