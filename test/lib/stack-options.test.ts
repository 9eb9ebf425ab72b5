/** Every optional setting at once: emails, Slack, Teams, a trail, forwarders, non-default numbers. */
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { PASSROLE_DENIAL_EVENT_PATTERN } from '../../lib/denial-event-patterns';
import type { ForwarderStack } from '../../lib/forwarder-stack';
import type { PassRoleDoctorStack } from '../../lib/passrole-doctor-stack';
import { ALL_OPTIONS_CONTEXT, buildTestApp } from './support/cdk-app';
import { renderIntrinsic, rolePermissions } from './support/iam-statements';

const CONTEXT = ALL_OPTIONS_CONTEXT;

let main: PassRoleDoctorStack;
let forwarders: ForwarderStack[];
let template: Template;

beforeAll(() => {
  const { stacks } = buildTestApp({ context: CONTEXT, defaultRegion: 'eu-west-1' });
  main = stacks.main;
  forwarders = stacks.forwarders;
  template = Template.fromStack(main);
});

const logicalId = (construct: IConstruct) => main.getLogicalId(construct.node.defaultChild as CfnElement);

describe('settings reach the stack', () => {
  it('deploys the main stack to the home region', () => {
    expect(main.region).toBe('eu-west-1');
  });

  it('passes maxConcurrency to the event source and the hours to the function', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 7 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PROPOSAL_TTL_HOURS: '48', RENOTIFY_AFTER_HOURS: '12' }) },
    });
  });
});

describe('notification channels', () => {
  const topicRef = () => ({ Ref: logicalId(main.remediation.topic) });
  const chatbotPolicy = () => logicalId(main.remediation.notificationChannel.chatbotPolicy as IConstruct);

  it('subscribes each email address to the topic', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of ['platform@example.com', 'oncall@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: topicRef(),
      });
    }
  });

  it('configures the Slack channel on the topic with the CloudWatch-only guardrail and user roles required', () => {
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T07EA123LEP',
      SlackChannelId: 'C07EZ1ABC23',
      SnsTopicArns: [topicRef()],
      GuardrailPolicies: [{ Ref: chatbotPolicy() }],
      UserRoleRequired: true,
      IamRoleArn: {
        'Fn::GetAtt': [logicalId(main.remediation.notificationChannel.chatbotRole as IConstruct), 'Arn'],
      },
    });
  });

  it('configures the Teams channel on the topic with the CloudWatch-only guardrail and user roles required', () => {
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 1);
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      TeamId: CONTEXT.teamsId,
      TeamsTenantId: CONTEXT.teamsTenantId,
      TeamsChannelId: CONTEXT.teamsChannelId,
      SnsTopicArns: [topicRef()],
      GuardrailPolicies: [{ Ref: chatbotPolicy() }],
      UserRoleRequired: true,
      IamRoleArn: {
        'Fn::GetAtt': [logicalId(main.remediation.notificationChannel.chatbotRole as IConstruct), 'Arn'],
      },
    });
  });

  it("gives Chatbot's role one customer managed policy: cloudwatch Describe*, Get*, List*, no logs", () => {
    const chatbotRole = logicalId(main.remediation.notificationChannel.chatbotRole as IConstruct);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } },
        ],
      },
    });
    const { statements, managedPolicyArns } = rolePermissions(template, chatbotRole);
    expect(managedPolicyArns).toEqual([`\${${chatbotPolicy()}}`]);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    // The managed policy is attached by the role's ManagedPolicyArns, not its Roles: read it directly.
    expect(statements).toEqual([]);
    const document = template.toJSON().Resources[chatbotPolicy()].Properties.PolicyDocument as {
      Statement: unknown[];
    };
    expect(document.Statement).toEqual([
      {
        Sid: 'RenderAlarmCharts',
        Effect: 'Allow',
        Action: ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'],
        Resource: '*',
      },
    ]);
    expect(JSON.stringify(document)).not.toMatch(/logs:|ReadOnlyAccess/);
  });

  it('lets the topic be subscribed only by the configured emails and Chatbot, over email and https', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'SubscribeOnlyTheConfiguredEndpoints',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Subscribe',
            Resource: topicRef(),
            Condition: {
              StringNotEqualsIgnoreCase: {
                'sns:Endpoint': [
                  'platform@example.com',
                  'oncall@example.com',
                  'https://global.sns-api.chatbot.amazonaws.com',
                ],
              },
            },
          },
          {
            Sid: 'SubscribeOnlyTheConfiguredProtocols',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Subscribe',
            Resource: topicRef(),
            Condition: { StringNotEquals: { 'sns:Protocol': ['email', 'https'] } },
          },
        ]),
      },
    });
  });
});

describe('the apply function with chat channels', () => {
  it('protects the Chatbot role too: denied in the apply role and listed in PROTECTED_ROLE_ARNS', () => {
    const remediation = main.remediation;
    const chatbotRole = logicalId(remediation.notificationChannel.chatbotRole as IConstruct);
    const everyRole = Object.keys(template.findResources('AWS::IAM::Role')).sort();
    expect(everyRole).toContain(chatbotRole);

    const { statements } = rolePermissions(template, logicalId(remediation.applyFunctionRole));
    const denied = statements.find((statement) => statement.sid === 'NeverWriteThisStacksRoles');
    expect(denied).toMatchObject({ effect: 'Deny', actions: ['iam:Put*Policy'] });
    expect(denied?.resources).toEqual(everyRole.map((role) => `\${${role}.Arn}`).sort());

    const environment = template.toJSON().Resources[logicalId(remediation.applyFunction)].Properties
      .Environment.Variables as { PROTECTED_ROLE_ARNS: unknown };
    const listed = renderIntrinsic(environment.PROTECTED_ROLE_ARNS).split(',').sort();
    expect(listed).toEqual(everyRole.map((role) => `\${${role}.Arn}`).sort());
  });
});

describe('the trail (createTrail)', () => {
  it('logs management events from every region, with log file validation', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
      S3BucketName: { Ref: logicalId(main.remediation.managementEventsTrail?.bucket as IConstruct) },
    });
  });

  it('writes to an encrypted, versioned, private bucket with server access logs, kept on destroy', () => {
    const trail = main.remediation.managementEventsTrail;
    expect(trail).toBeDefined();
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: logicalId(trail?.accessLogsBucket as IConstruct) },
          LogFilePrefix: 'trail-bucket/',
        },
      },
    });
  });

  it('refuses requests without TLS on the trail bucket', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(main.remediation.managementEventsTrail?.bucket as IConstruct) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('forwarders (forwardFromRegions)', () => {
  it('deploys one forwarder stack per region', () => {
    expect(forwarders.map((stack) => [stack.stackName, stack.region])).toEqual([
      ['PassRoleDoctor-Forwarder-us-east-1', 'us-east-1'],
      ['PassRoleDoctor-Forwarder-eu-central-1', 'eu-central-1'],
    ]);
  });

  it.each([0, 1])('forwards the same pattern to the home region default bus (forwarder %i)', (index) => {
    const forwarder = forwarders[index] as ForwarderStack;
    const forwarderTemplate = Template.fromStack(forwarder);
    const homeBus = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:eu-west-1:',
          { Ref: 'AWS::AccountId' },
          ':event-bus/default',
        ],
      ],
    };
    const id = (construct: IConstruct) => forwarder.getLogicalId(construct.node.defaultChild as CfnElement);
    forwarderTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: JSON.parse(JSON.stringify(PASSROLE_DENIAL_EVENT_PATTERN)),
      EventBusName: Match.absent(),
      Targets: [
        {
          Arn: homeBus,
          RoleArn: { 'Fn::GetAtt': [id(forwarder.role), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(forwarder.targetDlq), 'Arn'] } },
        },
      ],
    });
    const { statements } = rolePermissions(forwarderTemplate, id(forwarder.role));
    expect(statements).toEqual([
      {
        sid: null,
        effect: 'Allow',
        actions: ['events:PutEvents'],
        notActions: [],
        resources: [expect.any(String)],
      },
    ]);
    expect(statements[0]?.resources[0]).toBe(
      'arn:${AWS::Partition}:events:eu-west-1:${AWS::AccountId}:event-bus/default',
    );
    forwarderTemplate.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    forwarderTemplate.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });
});
