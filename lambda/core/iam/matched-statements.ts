import type { MatchedStatement } from '../model';

/**
 * Each matched statement once, in first-seen order: a simulator reports a statement again when it
 * matched through several paths (one managed policy on a user and its group, several result pages).
 */
export function uniqueMatchedStatements(statements: readonly MatchedStatement[]): MatchedStatement[] {
  const seen = new Set<string>();
  return statements.filter((statement) => {
    const key = JSON.stringify(statement);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
