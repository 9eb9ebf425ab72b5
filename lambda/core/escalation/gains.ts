/**
 * Turns the grants a gainer lacks into the report's gains: one entry per category, with a few example
 * actions (writes first) and the policy and statement of R that grant them.
 */
import type { AccessLevel, ActionSpace } from './action-space';
import { NOTABLE_ACTIONS } from './categories';
import type { Classifier } from './classify';
import type { Grant } from './grants';
import type { EscalationGain, EscalationLevel, GainCategory } from './model';

/** The order gains are listed in, most serious first. */
const CATEGORY_ORDER: readonly GainCategory[] = [
  'admin',
  'iam-write',
  'organizations-write',
  'assume-role',
  'code-execution',
  'secrets',
  'own-resources',
  'data-write',
  'other',
];

const SENSITIVE = new Set<GainCategory>(CATEGORY_ORDER.filter((category) => category !== 'other'));

const LEVEL_ORDER: Record<AccessLevel, number> = {
  'Permissions management': 0,
  Write: 1,
  Tagging: 2,
  Read: 3,
  List: 4,
};

const EXAMPLES = 5;

const NOTABLE_RANK = new Map(NOTABLE_ACTIONS.map((action, rank) => [action.toLowerCase(), rank]));

export interface GainSummary {
  level: EscalationLevel;
  /** Distinct actions gained: how the least-privileged gainer is told apart. */
  actionCount: number;
  gains: EscalationGain[];
}

export function policyLabel(grant: Grant): string {
  return grant.via ? `${grant.source.policy} (via ${grant.via})` : grant.source.policy;
}

/**
 * @param gained the grants the gainer lacks
 * @param roleIsAdmin R, or a role R can become, is effectively an administrator
 */
export function summarizeGains(
  space: ActionSpace,
  classifier: Classifier,
  gained: Grant[],
  roleIsAdmin: boolean,
): GainSummary {
  const byCategory = new Map<GainCategory, Grant[]>();
  const actions = new Set<number>();
  for (const grant of gained) {
    actions.add(grant.action);
    for (const category of classifier.categoriesOf(grant.action, grant.item)) {
      const list = byCategory.get(category) ?? [];
      list.push(grant);
      byCategory.set(category, list);
    }
  }
  if (gained.length === 0) return { level: 'none', actionCount: 0, gains: [] };

  const gains = CATEGORY_ORDER.flatMap((category): EscalationGain[] => {
    const grants = byCategory.get(category);
    if (!grants || category === 'admin') return [];
    return [{ category, actions: examples(space, grants), ...sourceOf(grants) }];
  });
  if (roleIsAdmin) {
    // Its examples: the most telling action of each other category.
    const telling = gains.map((gain) => gain.actions[0] ?? '').filter((action) => action !== '');
    gains.unshift({ category: 'admin', actions: telling.slice(0, EXAMPLES), ...sourceOf(gained) });
  }
  const level: EscalationLevel = roleIsAdmin
    ? 'admin'
    : gains.some((gain) => SENSITIVE.has(gain.category))
      ? 'sensitive'
      : 'contained';
  return { level, actionCount: actions.size, gains };
}

/**
 * The few actions shown for a category: well-known ones first (categories.ts NOTABLE_ACTIONS), then
 * writes before reads, then by name. Picked without sorting every gained action.
 */
function examples(space: ActionSpace, grants: Grant[]): string[] {
  const rankOf = (action: number): [number, number, string] => {
    const name = space.names[action] ?? '';
    const notable = NOTABLE_RANK.get(name.toLowerCase());
    return [notable ?? NOTABLE_RANK.size, LEVEL_ORDER[space.levels[action] ?? 'Read'], name];
  };
  const before = (left: [number, number, string], right: [number, number, string]): boolean =>
    left[0] !== right[0]
      ? left[0] < right[0]
      : left[1] !== right[1]
        ? left[1] < right[1]
        : left[2] < right[2];
  const best: [number, number, string][] = [];
  const seen = new Set<number>();
  for (const grant of grants) {
    if (seen.has(grant.action)) continue;
    seen.add(grant.action);
    const rank = rankOf(grant.action);
    if (best.length === EXAMPLES && !before(rank, best[EXAMPLES - 1] ?? rank)) continue;
    let at = best.length;
    while (at > 0 && before(rank, best[at - 1] ?? rank)) at--;
    best.splice(at, 0, rank);
    if (best.length > EXAMPLES) best.pop();
  }
  return best.map((rank) => rank[2]);
}

/** The one policy and statement granting them, or the policy alone, or neither when several. */
function sourceOf(grants: Grant[]): Pick<EscalationGain, 'policy' | 'statement'> {
  const policies = new Set(grants.map(policyLabel));
  if (policies.size !== 1) return { policy: null, statement: null };
  const statements = new Set(grants.map((grant) => grant.source.statement));
  const [policy] = policies;
  const [statement] = statements;
  return { policy: policy ?? null, statement: statements.size === 1 ? (statement ?? null) : null };
}
