/** Finding the statement SimulatePrincipalPolicy reports by line and column in a policy's JSON text. */
import type { Statement as AwsStatement } from '@aws-sdk/client-iam';
import type { PolicyDocument, PolicyStatement } from '../../core/model';

/** A policy whose statements are looked up: its document, and the exact text IAM evaluated when known. */
export interface PositionedPolicy {
  document: PolicyDocument | null;
  /** The exact text IAM evaluated, when known (PolicyInputList); else positions are matched against likely renderings. */
  text: string | null;
}

/**
 * IAM reports a matched statement by its line and column in the policy text, not by Sid. The text of an
 * additional policy is the one sent; a stored policy's original layout is unknown, so compact and
 * indented renderings are tried and an answer is kept only if they agree. Failing that, a lone statement
 * of the deciding effect is the one.
 */
export function locateStatement(
  policy: PositionedPolicy,
  awsStatement: AwsStatement,
  expectedEffect: 'Allow' | 'Deny',
): { statement: PolicyStatement; index: number } | null {
  const document = policy.document;
  if (!document) return null;
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const renderings = policy.text
    ? [policy.text]
    : [JSON.stringify(document), JSON.stringify(document, null, 4), JSON.stringify(document, null, 2)];
  const found = new Set<number>();
  for (const text of renderings) {
    const index = statementAt(text, awsStatement, policy.text !== null);
    if (index !== null) found.add(index);
  }
  const [positioned] = found;
  if (found.size === 1 && positioned !== undefined && statements[positioned]) {
    return { statement: statements[positioned], index: positioned };
  }
  const ofEffect = statements.flatMap((statement, index) =>
    statement.Effect === expectedEffect ? [{ statement, index }] : [],
  );
  return ofEffect.length === 1 && ofEffect[0] ? ofEffect[0] : null;
}

/** The statement of `text` whose span holds the reported start, and ends near the reported end. */
function statementAt(text: string, awsStatement: AwsStatement, exact: boolean): number | null {
  const start = offsetOf(text, awsStatement.StartPosition);
  const end = offsetOf(text, awsStatement.EndPosition);
  // In a guessed layout a lone start position can fall inside a statement by chance: want both ends.
  if (start === null || (end === null && !exact)) return null;
  const index = statementSpans(text).findIndex(
    (span) => start >= span.start && start <= span.end && (end === null || Math.abs(end - span.end) <= 2),
  );
  return index === -1 ? null : index;
}

function offsetOf(text: string, position: { Line?: number; Column?: number } | undefined): number | null {
  if (!position?.Line || !position.Column) return null;
  let offset = 0;
  for (let line = 1; line < position.Line; line++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return null;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  const column = position.Column - 1;
  if (column > (lineEnd === -1 ? text.length : lineEnd) - offset) return null;
  return offset + column;
}

/** The [start, end] offsets of each statement object in a policy's JSON text. */
function statementSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  let lastRootKey: string | null = null;
  let awaitingStatementValue = false;
  let statementDepth = 0;
  let currentStart = -1;
  for (let offset = 0; offset < text.length; offset++) {
    const char = text[offset];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') {
        inString = false;
        if (depth === 1) lastRootKey = text.slice(stringStart + 1, offset);
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      stringStart = offset;
    } else if (char === ':' && depth === 1) {
      awaitingStatementValue = lastRootKey === 'Statement';
    } else if (char === '[' || char === '{') {
      depth++;
      if (awaitingStatementValue) {
        // Statement holds either a list of statements or one statement.
        statementDepth = char === '[' ? depth + 1 : depth;
        awaitingStatementValue = false;
      }
      if (char === '{' && depth === statementDepth) currentStart = offset;
    } else if (char === ']' || char === '}') {
      if (char === '}' && depth === statementDepth && currentStart !== -1) {
        spans.push({ start: currentStart, end: offset });
        currentStart = -1;
      }
      depth--;
      if (depth <= 1) statementDepth = 0;
    } else if (char === ',' && depth === 1) {
      awaitingStatementValue = false;
    }
  }
  return spans;
}
