/**
 * Where proposals are announced: an encrypted, TLS-only SNS topic with email subscriptions and,
 * when their ids are given, AWS Chatbot channel configurations for Slack and Microsoft Teams.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SlackChannel, TeamsChannel } from '../settings';

export interface NotificationChannelProps {
  readonly key: kms.IKey;
  readonly emails?: readonly string[];
  readonly slack?: SlackChannel | null;
  readonly teams?: TeamsChannel | null;
}

/** Chatbot's channel role and its guardrail: neither can change anything in the account. */
export const CHATBOT_GUARDRAIL_POLICY = 'ReadOnlyAccess';
export const CHATBOT_ROLE_POLICY = 'CloudWatchReadOnlyAccess';

export class NotificationChannel extends Construct {
  readonly topic: sns.Topic;
  /** Assumed by AWS Chatbot for the channels; absent when no chat channel is configured. */
  readonly chatbotRole?: iam.Role;
  readonly slackChannel?: chatbot.SlackChannelConfiguration;
  readonly teamsChannel?: chatbot.CfnMicrosoftTeamsChannelConfiguration;

  constructor(scope: Construct, id: string, props: NotificationChannelProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'PassRole Doctor',
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const slack = props.slack ?? null;
    const teams = props.teams ?? null;
    if (slack === null && teams === null) return;

    const chatbotRole = new iam.Role(this, 'ChatbotRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'AWS Chatbot channel role for PassRole Doctor: read-only, renders alarm charts',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(CHATBOT_ROLE_POLICY)],
    });
    this.chatbotRole = chatbotRole;
    Validations.of(chatbotRole).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${CHATBOT_ROLE_POLICY}]`,
      reason:
        'Chatbot\'s own "Notification permissions" template: the AWS managed read-only CloudWatch policy ' +
        'lets the channel render alarm charts; AWS keeps it current, and the ReadOnlyAccess guardrail caps it.',
    });
    const guardrail = iam.ManagedPolicy.fromAwsManagedPolicyName(CHATBOT_GUARDRAIL_POLICY);
    const namePrefix = Stack.of(this).stackName;

    if (slack !== null) {
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${namePrefix}-slack`,
        slackWorkspaceId: slack.workspaceId,
        slackChannelId: slack.channelId,
        notificationTopics: [this.topic],
        role: chatbotRole,
        guardrailPolicies: [guardrail],
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
        guardrailPolicies: [guardrail.managedPolicyArn],
        loggingLevel: 'ERROR',
      });
    }
  }
}
