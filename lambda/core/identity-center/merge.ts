/**
 * The minimal statement merged into a permission set's inline policy, within both limits the set's
 * policy must fit: sso-admin's PutInlinePolicyToPermissionSet (32,768 characters, whitespace counted)
 * and IAM's inline policy on the provisioned role (10,240 characters, whitespace not counted).
 * Pure, and THE merge: the proposal (diagnosis/permission-set.ts) verifies what it gives, and the
 * apply (apply/permission-set/write-and-provision.ts) writes what it gives for the same definition.
 */
import { canonicalJson } from '../incident';
import type { PolicyDocument, PolicyStatement } from '../model';
import type { InlineMerge } from './model';

/** PutInlinePolicyToPermissionSet's limit on the text it takes, whitespace included. */
export const PERMISSION_SET_INLINE_MAX = 32_768;
/** IAM's limit on a role's inline policies, whitespace not counted: the provisioned role carries the set's one. */
export const IAM_ROLE_INLINE_MAX = 10_240;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The existing inline policy as a document, or why it cannot be merged into. */
function parseInline(text: string | null): { document: PolicyDocument | null } | { problem: string } {
  if (text === null || text.trim() === '') return { document: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `the inline policy is not JSON (${(error as Error).message})` };
  }
  if (!isRecord(parsed)) return { problem: 'the inline policy is not a JSON object' };
  const statement = parsed['Statement'];
  const statements = Array.isArray(statement) ? statement : [statement];
  if (statement === undefined || !statements.every(isRecord)) {
    return { problem: 'the inline policy has no Statement of objects' };
  }
  // Only its shape is checked here: the statements are carried over as written.
  return { document: parsed as unknown as PolicyDocument };
}

function withoutSid(statement: PolicyStatement): PolicyStatement {
  const { Sid: _sid, ...rest } = statement;
  return rest;
}

/** A Sid not used by the policy yet: `sid`, else `sid2`, `sid3`, ... */
function freeSid(sid: string, statements: readonly PolicyStatement[]): string {
  const taken = new Set(statements.map((statement) => statement.Sid));
  if (!taken.has(sid)) return sid;
  let index = 2;
  while (taken.has(`${sid}${index}`)) index++;
  return `${sid}${index}`;
}

/** The one statement of a proposal's minimal document: what both the proposal and the apply merge. */
export function proposedStatement(document: PolicyDocument): PolicyStatement {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const [statement] = statements;
  if (statement === undefined || statements.length !== 1) {
    throw new TypeError('the minimal document has not exactly one statement');
  }
  return statement;
}

/** IAM's measure: characters without whitespace. */
export function iamPolicySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/**
 * `statement` merged into the inline policy `text` (null when the set has none). A statement already
 * there (the same but for its Sid) is not added again: the text stays as it is. Otherwise the merged
 * policy is written as compact JSON, since the whitespace of a pretty-printed policy counts against
 * sso-admin's limit and means nothing to IAM.
 */
export function mergeIntoInlinePolicy(text: string | null, statement: PolicyStatement): InlineMerge {
  const parsed = parseInline(text);
  if ('problem' in parsed) return { kind: 'unreadable', problem: parsed.problem };
  const existing = parsed.document;
  const statements =
    existing === null ? [] : Array.isArray(existing.Statement) ? existing.Statement : [existing.Statement];
  const wanted = canonicalJson(withoutSid(statement));
  if (existing !== null && text !== null && statements.some((s) => canonicalJson(withoutSid(s)) === wanted)) {
    return { kind: 'merged', policy: existing, text, alreadyPresent: true };
  }
  const added: PolicyStatement =
    statement.Sid === undefined ? statement : { ...statement, Sid: freeSid(statement.Sid, statements) };
  const policy: PolicyDocument = {
    ...(existing ?? { Version: '2012-10-17' }),
    Statement: [...statements, added],
  };
  const merged = JSON.stringify(policy);
  if (merged.length > PERMISSION_SET_INLINE_MAX) {
    return {
      kind: 'too-large',
      limit: 'permission-set-inline',
      size: merged.length,
      max: PERMISSION_SET_INLINE_MAX,
    };
  }
  const size = iamPolicySize(merged);
  if (size > IAM_ROLE_INLINE_MAX) {
    return { kind: 'too-large', limit: 'iam-role-inline', size, max: IAM_ROLE_INLINE_MAX };
  }
  return { kind: 'merged', policy, text: merged, alreadyPresent: false };
}
