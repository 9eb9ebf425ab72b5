/** Sorts one gained (action, resource item) into the categories of categories.ts. */
import { actionBits, baseActionSpace, type ActionSpace } from './action-space';
import { Bits } from './bits';
import { CATEGORY_RULES, type CategoryRule, type ResourceScope } from './categories';
import { patternsOverlap } from './globs';
import type { GainCategory } from './model';
import type { ResourceItem } from './resources';
import { specOverlaps } from './resources';

export interface Classifier {
  categoriesOf(action: number, item: ResourceItem): GainCategory[];
}

function inScope(scope: ResourceScope, item: ResourceItem, service: string): boolean {
  if (scope === 'any-resource' || item.kind === 'all-but') return true;
  if (scope === 'wildcard') return /[*?]/.test(item.pattern);
  return namesNoResource(item.pattern, service);
}

/**
 * Does the pattern name no particular resource, only (at most) a resource type: `*`,
 * `arn:aws:s3:::*`, `arn:aws:s3:::*\/*`, `arn:aws:dynamodb:*:*:table/*`, `arn:aws:ssm:*:*:parameter/*`.
 */
export function namesNoResource(pattern: string, service: string): boolean {
  if (/^[*?]+$/.test(pattern)) return true;
  const fields = pattern.split(':');
  if (fields.length < 6) return false;
  let resource = fields.slice(5).join(':');
  // Outside S3 (whose ARNs start with the bucket name) the first word is the resource type.
  if (!service.startsWith('s3')) resource = resource.replace(/^[A-Za-z0-9_.-]+[/:]/, '');
  return /^[*?/:]+$/.test(resource);
}

interface CompiledRule {
  rule: CategoryRule;
  bits: Bits;
}

/**
 * @param rolePassesRoles whether R may pass a role (iam:PassRole) itself, which makes compute created
 *   under a given role code execution
 * @param ownResourceArns this deployment's own resources (patterns)
 */
export function createClassifier(
  space: ActionSpace,
  rolePassesRoles: boolean,
  ownResourceArns: readonly string[],
): Classifier {
  const rules: CompiledRule[] = CATEGORY_RULES.filter((rule) => !rule.withPassRole || rolePassesRoles).map(
    (rule) => ({ rule, bits: ruleBits(space, rule) }),
  );
  const own = ownResourceArns.map((pattern) => ({ pattern, service: pattern.split(':')[2] ?? '*' }));
  // What depends on the resource item alone, worked out once per item and service.
  const perItem = new Map<
    ResourceItem,
    Map<string, { scopes: Record<ResourceScope, boolean>; own: boolean }>
  >();
  const facts = (item: ResourceItem, service: string) => {
    let byService = perItem.get(item);
    if (!byService) {
      byService = new Map();
      perItem.set(item, byService);
    }
    let known = byService.get(service);
    if (!known) {
      known = {
        scopes: {
          'any-resource': true,
          wildcard: inScope('wildcard', item, service),
          account: inScope('account', item, service),
        },
        own: own.some(
          (resource) =>
            (resource.service === '' || patternsOverlap(resource.service, service)) &&
            specOverlaps({ not: false, patterns: [resource.pattern] }, item),
        ),
      };
      byService.set(service, known);
    }
    return known;
  };
  return {
    categoriesOf(action, item) {
      const known = facts(item, space.services[action] ?? '');
      const categories: GainCategory[] = [];
      for (const { rule, bits } of rules) {
        if (bits.has(action) && known.scopes[rule.scope] && !categories.includes(rule.category)) {
          categories.push(rule.category);
        }
      }
      if (known.own) categories.push('own-resources');
      if (categories.length === 0) categories.push('other');
      return categories;
    },
  };
}

/**
 * The authorization data files some reads of policies (GetResourcePolicy, DescribeEntity...) under
 * "Permissions management": reading a policy changes no one's access, so those are not access-control writes.
 */
const READ_VERB = /^(get|list|describe|search|batchget|view)/;

function ruleBits(space: ActionSpace, rule: CategoryRule): Bits {
  const bits = new Bits(space.size);
  for (const pattern of rule.actions ?? []) actionBits(space, pattern, bits);
  const levels = new Set(rule.levels ?? []);
  const services = new Set(rule.services ?? []);
  const mark = (index: number): void => {
    if (services.has(space.services[index] ?? '') && levels.has(space.levels[index] ?? 'Read'))
      bits.set(index);
  };
  if (services.has('*')) {
    for (let index = 0; index < space.size; index++) {
      if (levels.has(space.levels[index] ?? 'Read') && !READ_VERB.test(space.shortNames[index] ?? ''))
        bits.set(index);
    }
    return bits;
  }
  for (const service of services) {
    const [start, end] = space.ranges.get(service) ?? [0, 0];
    for (let index = start; index < end; index++) mark(index);
  }
  // Actions the data does not know (withExtraActions) sit after the base space.
  for (let index = baseActionSpace().size; index < space.size; index++) mark(index);
  return bits;
}
