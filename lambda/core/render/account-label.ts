/**
 * Organization mode's account as people read it: its name, its 12-digit id and its OU path, root
 * first. Raw text: the name and the OU names are chosen by whoever runs the organization (any
 * printable character), so every renderer escapes them where they land.
 */
import type { OrganizationAccount } from '../organization/model';

/** `data-prod (111122223333)`. */
export function accountName(account: OrganizationAccount): string {
  return `${account.name} (${account.id})`;
}

/** `Root / Workloads / Data`; `no OU path` when Organizations gave none. */
export function ouPathText(account: OrganizationAccount): string {
  return account.ouPath.length === 0 ? 'no OU path' : account.ouPath.map((unit) => unit.name).join(' / ');
}

/** `data-prod (111122223333) in Root / Workloads / Data`: one line naming the account whole. */
export function accountLine(account: OrganizationAccount): string {
  return `${accountName(account)} in ${ouPathText(account)}`;
}
