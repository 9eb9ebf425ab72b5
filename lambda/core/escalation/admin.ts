/**
 * Is a role effectively an administrator: do its grants cover, on every resource, every action of all
 * but a few services? AdministratorAccess and `*` on `*` cover all; PowerUserAccess (`NotAction`
 * iam:*, organizations:*, account:*) leaves out three services and counts, as a role that can read and
 * change everything else, run code as every function's and instance's role, and so on.
 */
import type { ActionSpace } from './action-space';
import { baseActionSpace } from './action-space';
import { Bits } from './bits';
import type { Grant } from './grants';

/** How many services a role may lack (wholly or in part) and still be effectively everything. */
export const ADMIN_MAX_MISSING_SERVICES = 3;

export function isEffectivelyAdmin(space: ActionSpace, grants: Grant[]): boolean {
  const everywhere = new Bits(space.size);
  for (const grant of grants) {
    if (grant.item.kind === 'all-but' || /^\*+$/.test(grant.item.pattern)) everywhere.set(grant.action);
  }
  const base = baseActionSpace();
  let missing = 0;
  for (const [start, end] of base.ranges.values()) {
    for (let index = start; index < end; index++) {
      if (!everywhere.has(index)) {
        missing++;
        break;
      }
    }
    if (missing > ADMIN_MAX_MISSING_SERVICES) return false;
  }
  return true;
}
