/**
 * EventBridge's event-pattern matching, for the cross-account forwarding fake: moto evaluates
 * patterns only on events put on its own buses, and no JavaScript matcher is installed, so this
 * implements the documented content filters the product's patterns use (exact values, `prefix`,
 * `suffix`, `wildcard`, `anything-but`, `exists`, `equals-ignore-case`, nested objects, `$or`) and
 * refuses any other filter rather than guess. The organization tests check it routes every recorded
 * CloudTrail event exactly as moto's matcher does.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Pattern = { [key: string]: Json };

export class UnsupportedPatternError extends Error {
  constructor(filter: string) {
    super(`the forwarding fake does not implement the content filter ${filter}`);
    this.name = 'UnsupportedPatternError';
  }
}

/** Whether EventBridge would deliver `event` to a rule with `pattern`. */
export function matchesEventPattern(pattern: object, event: unknown): boolean {
  return matchesObject(pattern as Pattern, event);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchesObject(pattern: Pattern, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected)) throw new UnsupportedPatternError('$or without a list');
      return expected.some((branch) => isObject(branch) && matchesObject(branch as Pattern, fields));
    }
    const present = Object.prototype.hasOwnProperty.call(fields, key);
    const value = fields[key];
    if (Array.isArray(expected)) return matchesField(expected, present, value);
    if (isObject(expected)) return present && matchesObject(expected as Pattern, value);
    throw new UnsupportedPatternError(`${key}: a bare value (EventBridge takes a list)`);
  });
}

/** A leaf: the field (or any item of an array field) matches one filter of the list. */
function matchesField(filters: Json[], present: boolean, value: unknown): boolean {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return filters.some((filter) => {
    if (isObject(filter) && 'exists' in filter) return filter['exists'] === present;
    if (!present) return false;
    return values.some((item) => matchesFilter(filter, item));
  });
}

function matchesFilter(filter: Json, value: unknown): boolean {
  if (!isObject(filter)) return filter === value;
  const [name, operand] = Object.entries(filter)[0] ?? ['', null];
  if (Object.keys(filter).length !== 1) throw new UnsupportedPatternError(JSON.stringify(filter));
  const text = typeof value === 'string' ? value : null;
  switch (name) {
    case 'prefix':
      return text !== null && typeof operand === 'string' && text.startsWith(operand);
    case 'suffix':
      return text !== null && typeof operand === 'string' && text.endsWith(operand);
    case 'equals-ignore-case':
      return text !== null && typeof operand === 'string' && text.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      return text !== null && typeof operand === 'string' && wildcard(operand).test(text);
    case 'anything-but': {
      if (isObject(operand)) return !matchesFilter(operand, value);
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.some((item) => item === value);
    }
    default:
      throw new UnsupportedPatternError(name);
  }
}

/** `*` matches any run of characters; `\*` a literal star (EventBridge's wildcard filter). */
function wildcard(pattern: string): RegExp {
  const parts = pattern
    .split(/(?<!\\)\*/)
    .map((part) => part.replace(/\\\*/g, '*').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's');
}
