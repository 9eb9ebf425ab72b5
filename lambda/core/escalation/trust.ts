/**
 * Which of the roles that trust R R can become: their trust policy allows sts:AssumeRole to R (by
 * its ARN, or to its account, or to anyone) and, where the trust names the account rather than R,
 * R's own policies allow it to assume them. Conditions in the trust policy are read in R's favour
 * unless they test R's ARN or account and fail.
 */
import { iamArn, parseArn } from '../iam/arn';
import { principalsOfType } from '../iam/policy-principals';
import type { RoleDetails } from '../model';
import { coversAction, statementsOf } from '../policy/statements';
import { conditionVerdict, type PrincipalFacts } from './conditions';

export type TrustMatch = 'named' | 'account';

/** How the trust policy admits R: by name, through its account (R must also be allowed), or not. */
export function trustAdmits(trusting: RoleDetails, facts: PrincipalFacts): TrustMatch | null {
  if (!trusting.trustPolicy) return null;
  let match: TrustMatch | null = null;
  for (const statement of statementsOf(trusting.trustPolicy)) {
    if (!coversAction(statement, 'sts:AssumeRole')) continue;
    const principals = principalsOfType(statement.Principal, 'AWS');
    const named = principals.includes(facts.arn);
    const account =
      principals.includes('*') ||
      principals.includes(facts.accountId) ||
      principals.includes(iamArn(partitionOf(facts.arn), facts.accountId, 'root'));
    if (!named && !account) continue;
    const verdict = conditionVerdict(statement.Condition, facts);
    if (statement.Effect === 'Deny') {
      if (verdict.principal === 'holds' && !verdict.request) return null;
      continue;
    }
    if (verdict.principal === 'fails') continue;
    if (named) match = 'named';
    else match ??= 'account';
  }
  return match;
}

/** The partition R lives in: an account root is named in R's own partition (aws-cn, aws-us-gov). */
function partitionOf(arn: string): string {
  return parseArn(arn)?.partition ?? 'aws';
}
