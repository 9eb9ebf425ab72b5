import type { AccountScope, PolicyDocument, PolicyStatement, PrincipalDetails } from '../model';
import { principalPolicies, type PrincipalPolicy } from '../iam/principal-policies';
import { matchesActionPattern, matchesArnPattern, toArray } from './patterns';

/** A statement together with where it lives, so findings can name it. */
export interface LocatedStatement {
  statement: PolicyStatement;
  /** Sid, or the 0-based index when the statement has none. */
  statementId: string;
  policyName: string;
  policyArn: string | null;
  /** 'group/Developers', 'user/mei', 'role/x'. */
  attachedTo: string;
  layer: 'identity' | 'boundary';
}

export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return toArray(document.Statement);
}

export function statementIdOf(statement: PolicyStatement, index: number): string {
  return statement.Sid && statement.Sid.length > 0 ? statement.Sid : String(index);
}

/** The statements of one of the principal's policies, each with its location. */
export function locatedStatements(policy: PrincipalPolicy): LocatedStatement[] {
  return statementsOf(policy.document).map((statement, index) => ({
    statement,
    statementId: statementIdOf(statement, index),
    policyName: policy.name,
    policyArn: policy.arn,
    attachedTo: policy.attachedTo,
    layer: policy.layer,
  }));
}

/** Every identity-policy and boundary statement that applies to the principal, each with its location. */
export function principalStatements(principal: PrincipalDetails): LocatedStatement[] {
  return principalPolicies(principal).flatMap(locatedStatements);
}

export function scopeStatements(scope: AccountScope): LocatedStatement[] {
  return scope.principal ? principalStatements(scope.principal) : [];
}

/** Does the statement's Action/NotAction cover the action (ignoring resource and conditions)? */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) {
    return toArray(statement.Action).some((pattern) => matchesActionPattern(pattern, action));
  }
  if (statement.NotAction !== undefined) {
    return !toArray(statement.NotAction).some((pattern) => matchesActionPattern(pattern, action));
  }
  return false;
}

/** Does the statement's Resource/NotResource cover the ARN? Policy variables count as a possible match. */
export function coversResource(statement: PolicyStatement, arn: string): boolean {
  const matches = (pattern: string): boolean => matchesArnPattern(pattern.replace(/\$\{[^}]*\}/g, '*'), arn);
  if (statement.Resource !== undefined) return toArray(statement.Resource).some(matches);
  if (statement.NotResource !== undefined) return !toArray(statement.NotResource).some(matches);
  return false;
}

export function describeLocation(located: Pick<LocatedStatement, 'policyName' | 'attachedTo'>): string {
  return `${located.policyName} (on ${located.attachedTo})`;
}
