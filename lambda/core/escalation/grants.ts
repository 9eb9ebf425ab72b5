/**
 * R's effective grants: every (action, resource item) an Allow of R's identity policies gives, kept
 * only when the permissions boundary and every SCP level allow it too and no Deny that surely applies
 * takes all of it away. Over-approximated on purpose: an unknown condition never removes access.
 */
import type { ActionSpace } from './action-space';
import type { CompiledPrincipal, CompiledStatement } from './permissions';
import { patternContains } from './globs';
import {
  itemAdmitsStar,
  itemsOf,
  specContains,
  specOverlaps,
  type ResourceItem,
  type ResourceSpec,
} from './resources';

export interface Grant {
  action: number;
  item: ResourceItem;
  source: CompiledStatement;
  /** The role R becomes to get it (a role that trusts R), null for R's own policies. */
  via: string | null;
}

const STAR: ResourceItem = { kind: 'pattern', pattern: '*' };

/** An Allow of R's counts unless its condition surely fails for R. */
export const countsForR = (statement: CompiledStatement): boolean =>
  statement.condition.principal !== 'fails';

/** A Deny of R's takes access away only when its condition surely holds. */
export const appliesToR = (statement: CompiledStatement): boolean =>
  statement.condition.principal === 'holds' && !statement.condition.request;

interface Candidate {
  item: ResourceItem;
  /** The boundary Allow that lets it through (its actions must include the action); null: no boundary. */
  bound: CompiledStatement | null;
  scps: CompiledStatement[][];
  denies: CompiledStatement[];
}

/**
 * What of `item` a boundary Allow lets through: the boundary's own pattern where it lies within the
 * item (an identity `*` within an `etl-*` boundary is `etl-*`), else the item (over-approximated).
 */
function narrow(item: ResourceItem, bound: ResourceSpec): ResourceItem[] {
  if (bound.not) {
    return item.kind === 'all-but'
      ? [{ kind: 'all-but', except: [...item.except, ...bound.patterns] }]
      : [item];
  }
  const narrowed = new Map<string, ResourceItem>();
  for (const pattern of bound.patterns) {
    if (!specOverlaps({ not: false, patterns: [pattern] }, item)) continue;
    const inside =
      item.kind === 'pattern'
        ? patternContains(item.pattern, pattern)
        : specContains({ not: true, patterns: item.except }, { kind: 'pattern', pattern });
    const result: ResourceItem = inside ? { kind: 'pattern', pattern } : item;
    narrowed.set(result.kind === 'pattern' ? result.pattern : '', result);
  }
  return [...narrowed.values()];
}

function candidatesFor(principal: CompiledPrincipal, item: ResourceItem): Candidate[] {
  const withFilters = (narrowed: ResourceItem, bound: CompiledStatement | null): Candidate => ({
    item: narrowed,
    bound,
    scps: principal.scps.map((level) =>
      level.filter((st) => st.effect === 'Allow' && countsForR(st) && specOverlaps(st.resources, narrowed)),
    ),
    denies: [principal.identity, principal.boundary ?? [], ...principal.scps]
      .flat()
      .filter((st) => st.effect === 'Deny' && appliesToR(st) && specContains(st.resources, narrowed)),
  });
  if (!principal.boundary) return [withFilters(item, null)];
  return principal.boundary
    .filter((st) => st.effect === 'Allow' && countsForR(st))
    .flatMap((bound) => narrow(item, bound.resources).map((narrowed) => withFilters(narrowed, bound)));
}

function passes(candidate: Candidate, action: number): boolean {
  if (candidate.bound && !candidate.bound.actions.has(action)) return false;
  if (!candidate.scps.every((level) => level.some((st) => st.actions.has(action)))) return false;
  return !candidate.denies.some((st) => st.actions.has(action));
}

export function effectiveGrants(
  space: ActionSpace,
  principal: CompiledPrincipal,
  via: string | null,
): Grant[] {
  const grants: Grant[] = [];
  for (const source of principal.identity) {
    if (source.effect !== 'Allow' || !countsForR(source)) continue;
    const candidates = itemsOf(source.resources).flatMap((item) => candidatesFor(principal, item));
    // A wildcard-only action is requested on `*`: only a statement admitting `*` grants it.
    const starCandidates = itemsOf(source.resources).some(itemAdmitsStar)
      ? candidatesFor(principal, STAR).filter((candidate) => itemAdmitsStar(candidate.item))
      : [];
    source.actions.forEach((action) => {
      const granted = new Set<ResourceItem>();
      for (const candidate of space.wildcardOnly[action] ? starCandidates : candidates) {
        if (granted.has(candidate.item) || !passes(candidate, action)) continue;
        granted.add(candidate.item);
        grants.push({ action, item: candidate.item, source, via });
      }
    });
  }
  return grants;
}
