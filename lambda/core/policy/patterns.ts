/**
 * IAM's wildcard grammar for actions and ARNs: `*` matches any run of characters (slashes included),
 * `?` matches one. Actions compare case-insensitively, ARNs case-sensitively, as IAM does.
 */

const compiledPatterns = new Map<string, RegExp>();

function compile(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let regex = compiledPatterns.get(key);
  if (!regex) {
    const body = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    compiledPatterns.set(key, regex);
  }
  return regex;
}

export function matchesActionPattern(pattern: string, action: string): boolean {
  return compile(pattern, true).test(action);
}

export function matchesArnPattern(pattern: string, arn: string): boolean {
  return compile(pattern, false).test(arn);
}

export function toArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}
