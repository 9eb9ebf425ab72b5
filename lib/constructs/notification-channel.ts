/**
 * Where proposals are announced: an encrypted, TLS-only SNS topic with email subscriptions and,
 * when their ids are given, AWS Chatbot channel configurations for Slack and Microsoft Teams.
 *
 * A message carries a review link, and a link is an approval, so the topic policy denies
 * sns:Subscribe for any endpoint or protocol but the configured ones, sns:Publish to all but the
 * stack's functions and its own CloudWatch alarms, and changes to the topic's policy to all but the
 * deploy role.
 */
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SlackChannel, TeamsChannel } from '../settings';
import { denyChangesToItself, denyExcept, type PolicyAdministrators } from './deny-statements';

export interface NotificationChannelProps {
  readonly key: kms.IKey;
  readonly administrators: PolicyAdministrators;
  readonly emails?: readonly string[];
  readonly slack?: SlackChannel | null;
  readonly teams?: TeamsChannel | null;
  /**
   * Which channel this is, when a stack has several (organization mode: one per channelsByOu OU): in
   * the topic's display name and the chat configurations' names. @default the stack's main channel
   */
  readonly name?: string;
}

/**
 * What AWS Chatbot subscribes a channel's topics with (protocol https); it delivers only to the
 * channels configured for the topic, so this endpoint is allowed whenever a chat channel is.
 */
export const CHATBOT_ENDPOINT = 'https://global.sns-api.chatbot.amazonaws.com';

/**
 * The only actions of Chatbot's channel role and of its guardrail (one policy, both): reading
 * CloudWatch alarms and metrics to render alarm charts. No logs:, nothing that changes anything.
 */
export const CHATBOT_ACTIONS = ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'] as const;

/** Topic policy actions that change the topic or its policy (those a topic policy can govern). */
export const TOPIC_CHANGE_ACTIONS = [
  'sns:SetTopicAttributes',
  'sns:AddPermission',
  'sns:RemovePermission',
  'sns:DeleteTopic',
  'sns:PutDataProtectionPolicy',
] as const;

/** Who may publish to the topic. */
export interface TopicPublishers {
  /** The stack's function roles that publish (diagnose, apply). */
  readonly roles: readonly iam.IRole[];
  /** The stack's alarms: CloudWatch publishes for them, with the alarm's ARN as aws:SourceArn. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

export class NotificationChannel extends Construct {
  readonly topic: sns.Topic;
  /** Assumed by AWS Chatbot for the channels; absent when no chat channel is configured. */
  readonly chatbotRole?: iam.Role;
  readonly slackChannel?: chatbot.SlackChannelConfiguration;
  readonly teamsChannel?: chatbot.CfnMicrosoftTeamsChannelConfiguration;
  /** The channel role's policy and the guardrail; absent when no chat channel is configured. */
  readonly chatbotPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: NotificationChannelProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.name === undefined ? 'PassRole Doctor' : `PassRole Doctor (${props.name})`,
      masterKey: props.key,
      enforceSSL: true,
    });
    const emails = props.emails ?? [];
    for (const email of emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const slack = props.slack ?? null;
    const teams = props.teams ?? null;
    const chat = slack !== null || teams !== null;
    this.denySubscriptionsBut(
      [...emails.map((email) => ({ protocol: 'email', endpoint: email }))].concat(
        chat ? [{ protocol: 'https', endpoint: CHATBOT_ENDPOINT }] : [],
      ),
    );
    this.topic.addToResourcePolicy(
      denyChangesToItself(
        'DenyTopicChangesToAllButTheDeployRole',
        TOPIC_CHANGE_ACTIONS,
        props.administrators,
        [this.topic.topicArn],
      ),
    );
    if (!chat) return;

    // One customer managed policy is both the role's permissions and the guardrail: AWS's read-only
    // managed policies include logs:Get*/FilterLogEvents, which would show every log group to the channel.
    const chatbotPolicy = new iam.ManagedPolicy(this, 'ChatbotPolicy', {
      description: 'PassRole Doctor Chatbot channels: read CloudWatch alarms and metrics, nothing else',
      statements: [
        new iam.PolicyStatement({
          sid: 'RenderAlarmCharts',
          actions: [...CHATBOT_ACTIONS],
          resources: ['*'],
        }),
      ],
    });
    this.chatbotPolicy = chatbotPolicy;
    const chatbotRole = new iam.Role(this, 'ChatbotRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'AWS Chatbot channel role for PassRole Doctor: reads CloudWatch alarms and metrics only',
      managedPolicies: [chatbotPolicy],
    });
    this.chatbotRole = chatbotRole;
    const chatbotPolicyFinding = (what: string) => `AwsSolutions-IAM5[${what}]`;
    for (const action of CHATBOT_ACTIONS) {
      Validations.of(chatbotPolicy).acknowledge({
        id: chatbotPolicyFinding(`Action::${action}`),
        reason:
          'Chatbot renders CloudWatch alarm charts: it reads alarms and metrics (Describe*, Get*, List*) only, ' +
          'of the cloudwatch service only, with no logs: or any other read.',
      });
    }
    Validations.of(chatbotPolicy).acknowledge({
      id: chatbotPolicyFinding('Resource::*'),
      reason:
        'cloudwatch:GetMetricData/ListMetrics/DescribeAlarms take no resource (IAM only accepts "*"); the ' +
        'actions are CloudWatch reads only.',
    });
    const namePrefix = [Stack.of(this).stackName, ...(props.name === undefined ? [] : [props.name])].join(
      '-',
    );

    if (slack !== null) {
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${namePrefix}-slack`,
        slackWorkspaceId: slack.workspaceId,
        slackChannelId: slack.channelId,
        notificationTopics: [this.topic],
        role: chatbotRole,
        guardrailPolicies: [chatbotPolicy],
        // Channel members run commands only with a role of their own, never with the channel role.
        userRoleRequired: true,
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }
    if (teams !== null) {
      this.teamsChannel = new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
        configurationName: `${namePrefix}-teams`,
        teamId: teams.teamId,
        teamsTenantId: teams.tenantId,
        teamsChannelId: teams.channelId,
        iamRoleArn: chatbotRole.roleArn,
        snsTopicArns: [this.topic.topicArn],
        guardrailPolicies: [chatbotPolicy.managedPolicyArn],
        userRoleRequired: true,
        loggingLevel: 'ERROR',
      });
    }
  }

  /**
   * Denies sns:Publish to every principal but `publishers.roles`, except CloudWatch publishing for
   * one of `publishers.alarms` (a service principal has no aws:PrincipalArn, so the alarm's ARN as
   * aws:SourceArn is what lets it through), and allows CloudWatch that.
   */
  restrictPublishing(publishers: TopicPublishers): void {
    const alarmArns = publishers.alarms.map((alarm) => alarm.alarmArn);
    const except = publishers.roles.map((role) => role.roleArn);
    if (alarmArns.length === 0) {
      // A channel no alarm publishes to (organization mode's OU channels): the functions only.
      this.topic.addToResourcePolicy(
        denyExcept({
          sid: 'OnlyTheStacksFunctionsPublish',
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          except,
        }),
      );
      return;
    }
    this.topic.addToResourcePolicy(
      denyExcept({
        sid: 'OnlyTheStacksFunctionsAndAlarmsPublish',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        except,
        conditions: { ArnNotEquals: { 'aws:SourceArn': alarmArns } },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TheStacksAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': alarmArns },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }

  /** Denies sns:Subscribe for any endpoint, or any protocol, that is not one of `allowed`'s. */
  private denySubscriptionsBut(allowed: readonly { protocol: string; endpoint: string }[]): void {
    const deny = (sid: string, conditions?: Record<string, Record<string, unknown>>) =>
      new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: ['sns:Subscribe'],
        resources: [this.topic.topicArn],
        conditions,
      });
    if (allowed.length === 0) {
      this.topic.addToResourcePolicy(deny('NoSubscriptionsWithoutAChannel'));
      return;
    }
    const endpoints = [...new Set(allowed.map(({ endpoint }) => endpoint))];
    const protocols = [...new Set(allowed.map(({ protocol }) => protocol))];
    this.topic.addToResourcePolicy(
      deny('SubscribeOnlyTheConfiguredEndpoints', {
        StringNotEqualsIgnoreCase: { 'sns:Endpoint': endpoints },
      }),
    );
    this.topic.addToResourcePolicy(
      deny('SubscribeOnlyTheConfiguredProtocols', { StringNotEquals: { 'sns:Protocol': protocols } }),
    );
  }
}
