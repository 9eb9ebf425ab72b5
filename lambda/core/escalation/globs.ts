/**
 * Set relations between IAM resource patterns (`*` any run of characters, `?` one character,
 * case-sensitive as ARNs are): does one pattern contain every ARN another can match, and can two
 * patterns match a common ARN. Decided on the patterns themselves, so containment holds for every
 * resource, not only for sampled ones.
 */

const containsCache = new Map<string, boolean>();
const overlapsCache = new Map<string, boolean>();

function cached(cache: Map<string, boolean>, key: string, compute: () => boolean): boolean {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size > 50_000) cache.clear();
    value = compute();
    cache.set(key, value);
  }
  return value;
}

/**
 * Does `outer` match every string `inner` matches? Sufficient, not complete: `outer` must match
 * `inner`'s text with its `*` standing for any run (wildcards included), `?` for one character that is
 * not a `*` of `inner`, and a literal only for the same literal. False means "not shown".
 */
export function patternContains(outer: string, inner: string): boolean {
  if (outer === inner || /^\*+$/.test(outer)) return true;
  return cached(containsCache, `${outer}\u0000${inner}`, () => {
    const memo = new Map<number, boolean>();
    const width = inner.length + 1;
    const walk = (i: number, j: number): boolean => {
      const key = i * width + j;
      const known = memo.get(key);
      if (known !== undefined) return known;
      let result: boolean;
      if (i === outer.length) result = j === inner.length;
      else if (outer[i] === '*') result = walk(i + 1, j) || (j < inner.length && walk(i, j + 1));
      else if (j === inner.length) result = false;
      else if (outer[i] === '?') result = inner[j] !== '*' && walk(i + 1, j + 1);
      else result = outer[i] === inner[j] && inner[j] !== '*' && inner[j] !== '?' && walk(i + 1, j + 1);
      memo.set(key, result);
      return result;
    };
    return walk(0, 0);
  });
}

/** Can some string match both patterns? Exact for this grammar. */
export function patternsOverlap(left: string, right: string): boolean {
  if (left === right || /^\*+$/.test(left) || /^\*+$/.test(right)) return true;
  return cached(overlapsCache, `${left}\u0000${right}`, () => {
    const memo = new Map<number, boolean>();
    const width = right.length + 1;
    const walk = (i: number, j: number): boolean => {
      const key = i * width + j;
      const known = memo.get(key);
      if (known !== undefined) return known;
      let result: boolean;
      if (i === left.length && j === right.length) result = true;
      else if (i < left.length && left[i] === '*')
        result = walk(i + 1, j) || (j < right.length && walk(i, j + 1));
      else if (j < right.length && right[j] === '*')
        result = walk(i, j + 1) || (i < left.length && walk(i + 1, j));
      else if (i === left.length || j === right.length) result = false;
      else result = (left[i] === '?' || right[j] === '?' || left[i] === right[j]) && walk(i + 1, j + 1);
      memo.set(key, result);
      return result;
    };
    return walk(0, 0);
  });
}

/** Does the pattern match the literal resource `*` (what a wildcard-only action is requested on)? */
export function admitsStar(pattern: string): boolean {
  return pattern.length > 0 && /^\**\??\**$/.test(pattern);
}
