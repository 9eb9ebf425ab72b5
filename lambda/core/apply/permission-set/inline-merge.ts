/**
 * The apply step's merge of the approved statement into the set's inline policy, as read at apply
 * time (the same text the proposal analysed: the definition hash says so). The proposal side merges
 * in core/identity-center/merge.ts (the `icpropose` change); until both are on one branch this is the
 * apply's own, with the same rules, and the two are to become one function.
 *
 * Rules: an empty policy becomes the statement alone; an existing one gets the statement appended
 * unless an equal statement is already there (then the text is left exactly as it is); the result is
 * written as compact JSON. Too large: over PutInlinePolicyToPermissionSet's 32,768 characters
 * (whitespace counted), or over IAM's 10,240 for the provisioned role's inline policy (whitespace not
 * counted). A policy that is not a JSON policy document, or whose Sid the statement's would repeat, is
 * unreadable: nothing automatic is written.
 */
import { canonicalJson } from '../../incident';
import type { InlineMerge } from '../../identity-center/model';
import type { PolicyDocument, PolicyStatement } from '../../model';

export const PERMISSION_SET_INLINE_MAX = 32_768;
export const IAM_ROLE_INLINE_MAX = 10_240;

function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return [document.Statement].flat();
}

function parsePolicy(text: string): PolicyDocument | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'it is not a JSON object';
  const statement = (parsed as Record<string, unknown>)['Statement'];
  const list: unknown[] = Array.isArray(statement) ? statement : [statement];
  if (statement === undefined || !list.every((entry) => typeof entry === 'object' && entry !== null)) {
    return 'it has no statements';
  }
  return parsed as PolicyDocument;
}

function sizeProblem(text: string): InlineMerge | null {
  if (text.length > PERMISSION_SET_INLINE_MAX) {
    return {
      kind: 'too-large',
      limit: 'permission-set-inline',
      size: text.length,
      max: PERMISSION_SET_INLINE_MAX,
    };
  }
  const withoutWhitespace = text.replace(/\s/g, '').length;
  if (withoutWhitespace > IAM_ROLE_INLINE_MAX) {
    return { kind: 'too-large', limit: 'iam-role-inline', size: withoutWhitespace, max: IAM_ROLE_INLINE_MAX };
  }
  return null;
}

/** `inline` (null or blank: none) with `document`'s statements merged in. */
export function mergeInlinePolicy(inline: string | null, document: PolicyDocument): InlineMerge {
  const added = statementsOf(document);
  if (inline === null || inline.trim() === '') {
    const policy: PolicyDocument = { Version: document.Version ?? '2012-10-17', Statement: added };
    const text = JSON.stringify(policy);
    return sizeProblem(text) ?? { kind: 'merged', policy, text, alreadyPresent: false };
  }
  const existing = parsePolicy(inline);
  if (typeof existing === 'string') {
    return { kind: 'unreadable', problem: `the set's inline policy cannot be read: ${existing}` };
  }
  const current = statementsOf(existing);
  const present = new Set(current.map((statement) => canonicalJson(statement)));
  const missing = added.filter((statement) => !present.has(canonicalJson(statement)));
  if (missing.length === 0) {
    return sizeProblem(inline) ?? { kind: 'merged', policy: existing, text: inline, alreadyPresent: true };
  }
  const sids = new Set(current.flatMap((statement) => (statement.Sid === undefined ? [] : [statement.Sid])));
  const clash = missing.find((statement) => statement.Sid !== undefined && sids.has(statement.Sid));
  if (clash !== undefined) {
    return {
      kind: 'unreadable',
      problem: `the set's inline policy already has another statement with Sid ${clash.Sid ?? ''}`,
    };
  }
  const policy: PolicyDocument = { ...existing, Statement: [...current, ...missing] };
  const text = JSON.stringify(policy);
  return sizeProblem(text) ?? { kind: 'merged', policy, text, alreadyPresent: false };
}
