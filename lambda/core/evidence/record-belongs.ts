/**
 * Whether AWS's evaluation record is of the denied request: its principal, action and resource must
 * be the denial's. A forged event can carry the real authorization ID of another request, so a record
 * that does not match is never evidence.
 */
import { parseIamArn } from '../iam/arn';
import type { Denial } from '../model';
import { hasWildcard, matchesArnPattern } from '../policy/patterns';
import type {
  AwsAuthorizationRecord,
  AwsContextValue,
  AwsEvaluation,
  AwsRequestContext,
} from './aws-evaluation';

export const PASS_ROLE_ACTION = 'iam:PassRole';

/** What in the record is not the denial's. */
export type AwsRecordMismatch =
  /** aws:PrincipalArn is another entity, or absent (null): the record cannot be tied to the caller. */
  | { field: 'principal'; recorded: string | null; expected: string }
  /** No evaluation of iam:PassRole: the record is of another action (the actions it has, at most 5). */
  | { field: 'action'; recorded: string[]; expected: string }
  /** iam:PassRole evaluated on other resources only (at most 5). */
  | { field: 'resource'; recorded: string[]; expected: string }
  /** AWS allowed iam:PassRole on this role: the record does not show this denial. */
  | { field: 'effect'; recorded: 'allow'; expected: 'a deny' };

export type RecordBelonging =
  { kind: 'belongs'; evaluation: AwsEvaluation } | { kind: 'mismatch'; mismatches: AwsRecordMismatch[] };

/** A context key's value, looked up as IAM does (key names are case-insensitive); a lone value of a list. */
export function contextValue(context: AwsRequestContext, key: string): string | null {
  const lower = key.toLowerCase();
  const entry = Object.entries(context).find(([name]) => name.toLowerCase() === lower);
  return entry === undefined ? null : singleValue(entry[1]);
}

export function singleValue(value: AwsContextValue): string | null {
  if (typeof value === 'string') return value;
  return value.length === 1 ? (value[0] ?? null) : null;
}

/**
 * The same IAM entity: same partition and account, the same name (IAM names are unique whatever their
 * case or path), a role and a session of that role alike (aws:PrincipalArn of a session is its role).
 */
export function sameEntity(left: string, right: string): boolean {
  const a = parseIamArn(left);
  const b = parseIamArn(right);
  if (a === null || b === null) return left === right;
  const kind = (k: string): string => (k === 'assumed-role' ? 'role' : k);
  return (
    a.partition === b.partition &&
    a.accountId === b.accountId &&
    kind(a.kind) === kind(b.kind) &&
    a.kind !== 'other' &&
    a.name.toLowerCase() === b.name.toLowerCase()
  );
}

function sameResource(recorded: string, roleArn: string): boolean {
  if (hasWildcard(recorded)) return matchesArnPattern(recorded, roleArn);
  return sameEntity(recorded, roleArn);
}

const some = (values: string[]): string[] => [...new Set(values)].slice(0, 5);

export function recordBelongs(
  record: AwsAuthorizationRecord,
  denial: Denial,
  roleArn: string,
  policySourceArn: string,
): RecordBelonging {
  const mismatches: AwsRecordMismatch[] = [];
  const principal = contextValue(record.requestContext, 'aws:PrincipalArn');
  if (
    principal === null ||
    !(sameEntity(principal, policySourceArn) || sameEntity(principal, denial.principalArn))
  ) {
    mismatches.push({ field: 'principal', recorded: principal, expected: policySourceArn });
  }
  const passes = record.evaluations.filter(
    (evaluation) => evaluation.action.toLowerCase() === PASS_ROLE_ACTION.toLowerCase(),
  );
  const onRole = passes.filter((evaluation) => sameResource(evaluation.resource, roleArn));
  // The deny of this role is the evaluation that explains the denial; an Allow of it does not.
  const evaluation = onRole.find((candidate) => candidate.effect !== 'allow') ?? onRole[0];
  if (passes.length === 0) {
    const recorded = some(record.evaluations.map((e) => e.action));
    mismatches.push({ field: 'action', recorded, expected: PASS_ROLE_ACTION });
  } else if (evaluation === undefined) {
    mismatches.push({ field: 'resource', recorded: some(passes.map((e) => e.resource)), expected: roleArn });
  } else if (evaluation.effect === 'allow') {
    mismatches.push({ field: 'effect', recorded: 'allow', expected: 'a deny' });
  }
  if (mismatches.length > 0 || evaluation === undefined) {
    return { kind: 'mismatch', mismatches };
  }
  return { kind: 'belongs', evaluation };
}
