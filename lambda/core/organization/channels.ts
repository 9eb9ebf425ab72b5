/** Which OU channel (settings `channelsByOu`) a member account's messages also go to. */
import type { OrganizationAccount } from './model';

/** The topic of the account's nearest OU that has one (its parent first, the root last); null for none. */
export function nearestOuChannel(
  account: OrganizationAccount,
  channelsByOu: Readonly<Record<string, string>>,
): { ouId: string; topicArn: string } | null {
  for (const unit of [...account.ouPath].reverse()) {
    const topicArn = channelsByOu[unit.id];
    if (topicArn !== undefined) return { ouId: unit.id, topicArn };
  }
  return null;
}
