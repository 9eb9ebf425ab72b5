/**
 * Whether a gainer can already do what one of R's grants allows, decided by statement containment:
 * an Allow of the gainer's that covers the action, whose resources contain R's whole resource item and
 * whose condition is absent, surely holds, or is implied by the condition of R's granting statement;
 * the gainer's boundary and every SCP level likewise; and no Deny of the gainer's that may apply
 * touching the item. Whatever containment cannot show counts as a gain (under-approximation): the
 * level can be overstated, never understated.
 *
 * No policy simulation here: a simulation answers for one concrete request, which cannot prove that
 * a whole resource pattern is covered, and iam-simulate is asynchronous (and reads iam-data from disk)
 * while the analysis is a pure synchronous function bundled into the Lambda functions.
 */
import type { ConditionVerdict } from './conditions';
import { impliedBy } from './conditions';
import type { Grant } from './grants';
import type { CompiledPrincipal, CompiledStatement } from './permissions';
import { specContains, specOverlaps, type ResourceItem } from './resources';

interface CoverageFilter {
  allows: CompiledStatement[];
  boundary: CompiledStatement[] | null;
  scps: CompiledStatement[][];
  denies: CompiledStatement[];
}

/** What a gainer's request must pass, for R's items; filters are cached per (statement, item). */
export class GainerCoverage {
  private readonly filters = new Map<CompiledStatement, Map<ResourceItem, CoverageFilter>>();

  /**
   * @param gainer the gainer, compiled `under`
   * @param role R (or the role R becomes), compiled `over`: its SCP verdicts tell which SCP conditions
   *   bind both alike
   * @param neutral a Deny of the gainer's that cannot be told apart from one on the grant itself
   */
  constructor(
    private readonly gainer: CompiledPrincipal,
    private readonly role: CompiledPrincipal,
    private readonly neutral: (statement: CompiledStatement) => boolean,
  ) {}

  covers(grant: Grant): boolean {
    const filter = this.filterFor(grant);
    const action = grant.action;
    if (!filter.allows.some((st) => st.actions.has(action))) return false;
    if (filter.boundary && !filter.boundary.some((st) => st.actions.has(action))) return false;
    if (!filter.scps.every((level) => level.some((st) => st.actions.has(action)))) return false;
    return !filter.denies.some((st) => st.actions.has(action));
  }

  private filterFor(grant: Grant): CoverageFilter {
    let byItem = this.filters.get(grant.source);
    if (!byItem) {
      byItem = new Map();
      this.filters.set(grant.source, byItem);
    }
    let filter = byItem.get(grant.item);
    if (!filter) {
      filter = this.buildFilter(grant.item, grant.source.condition);
      byItem.set(grant.item, filter);
    }
    return filter;
  }

  private buildFilter(item: ResourceItem, granted: ConditionVerdict): CoverageFilter {
    const counts = (st: CompiledStatement): boolean => impliedBy(st.condition, granted);
    const allowsIn = (statements: CompiledStatement[]): CompiledStatement[] =>
      statements.filter((st) => st.effect === 'Allow' && counts(st) && specContains(st.resources, item));
    const mayDeny = (st: CompiledStatement): boolean =>
      st.effect === 'Deny' &&
      st.condition.principal !== 'fails' &&
      !this.neutral(st) &&
      specOverlaps(st.resources, item);

    // An SCP condition on the request that holds for both principals binds R's use as much as the
    // gainer's: it is read as holding on both sides (an Allow counts, a Deny does not apply), which
    // can only add gains.
    const scps = this.gainer.scps.map((level, levelIndex) =>
      level.filter((st, index) => {
        const twin = this.role.scps[levelIndex]?.[index];
        const shared =
          st.condition.request && st.condition.principal === 'holds' && twin?.condition.principal === 'holds';
        if (st.effect === 'Allow') {
          return (shared || counts(st)) && specContains(st.resources, item);
        }
        return false;
      }),
    );
    const scpDenies = this.gainer.scps.flatMap((level, levelIndex) =>
      level.filter((st, index) => {
        const twin = this.role.scps[levelIndex]?.[index];
        const shared =
          st.condition.request && st.condition.principal === 'holds' && twin?.condition.principal === 'holds';
        return !shared && mayDeny(st);
      }),
    );
    return {
      allows: allowsIn(this.gainer.identity),
      boundary: this.gainer.boundary ? allowsIn(this.gainer.boundary) : null,
      scps,
      denies: [...this.gainer.identity, ...(this.gainer.boundary ?? [])].filter(mayDeny).concat(scpDenies),
    };
  }
}
