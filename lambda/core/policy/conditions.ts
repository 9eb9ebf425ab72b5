import type { PolicyCondition } from '../model';
import { matchesArnPattern, toArray } from './patterns';

/** Outcome of checking one condition key against a value we know: it holds, it fails, or we cannot tell. */
export type ConditionCheck = 'holds' | 'fails' | 'unknown';

interface ParsedOperator {
  base: string;
  negated: boolean;
  ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  const withoutSet = operator.replace(/^(ForAnyValue|ForAllValues):/, '');
  const ifExists = withoutSet.endsWith('IfExists');
  const base = ifExists ? withoutSet.slice(0, -'IfExists'.length) : withoutSet;
  const negated = /^(StringNot|ArnNot|NotIpAddress|NumericNot|DateNot)/.test(base);
  return { base, negated, ifExists };
}

function stringMatches(base: string, pattern: string, value: string): boolean {
  // StringLike is case-sensitive, like ARN matching.
  if (/Like$/.test(base)) return matchesArnPattern(pattern, value);
  if (/IgnoreCase$/.test(base)) return pattern.toLowerCase() === value.toLowerCase();
  return pattern === value;
}

/**
 * Checks the string conditions on one key (e.g. iam:PassedToService) against a known value.
 * Only String* operators are judged; anything else on that key is 'unknown'.
 */
export function checkStringKey(
  condition: PolicyCondition | undefined,
  key: string,
  value: string,
): ConditionCheck {
  if (!condition) return 'holds';
  let result: ConditionCheck = 'holds';
  for (const [operator, entries] of Object.entries(condition)) {
    for (const [conditionKey, rawValues] of Object.entries(entries)) {
      if (conditionKey.toLowerCase() !== key.toLowerCase()) continue;
      const { base, negated } = parseOperator(operator);
      if (!base.startsWith('String')) {
        if (result === 'holds') result = 'unknown';
        continue;
      }
      const patterns = toArray(rawValues).map(String);
      const anyMatch = patterns.some((pattern) => stringMatches(base, pattern, value));
      const holds = negated ? !anyMatch : anyMatch;
      if (!holds) return 'fails';
    }
  }
  return result;
}

/** The values a String* condition on `key` requires (for messages such as "only when passed to ec2"). */
export function requiredStringValues(condition: PolicyCondition | undefined, key: string): string[] {
  if (!condition) return [];
  const values: string[] = [];
  for (const [operator, entries] of Object.entries(condition)) {
    const { base, negated } = parseOperator(operator);
    if (!base.startsWith('String') || negated) continue;
    for (const [conditionKey, rawValues] of Object.entries(entries)) {
      if (conditionKey.toLowerCase() === key.toLowerCase()) values.push(...toArray(rawValues).map(String));
    }
  }
  return values;
}

/** Every condition key a condition block tests, lower-cased. */
export function conditionKeys(condition: PolicyCondition | undefined): string[] {
  if (!condition) return [];
  return Object.values(condition).flatMap((entries) => Object.keys(entries).map((key) => key.toLowerCase()));
}

export interface ConditionEntry {
  operator: string;
  base: string;
  negated: boolean;
  ifExists: boolean;
  key: string;
  values: string[];
}

export function conditionEntries(condition: PolicyCondition | undefined): ConditionEntry[] {
  if (!condition) return [];
  const entries: ConditionEntry[] = [];
  for (const [operator, keyed] of Object.entries(condition)) {
    const parsed = parseOperator(operator);
    for (const [key, rawValues] of Object.entries(keyed)) {
      entries.push({ operator, ...parsed, key, values: toArray(rawValues).map(String) });
    }
  }
  return entries;
}
