/** A policy document as GAAD and the IAM API carry it, decoded and checked for the shape IAM accepts. */
import { InvalidInputError } from '../../core/errors';
import type { PolicyDocument } from '../../core/model';

/**
 * A policy document as GAAD carries it: a JSON object (AWS CLI), a URL-encoded JSON string
 * (raw API, SDK v3) or a plain JSON string.
 * @param where the document's location, for the error (e.g. `account.json: RoleDetailList[0].AssumeRolePolicyDocument`)
 */
export function decodePolicyDocument(value: unknown, where: string): PolicyDocument {
  const parsed = typeof value === 'string' ? parsePolicyText(value, where) : structuredClone(value);
  const problem = policyDocumentProblem(parsed);
  if (problem !== null) throw new InvalidInputError(`${where}: ${problem}`, where);
  return parsed as PolicyDocument;
}

function parsePolicyText(text: string, where: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch (plainError) {
    // Not plain JSON: the API URL-encodes documents (RFC 3986), so decode and try again.
    let decoded: string;
    try {
      decoded = decodeURIComponent(trimmed);
    } catch {
      throw new InvalidInputError(`${where}: not JSON and not URL-encoded JSON`, where, {
        cause: plainError,
      });
    }
    try {
      return JSON.parse(decoded);
    } catch (decodedError) {
      const reason = oneLine(decodedError instanceof Error ? decodedError.message : String(decodedError));
      throw new InvalidInputError(`${where}: not a JSON policy document (${reason})`, where, {
        cause: decodedError,
      });
    }
  }
}

/** JSON.parse quotes the offending text, which may span lines; an error message should not. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringOrStrings(value: unknown): boolean {
  return (
    typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

function isConditionValue(value: unknown): boolean {
  const isScalar = (item: unknown) => ['string', 'boolean', 'number'].includes(typeof item);
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar));
}

/** Why `value` is not a policy document IAM would accept the shape of, or null when it is. */
function policyDocumentProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'a policy document must be a JSON object';
  if (value.Version !== undefined && typeof value.Version !== 'string') return 'Version must be a string';
  const statements = value.Statement;
  if (statements === undefined) return 'a policy document needs a Statement';
  const list: unknown[] = Array.isArray(statements) ? statements : [statements];
  for (const [index, statement] of list.entries()) {
    const at = Array.isArray(statements) ? `Statement[${index}]` : 'Statement';
    const problem = statementProblem(statement);
    if (problem !== null) return `${at} ${problem}`;
  }
  return null;
}

function statementProblem(statement: unknown): string | null {
  if (!isRecord(statement)) return 'must be a JSON object';
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    return `has Effect ${JSON.stringify(statement.Effect)}; expected "Allow" or "Deny"`;
  }
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string')
    return 'has a Sid that is not a string';
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (statement[field] !== undefined && !isStringOrStrings(statement[field])) {
      return `has a ${field} that is neither a string nor a list of strings`;
    }
  }
  const condition = statement.Condition;
  if (condition !== undefined) {
    if (!isRecord(condition)) return 'has a Condition that is not a JSON object';
    for (const [operator, keys] of Object.entries(condition)) {
      if (!isRecord(keys) || !Object.values(keys).every(isConditionValue)) {
        return `has a Condition ${operator} whose keys do not map to values`;
      }
    }
  }
  return null;
}
