/**
 * Whether another role's trust policy lets role R assume it, as far as the trust policy alone shows:
 * whoever gains "pass R" can run code as R, and R can then become every role that trusts it. The
 * escalation analysis counts those roles among what the grant exposes.
 *
 * Covered: an Allow statement whose actions include sts:AssumeRole (Action patterns, or a NotAction that
 * leaves it in), and whose Principal names R
 *  - by R's ARN in `AWS` (alone or in a list), or
 *  - by R's account (its root ARN or bare account id) or `*` (`"Principal": "*"` or `AWS: "*"`), with a
 *    condition on aws:PrincipalArn (StringEquals/StringLike/ArnEquals/ArnLike, ForAnyValue:/IfExists
 *    variants) whose value is R's ARN or a pattern matching it.
 * Not covered (R still needs sts:AssumeRole in its own policies there, which the analysis of R's policies
 * sees): the account root or `*` without an aws:PrincipalArn condition; other keys that may name R
 * (aws:PrincipalTag, aws:userid); NotPrincipal; the role's unique id in place of its ARN (a deleted and
 * recreated R); Deny statements that may take the Allow back (the role is still listed: an exposure
 * listed too many is safer than one left out).
 */
import { iamArn, parseArn } from '../iam/arn';
import { principalsOfType } from '../iam/policy-principals';
import type { PolicyDocument, PolicyStatement } from '../model';
import { matchesArnPattern, toArray } from '../policy/patterns';
import { coversAction, statementsOf } from '../policy/statements';

const ASSUME_ROLE = 'sts:AssumeRole';
const PRINCIPAL_ARN_KEY = 'aws:principalarn';
const NAMING_OPERATORS = new Set(['stringequals', 'stringlike', 'arnequals', 'arnlike']);

/** Whether the statement's condition names R on aws:PrincipalArn. */
function conditionNamesRole(statement: PolicyStatement, roleArn: string): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    const bare = operator
      .toLowerCase()
      .replace(/^for(any|all)value:/, '')
      .replace(/ifexists$/, '');
    if (!NAMING_OPERATORS.has(bare)) continue;
    const like = bare.endsWith('like');
    for (const [key, values] of Object.entries(keys)) {
      if (key.toLowerCase() !== PRINCIPAL_ARN_KEY) continue;
      const named = toArray(values).some(
        (value) =>
          typeof value === 'string' && (like ? matchesArnPattern(value, roleArn) : value === roleArn),
      );
      if (named) return true;
    }
  }
  return false;
}

/**
 * Whether `trustPolicy` admits role `roleArn` (of account `accountId`) to sts:AssumeRole, in the cases
 * the module comment lists.
 */
export function trustPolicyNamesRole(
  trustPolicy: PolicyDocument | null,
  roleArn: string,
  accountId: string,
): boolean {
  if (trustPolicy === null) return false;
  const partition = parseArn(roleArn)?.partition ?? 'aws';
  const accountPrincipals = new Set(['*', accountId, iamArn(partition, accountId, 'root')]);
  return statementsOf(trustPolicy).some((statement) => {
    if (statement.Effect !== 'Allow' || !coversAction(statement, ASSUME_ROLE)) return false;
    const principals = principalsOfType(statement.Principal, 'AWS');
    if (principals.includes(roleArn)) return true;
    return (
      principals.some((principal) => accountPrincipals.has(principal)) &&
      conditionNamesRole(statement, roleArn)
    );
  });
}
