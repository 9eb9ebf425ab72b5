/**
 * A statement's Resource or NotResource as a set of ARNs, and the relations the comparison needs
 * between such sets and single resource items (one pattern of R's, or "everything but X").
 */
import { admitsStar, patternContains, patternsOverlap } from './globs';

export interface ResourceSpec {
  /** NotResource: every resource but the patterns. */
  not: boolean;
  patterns: string[];
}

/** One resource pattern R is granted an action on, or (from a NotResource) everything but `except`. */
export type ResourceItem = { kind: 'pattern'; pattern: string } | { kind: 'all-but'; except: string[] };

export const EVERYTHING: ResourceSpec = { not: false, patterns: ['*'] };

/** The items a spec grants, one per Resource pattern (or one all-but item for a NotResource). */
export function itemsOf(spec: ResourceSpec): ResourceItem[] {
  if (spec.not) return [{ kind: 'all-but', except: spec.patterns }];
  return spec.patterns.map((pattern) => ({ kind: 'pattern', pattern }));
}

/** Does the item admit the request resource `*` of a wildcard-only action? */
export function itemAdmitsStar(item: ResourceItem): boolean {
  return item.kind === 'pattern' ? admitsStar(item.pattern) : !item.except.some(admitsStar);
}

/** Is every ARN of the item in the spec (shown on the patterns; false when it cannot be shown)? */
export function specContains(spec: ResourceSpec, item: ResourceItem): boolean {
  if (!spec.not) {
    if (item.kind === 'pattern') return spec.patterns.some((outer) => patternContains(outer, item.pattern));
    return spec.patterns.some((outer) => patternContains(outer, '*'));
  }
  // Everything but Y contains p when p meets no pattern of Y; contains "all but X" when Y lies within X.
  if (item.kind === 'pattern')
    return !spec.patterns.some((excluded) => patternsOverlap(excluded, item.pattern));
  return spec.patterns.every((excluded) => item.except.some((outer) => patternContains(outer, excluded)));
}

/** Can the spec and the item share an ARN? (True when it cannot be ruled out.) */
export function specOverlaps(spec: ResourceSpec, item: ResourceItem): boolean {
  if (!spec.not) {
    if (item.kind === 'pattern')
      return spec.patterns.some((pattern) => patternsOverlap(pattern, item.pattern));
    return spec.patterns.some((pattern) => !item.except.some((outer) => patternContains(outer, pattern)));
  }
  if (item.kind === 'pattern')
    return !spec.patterns.some((excluded) => patternContains(excluded, item.pattern));
  return true;
}

/** The item as shown in a gain: its pattern, or `*` less its exceptions. */
export function describeItem(item: ResourceItem): string {
  return item.kind === 'pattern' ? item.pattern : `* except ${item.except.join(', ')}`;
}
