/**
 * Organization mode's hub stack (bundling skipped): the hub's bus and its policy, the denial rule on
 * it, the functions' fixed role names and what each may do in the members and in Organizations (and
 * nothing of IAM in its own account), ORGANIZATION_ENV, the OU channels, the dashboard by account;
 * cdk-nag and cfn-lint clean.
 */
import { NO_CHANNEL_WARNING_ID } from '../../../lib/passrole-remediation';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ORGANIZATIONS_READ_ACTIONS } from '../../../lambda/adapters/aws/organizations-reader';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../../../lib/denial-event-patterns';
import { HUB_STACK_NAME } from '../../../lib/organization/names';
import { buildProtectionScp, SCP_MAX_CHARACTERS } from '../../../lib/protection-scp';
import {
  ORGANIZATION_WIDE_READ_ACTIONS,
  ORGANIZATION_SCOPED_READ_ACTIONS,
} from '../../../lib/organization/hub-access';
import { BY_ACCOUNT_METRICS } from '../../../lib/constructs/operations-dashboard';
import type { PassRoleDoctorStack } from '../../../lib/passrole-doctor-stack';
import { HUB_BUS_NAME, HUB_ROLE_NAMES, MEMBER_ROLE_NAMES } from '../../../lambda/settings/organization';
import { buildTestApp, synthesizeWithValidation } from '../support/cdk-app';
import { HUB_ACCOUNT, ORGANIZATION_CONTEXT, ORGANIZATION_ID, TEAM_OU } from '../support/organization-context';
import {
  iamActionsOutside,
  renderIntrinsic,
  rolePermissions,
  type RenderedStatement,
} from '../support/iam-statements';

let hub: PassRoleDoctorStack;
let template: Template;

beforeAll(() => {
  const { app, stacks } = buildTestApp({ context: ORGANIZATION_CONTEXT, defaultRegion: 'eu-west-1' });
  hub = stacks.main;
  template = Template.fromStack(hub);
  // The hub, and the management account's plain member stacks (StackSets never deploy there).
  expect(app.node.children.filter(Stack.isStack).map((stack) => stack.stackName)).toEqual([
    HUB_STACK_NAME,
    'PassRoleDoctor-ManagementMember-eu-west-1',
    'PassRoleDoctor-ManagementMember-us-east-1',
  ]);
  expect(stacks.members?.stackSet).not.toBeNull();
});

/** A value the organization-mode stack must have (a test failure, not a type assertion, when absent). */
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the hub stack has no ${what}`);
  return value;
}
const hubBus = () => present(hub.remediation.hubBus, 'hub bus').bus;
const teamChannel = () =>
  present(present(hub.remediation.ouChannels, 'OU channels').channels.get(TEAM_OU), `channel for ${TEAM_OU}`);

const logicalId = (construct: IConstruct) => hub.getLogicalId(construct.node.defaultChild as CfnElement);
const FORWARD_ROLES = `arn:\${AWS::Partition}:iam::*:role/${MEMBER_ROLE_NAMES.forward}-*`;

/** A function's role's statements, by its fixed name. */
function statementsOfRole(roleName: string): RenderedStatement[] {
  const [id] = Object.entries(template.findResources('AWS::IAM::Role')).find(
    ([, role]) => (role.Properties as { RoleName?: string }).RoleName === roleName,
  ) ?? [undefined];
  if (id === undefined) throw new Error(`no role named ${roleName}`);
  return rolePermissions(template, id).statements;
}

describe('the hub stack', () => {
  it('is deployed to the hub account and region', () => {
    expect(hub.stackName).toBe(HUB_STACK_NAME);
    expect(hub.account).toBe(HUB_ACCOUNT);
    expect(hub.region).toBe('eu-west-1');
  });

  it('has the hub bus, admitting PutEvents only from the organization and only by member forward roles', () => {
    const [bus] = Object.values(
      template.findResources('AWS::Events::EventBus', { Properties: { Name: HUB_BUS_NAME } }),
    );
    const policy = (bus?.Properties as { Policy: { Statement: Record<string, unknown>[] } }).Policy;
    const busArn = `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${HUB_BUS_NAME}`;
    const rendered = policy.Statement.map((statement) => ({
      ...statement,
      Resource: renderIntrinsic(statement.Resource),
      Condition: JSON.parse(
        JSON.stringify(statement.Condition, (_key, value: unknown) =>
          typeof value === 'object' && value !== null && 'Fn::Join' in value ? renderIntrinsic(value) : value,
        ),
      ) as unknown,
    }));
    expect(rendered).toEqual([
      {
        Sid: 'MemberForwardRulesPutDenials',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
          ArnLike: { 'aws:PrincipalArn': FORWARD_ROLES },
        },
      },
      {
        Sid: 'OnlyTheOrganizationPutsEvents',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
      },
      {
        Sid: 'OnlyMemberForwardRolesPutEvents',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': FORWARD_ROLES } },
      },
    ]);
  });

  it('listens for denials on the hub bus with exactly the single-account pattern, and not on the default bus', () => {
    const busId = logicalId(hubBus());
    const withPattern = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (rule) => (rule.Properties as { EventPattern?: unknown }).EventPattern !== undefined,
    );
    expect(withPattern).toHaveLength(1);
    expect(withPattern[0]?.Properties).toMatchObject({
      EventPattern: JSON.parse(JSON.stringify(PASSROLE_DENIAL_EVENT_PATTERN)),
      EventBusName: { Ref: busId },
    });
  });

  it("names the functions' roles exactly HUB_ROLE_NAMES", () => {
    for (const [fn, name] of [
      [hub.remediation.functionRole, HUB_ROLE_NAMES.diagnose],
      [hub.remediation.approvalFunctionRole, HUB_ROLE_NAMES.approval],
      [hub.remediation.applyFunctionRole, HUB_ROLE_NAMES.apply],
      [hub.remediation.reconciler.role, HUB_ROLE_NAMES.reconcile],
    ] as const) {
      expect(template.toJSON().Resources[logicalId(fn)].Properties.RoleName).toBe(name);
    }
  });

  const memberRole = (role: 'read' | 'apply') =>
    `arn:\${AWS::Partition}:iam::*:role/${MEMBER_ROLE_NAMES[role]}`;
  const outsideOwnAccount = (statements: RenderedStatement[]) =>
    statements
      .filter((statement) => statement.effect === 'Allow')
      .filter((statement) => statement.actions.some((action) => /^(sts|organizations):/.test(action)))
      .map(({ sid, actions, resources }) => ({ sid, actions, resources }));
  const orgResources = [
    `arn:\${AWS::Partition}:organizations::*:account/${ORGANIZATION_ID}/*`,
    `arn:\${AWS::Partition}:organizations::*:ou/${ORGANIZATION_ID}/ou-*`,
    `arn:\${AWS::Partition}:organizations::*:policy/${ORGANIZATION_ID}/service_control_policy/p-*`,
    `arn:\${AWS::Partition}:organizations::*:root/${ORGANIZATION_ID}/r-*`,
    'arn:${AWS::Partition}:organizations::aws:policy/service_control_policy/p-*',
  ];
  const readRole = {
    sid: 'AssumeMemberReadRoles',
    actions: ['sts:AssumeRole'],
    resources: [memberRole('read')],
  };
  const applyRole = {
    sid: 'AssumeMemberApplyRoles',
    actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
    resources: [memberRole('apply')],
  };
  const organizations = {
    sid: 'ReadOrganizationAccountsAndScps',
    actions: [...ORGANIZATION_SCOPED_READ_ACTIONS].sort(),
    resources: orgResources,
  };

  const organizationItself = {
    sid: 'ReadTheOrganization',
    actions: [...ORGANIZATION_WIDE_READ_ACTIONS].sort(),
    resources: ['*'],
  };

  it.each([
    [HUB_ROLE_NAMES.diagnose, [readRole, organizations, organizationItself]],
    [HUB_ROLE_NAMES.approval, [readRole, organizations, organizationItself]],
    [HUB_ROLE_NAMES.apply, [readRole, applyRole]],
    // It only asks the apply function to run again.
    [HUB_ROLE_NAMES.reconcile, []],
  ])(
    '%s assumes only the member roles it needs, and reads Organizations only to diagnose',
    (role, expected) => {
      expect(outsideOwnAccount(statementsOfRole(role))).toEqual(expected);
    },
  );

  it('grants the diagnose role every Organizations action the reader calls, no more', () => {
    const granted = statementsOfRole(HUB_ROLE_NAMES.diagnose)
      .filter((statement) => statement.effect === 'Allow')
      .flatMap((statement) => statement.actions)
      .filter((action) => action.startsWith('organizations:'));
    expect(granted.sort()).toEqual([...ORGANIZATIONS_READ_ACTIONS].sort());
  });

  it('pins every member-role assumption to the organization (aws:ResourceOrgID)', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const assumes = policies.flatMap((policy) =>
      (
        policy.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }
      ).PolicyDocument.Statement.filter((statement) => [statement.Action].flat().includes('sts:AssumeRole')),
    );
    expect(assumes).toHaveLength(4);
    for (const statement of assumes) {
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORGANIZATION_ID } });
    }
  });

  it.each([
    [HUB_ROLE_NAMES.diagnose, []],
    // Approvers are hub principals: a pattern naming a role with its path needs iam:GetRole here.
    [HUB_ROLE_NAMES.approval, ['iam:GetRole']],
    [HUB_ROLE_NAMES.apply, []],
    [HUB_ROLE_NAMES.reconcile, []],
  ])('%s has no IAM action in its own account but %j', (role, allowed) => {
    const statements = statementsOfRole(role);
    expect(iamActionsOutside(statements, allowed)).toEqual([]);
    const iamStatements = statements.filter(
      (s) => s.effect === 'Allow' && s.actions.some((action) => action.startsWith('iam:')),
    );
    expect(iamStatements.map(({ actions, resources }) => ({ actions, resources }))).toEqual(
      allowed.length === 0
        ? []
        : [{ actions: allowed, resources: ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'] }],
    );
    expect(statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions)).not.toContain(
      'sts:DecodeAuthorizationMessage',
    );
  });

  it('gives ORGANIZATION_ENV to diagnose, approval, apply and reconcile, with the OU channel topics', () => {
    const channelTopic = logicalId(teamChannel().topic);
    for (const fn of [
      hub.remediation.function,
      hub.remediation.approvalFunction,
      hub.remediation.applyFunction,
      hub.remediation.reconciler.function,
    ]) {
      const variables = template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables as Record<
        string,
        unknown
      >;
      expect(variables).toMatchObject({
        ORGANIZATION_ID: ORGANIZATION_ID,
        MEMBER_OUS: `${TEAM_OU},ou-ab12-99990000`,
        MEMBER_EXTERNAL_ID: 'passrole-doctor-7f3a9c',
        EXCLUDED_ACCOUNTS: '444455556666',
        SENSITIVE_ACCOUNTS: '777788889999',
      });
      expect(renderIntrinsic(variables.CHANNELS_BY_OU)).toBe(`{"${TEAM_OU}":"\${${channelTopic}}"}`);
    }
  });

  it('has a channel for the OU that only the diagnose and apply functions publish to', () => {
    const channel = teamChannel();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'team-a@example.com',
      TopicArn: { Ref: logicalId(channel.topic) },
    });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: `${HUB_STACK_NAME}-${TEAM_OU}-slack`,
      SlackChannelId: 'C0TEAMA01',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(channel.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyTheStacksFunctionsPublish',
            Effect: 'Deny',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  { 'Fn::GetAtt': [logicalId(hub.remediation.functionRole), 'Arn'] },
                  { 'Fn::GetAtt': [logicalId(hub.remediation.applyFunctionRole), 'Arn'] },
                ],
              },
            },
          }),
        ]),
      },
    });
    for (const role of [HUB_ROLE_NAMES.diagnose, HUB_ROLE_NAMES.apply]) {
      expect(statementsOfRole(role)).toContainEqual(
        expect.objectContaining({
          sid: 'PublishToOuChannels',
          actions: ['sns:Publish'],
          resources: [`\${${logicalId(channel.topic)}}`],
        }),
      );
    }
  });

  it('shows denials, proposals, failures and refusals by account on the dashboard', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = renderIntrinsic((dashboard?.Properties as { DashboardBody: unknown }).DashboardBody);
    for (const [title, metric] of [
      ['Denials', BY_ACCOUNT_METRICS.denials],
      ['Proposals', BY_ACCOUNT_METRICS.proposals],
      ['Failures', BY_ACCOUNT_METRICS.failures],
      ['Refused denials', BY_ACCOUNT_METRICS.refused],
    ]) {
      expect(body).toContain(`"title":"${title} by account"`);
      expect(body).toContain(
        `SEARCH('{PassRoleDoctor,account,service} MetricName=\\"${metric}\\"', 'Sum', 300)`,
      );
    }
  });

  it('outputs the hub bus ARN for the member template', () => {
    template.hasOutput('HubEventBusArn', {
      Value: { 'Fn::GetAtt': [logicalId(hubBus()), 'Arn'] },
    });
  });
});

describe('the hub template is clean', () => {
  it('leaves no cdk-nag finding unacknowledged, and cfn-lint finds no error', () => {
    const testApp = buildTestApp({ context: ORGANIZATION_CONTEXT, defaultRegion: 'eu-west-1' });
    const { assembly, violations } = synthesizeWithValidation(testApp);
    // The hub has no main channel here: its no-channel warning is meant (PassRoleRemediation's test).
    expect(violations.filter(({ rule }) => rule !== `Annotation::${NO_CHANNEL_WARNING_ID}`)).toEqual([]);
    expect(assembly).not.toBeNull();
    const file = path.join(testApp.outdir, `${HUB_STACK_NAME}.template.json`);
    const lint = spawnSync('cfn-lint', [file], { encoding: 'utf8' });
    // As `npm run cfn-lint`: errors (2) and failures (1) fail, warnings and notes do not.
    expect({ status: (lint.status ?? 1) & 3, output: lint.stdout }).toEqual({
      status: 0,
      output: expect.any(String),
    });
  }, 300_000);
});

describe("the hub's protection SCP", () => {
  it('denies changing the hub bus and its rules to all but the deploy role, and fits in an SCP', () => {
    const scp = buildProtectionScp({
      stackName: HUB_STACK_NAME,
      account: HUB_ACCOUNT,
      region: 'eu-west-1',
      hubBusName: HUB_BUS_NAME,
    });
    const protect = scp.Statement.find((statement) => statement.Sid === 'ProtectTheStacksResources');
    expect(protect?.Action).toEqual(
      expect.arrayContaining(['events:DeleteEventBus', 'events:PutRule', 'events:*Targets']),
    );
    expect(protect?.Resource).toEqual(
      expect.arrayContaining([
        `arn:aws:events:eu-west-1:${HUB_ACCOUNT}:event-bus/${HUB_BUS_NAME}`,
        `arn:aws:events:eu-west-1:${HUB_ACCOUNT}:rule/${HUB_BUS_NAME}/*`,
        // The hub functions' fixed role names start with the stack's name.
        `arn:aws:iam::${HUB_ACCOUNT}:role/${HUB_STACK_NAME}-*`,
      ]),
    );
    expect(Object.values(HUB_ROLE_NAMES).every((name) => name.startsWith(`${HUB_STACK_NAME}-`))).toBe(true);
    expect(JSON.stringify(scp).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
  });
});
