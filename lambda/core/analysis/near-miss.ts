import { checkStringKey, conditionKeys } from '../policy/conditions';
import { coversAction, coversResource, type LocatedStatement } from '../policy/statements';

const PASS_ROLE = 'iam:PassRole';
const PASSED_TO_SERVICE = 'iam:passedtoservice';

export interface NearMiss {
  located: LocatedStatement;
  resourceMismatch: boolean;
  serviceMismatch: boolean;
  /** Condition keys other than iam:PassedToService that the statement also tests. */
  otherConditionKeys: string[];
}

/**
 * The Allow statements for iam:PassRole that did not grant this request, and why: the resource
 * pattern does not cover the role, or the statement allows other services only. core/render/near-miss.ts
 * words them ("AWSGlueConsoleFullAccess allows it only on AWSGlueServiceRole*").
 */
export function findNearMisses(
  statements: readonly LocatedStatement[],
  roleArn: string,
  passedToService: string | null,
): NearMiss[] {
  const misses: NearMiss[] = [];
  for (const located of statements) {
    const { statement } = located;
    if (located.layer !== 'identity' || statement.Effect !== 'Allow' || !coversAction(statement, PASS_ROLE)) {
      continue;
    }
    const resourceMismatch = !coversResource(statement, roleArn);
    const serviceMismatch =
      passedToService !== null &&
      checkStringKey(statement.Condition, 'iam:PassedToService', passedToService) === 'fails';
    const otherConditionKeys = conditionKeys(statement.Condition).filter((key) => key !== PASSED_TO_SERVICE);
    if (resourceMismatch || serviceMismatch) {
      misses.push({ located, resourceMismatch, serviceMismatch, otherConditionKeys });
    }
  }
  // A statement for another service on another role says nothing about this request; show it only
  // when nothing closer exists.
  const closer = misses.filter((miss) => !(miss.resourceMismatch && miss.serviceMismatch));
  return closer.length > 0 ? closer : misses;
}
