/**
 * Organization mode's account in the chat forms of a message: a section the description always keeps
 * (a reviewer must see which account a fix writes into) and the additionalContext entries.
 */
import type { OrganizationAccount } from '../../organization/model';
import { ouPathText } from '../account-label';
import { chatCode, chatText } from './escape';
import type { Section } from './fit';

/** Escaped lengths: the name (50 in Organizations), the OU path (5 levels of up to 128). */
const NAME = 64;
const PATH = 400;

/** `*Account:* data-prod `111122223333` in Root / Workloads`, escaped, never left out. */
export function accountSection(account: OrganizationAccount): Section {
  return {
    text: `*Account:* ${chatText(account.name, NAME)} ${chatCode(account.id, 20)} in ${chatText(ouPathText(account), PATH)}`,
    kept: true,
  };
}

/** The raw context entries (the caller escapes every context value). */
export function accountContext(account: OrganizationAccount): Record<string, string> {
  return { accountName: account.name, ouPath: ouPathText(account) };
}
