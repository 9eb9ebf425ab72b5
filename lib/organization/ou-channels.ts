/**
 * Organization mode's second channels: one NotificationChannel (topic, emails, Slack/Teams) per
 * `channelsByOu` entry, so a team sees its own accounts' proposals. Which one a denial goes to is the
 * functions' choice (the account's nearest OU with a channel, from CHANNELS_BY_OU); here each topic
 * admits publishing by the functions that announce (diagnose, apply) and no one else.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { PolicyAdministrators } from '../constructs/deny-statements';
import { NotificationChannel } from '../constructs/notification-channel';
import type { OuChannelSettings } from '../settings';

export interface OuChannelsProps {
  /** The stack key: the topics are encrypted with it, as the main topic is. */
  readonly key: kms.IKey;
  readonly administrators: PolicyAdministrators;
  readonly channelsByOu: Readonly<Record<string, OuChannelSettings>>;
}

export class OuChannels extends Construct {
  /** OU id -> its channel, in the settings' order. */
  readonly channels: ReadonlyMap<string, NotificationChannel>;

  constructor(scope: Construct, id: string, props: OuChannelsProps) {
    super(scope, id);
    const channels = new Map<string, NotificationChannel>();
    for (const [ou, channel] of Object.entries(props.channelsByOu)) {
      channels.set(
        ou,
        new NotificationChannel(this, ou, {
          key: props.key,
          administrators: props.administrators,
          emails: channel.notificationEmails,
          slack: channel.slack,
          teams: channel.teams,
          name: ou,
        }),
      );
    }
    this.channels = channels;
  }

  /** CHANNELS_BY_OU: the JSON map OU id -> topic ARN (undefined when there is no OU channel). */
  topicArnsJson(): string | undefined {
    if (this.channels.size === 0) return undefined;
    const topics = Object.fromEntries(
      [...this.channels].map(([ou, channel]) => [ou, channel.topic.topicArn]),
    );
    return Stack.of(this).toJsonString(topics);
  }

  /** Lets `publishers` publish to every OU topic, and no one else (the key use comes with the main topic's). */
  restrictPublishing(publishers: readonly iam.Role[]): void {
    if (this.channels.size === 0) return;
    const topicArns = [...this.channels.values()].map((channel) => channel.topic.topicArn);
    for (const channel of this.channels.values())
      channel.restrictPublishing({ roles: publishers, alarms: [] });
    for (const role of publishers) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'PublishToOuChannels',
          actions: ['sns:Publish'],
          resources: topicArns,
        }),
      );
    }
  }
}
