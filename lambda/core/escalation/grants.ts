/**
 * R's effective grants: every (action, resource item) an Allow of R's identity policies gives, kept
 * only when the permissions boundary and every SCP level allow it too and no Deny that surely applies
 * takes all of it away. Over-approximated on purpose: an unknown condition never removes access.
 */
import type { ActionSpace } from './action-space';
import type { CompiledPrincipal, CompiledStatement } from './permissions';
import { itemAdmitsStar, itemsOf, specContains, specOverlaps, type ResourceItem } from './resources';

export interface Grant {
  action: number;
  item: ResourceItem;
  source: CompiledStatement;
  /** The role R becomes to get it (a role that trusts R), null for R's own policies. */
  via: string | null;
}

const STAR: ResourceItem = { kind: 'pattern', pattern: '*' };

/** An Allow of R's counts unless its condition surely fails for R. */
export const countsForR = (statement: CompiledStatement): boolean => statement.condition.principal !== 'fails';

/** A Deny of R's takes access away only when its condition surely holds. */
export const appliesToR = (statement: CompiledStatement): boolean =>
  statement.condition.principal === 'holds' && !statement.condition.request;

interface ItemFilter {
  item: ResourceItem;
  boundary: CompiledStatement[] | null;
  scps: CompiledStatement[][];
  denies: CompiledStatement[];
}

function filterFor(principal: CompiledPrincipal, item: ResourceItem): ItemFilter {
  const allows = (statements: CompiledStatement[]): CompiledStatement[] =>
    statements.filter((st) => st.effect === 'Allow' && countsForR(st) && specOverlaps(st.resources, item));
  const denies = [principal.identity, principal.boundary ?? [], ...principal.scps]
    .flat()
    .filter((st) => st.effect === 'Deny' && appliesToR(st) && specContains(st.resources, item));
  return {
    item,
    boundary: principal.boundary ? allows(principal.boundary) : null,
    scps: principal.scps.map(allows),
    denies,
  };
}

function passes(filter: ItemFilter, action: number): boolean {
  if (filter.boundary && !filter.boundary.some((st) => st.actions.has(action))) return false;
  if (!filter.scps.every((level) => level.some((st) => st.actions.has(action)))) return false;
  return !filter.denies.some((st) => st.actions.has(action));
}

export function effectiveGrants(space: ActionSpace, principal: CompiledPrincipal, via: string | null): Grant[] {
  const grants: Grant[] = [];
  for (const source of principal.identity) {
    if (source.effect !== 'Allow' || !countsForR(source)) continue;
    const filters = itemsOf(source.resources).map((item) => filterFor(principal, item));
    // A wildcard-only action is requested on `*`: only a statement admitting `*` grants it.
    const starFilter = itemsOf(source.resources).some(itemAdmitsStar) ? filterFor(principal, STAR) : null;
    source.actions.forEach((action) => {
      if (space.wildcardOnly[action]) {
        if (starFilter && passes(starFilter, action)) grants.push({ action, item: STAR, source, via });
        return;
      }
      for (const filter of filters) {
        if (passes(filter, action)) grants.push({ action, item: filter.item, source, via });
      }
    });
  }
  return grants;
}
