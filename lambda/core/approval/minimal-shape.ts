export type ShapeCheck = { ok: true; roleArn: string; service: string } | { ok: false; problem: string };

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function single(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function exactKeys(value: Record<string, unknown>, allowed: string[], required: string[]): string | null {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length > 0) return `unexpected ${extra.join(', ')}`;
  const missing = required.filter((key) => !(key in value));
  return missing.length > 0 ? `missing ${missing.join(', ')}` : null;
}

/**
 * The apply function's gate: only the minimal grant may ever be written — one Allow of iam:PassRole
 * on one role ARN of this account, to one service by StringEquals. Anything else is refused, whatever
 * the database says, so a tampered record cannot become an IAM change.
 */
export function checkMinimalDocument(document: unknown, accountId: string): ShapeCheck {
  if (!isPlainObject(document)) return { ok: false, problem: 'the document is not an object' };
  const topProblem = exactKeys(document, ['Version', 'Statement'], ['Version', 'Statement']);
  if (topProblem) return { ok: false, problem: `document: ${topProblem}` };
  if (document['Version'] !== '2012-10-17') return { ok: false, problem: 'Version must be 2012-10-17' };
  const statements = document['Statement'];
  if (!Array.isArray(statements) || statements.length !== 1)
    return { ok: false, problem: 'exactly one statement is allowed' };
  const statement: unknown = statements[0];
  if (!isPlainObject(statement)) return { ok: false, problem: 'the statement is not an object' };
  const statementProblem = exactKeys(
    statement,
    ['Sid', 'Effect', 'Action', 'Resource', 'Condition'],
    ['Effect', 'Action', 'Resource', 'Condition'],
  );
  if (statementProblem) return { ok: false, problem: `statement: ${statementProblem}` };
  if (
    statement['Sid'] !== undefined &&
    (typeof statement['Sid'] !== 'string' || !/^[A-Za-z0-9]*$/.test(statement['Sid']))
  ) {
    return { ok: false, problem: 'Sid must be alphanumeric' };
  }
  if (statement['Effect'] !== 'Allow') return { ok: false, problem: 'Effect must be Allow' };
  if (single(statement['Action']) !== 'iam:PassRole')
    return { ok: false, problem: 'Action must be exactly iam:PassRole' };
  const roleArn = single(statement['Resource']);
  const roleMatch = typeof roleArn === 'string' ? ROLE_ARN.exec(roleArn) : null;
  if (typeof roleArn !== 'string' || !roleMatch || roleArn.includes('*') || roleArn.includes('?')) {
    return { ok: false, problem: 'Resource must be one role ARN without wildcards' };
  }
  if (roleMatch[1] !== accountId) return { ok: false, problem: `the role is not in account ${accountId}` };
  const condition = statement['Condition'];
  if (!isPlainObject(condition) || exactKeys(condition, ['StringEquals'], ['StringEquals'])) {
    return { ok: false, problem: 'Condition must be exactly StringEquals iam:PassedToService' };
  }
  const equals = condition['StringEquals'];
  if (!isPlainObject(equals) || exactKeys(equals, ['iam:PassedToService'], ['iam:PassedToService'])) {
    return { ok: false, problem: 'Condition must be exactly StringEquals iam:PassedToService' };
  }
  const service = single(equals['iam:PassedToService']);
  if (typeof service !== 'string' || !SERVICE.test(service)) {
    return { ok: false, problem: 'iam:PassedToService must be one service principal' };
  }
  return { ok: true, roleArn, service };
}
