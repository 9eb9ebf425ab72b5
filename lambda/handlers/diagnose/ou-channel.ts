/**
 * Organization mode's second channel: a member account's messages also go to its nearest OU's topic
 * (settings `channelsByOu`), so a team sees its own accounts. The deployment's channel stays the one
 * of record: its failures fail the publish as before (and the workflow retries it). The OU's copy is
 * best effort, logged and counted when it fails: retrying the whole publish for it would send the
 * team channel's message twice.
 */
import { nearestOuChannel } from '../../core/organization/channels';
import type { OrganizationAccount } from '../../core/organization/model';
import type { Notifier } from '../../ports/notifier';
import type { CorrelatedLogger, Metrics } from '../../ports/observability';

export interface OuChannels {
  /** OU id -> SNS topic ARN. */
  byOu: Readonly<Record<string, string>>;
  /** The notifier of one topic (built once per topic by the caller). */
  notifierFor: (topicArn: string) => Notifier;
}

/** OU channel messages that could not be published (the team channel's went out). */
export const OU_CHANNEL_FAILURES = 'OuChannelFailures';

export function withOuChannel(
  notifier: Notifier,
  account: OrganizationAccount,
  channels: OuChannels,
  observe: { logger: CorrelatedLogger; metrics: Metrics },
): Notifier {
  const channel = nearestOuChannel(account, channels.byOu);
  if (channel === null) return notifier;
  const ouNotifier = channels.notifierFor(channel.topicArn);
  return {
    publish: async (message) => {
      await notifier.publish(message);
      try {
        await ouNotifier.publish(message);
      } catch (error) {
        observe.metrics.addMetric(OU_CHANNEL_FAILURES, 'Count', 1);
        observe.logger.warn("the OU channel's copy of the message was not published", {
          ouId: channel.ouId,
          reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    },
  };
}
