import { rolePathAndName } from '../iam/arn';
import type { Finding } from '../model';
import { checkStringKey, conditionKeys, requiredStringValues } from '../policy/conditions';
import { toArray } from '../policy/patterns';
import { coversAction, coversResource, describeLocation, type LocatedStatement } from '../policy/statements';

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
 * pattern does not cover the role, or the statement allows other services only. These are the
 * sentences a person needs ("AWSGlueConsoleFullAccess allows it only on AWSGlueServiceRole*").
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

/**
 * One sentence per policy: "AWSGlueConsoleFullAccess (on group/GlueAccess) allows iam:PassRole only on
 * A, B (to glue.amazonaws.com); etl-runtime does not match". Resource-only misses of one policy merge.
 */
export function nearMissInsight(
  misses: readonly NearMiss[],
  roleArn: string,
  passedToService: string | null,
): string | null {
  const first = misses[0];
  if (!first) return null;
  const samePolicy = misses.filter(
    (miss) =>
      miss.resourceMismatch &&
      !miss.serviceMismatch &&
      miss.located.policyName === first.located.policyName &&
      miss.located.attachedTo === first.located.attachedTo,
  );
  if (!first.resourceMismatch || first.serviceMismatch || samePolicy.length < 2) {
    return describeNearMiss(first, roleArn, passedToService);
  }
  const resources = [...new Set(samePolicy.flatMap((miss) => toArray(miss.located.statement.Resource)))];
  const services = [
    ...new Set(
      samePolicy.flatMap((miss) =>
        requiredStringValues(miss.located.statement.Condition, 'iam:PassedToService'),
      ),
    ),
  ];
  const forServices = services.length > 0 ? ` (to ${services.join(', ')})` : '';
  return `${describeLocation(first.located)} allows iam:PassRole only on ${resources.join(', ')}${forServices}; ${rolePathAndName(roleArn)} does not match`;
}

export function describeNearMiss(miss: NearMiss, roleArn: string, passedToService: string | null): string {
  const { statement } = miss.located;
  const where = describeLocation(miss.located);
  const resources = toArray(statement.Resource ?? statement.NotResource).join(', ');
  const services = requiredStringValues(statement.Condition, 'iam:PassedToService');
  const forServices = services.length > 0 ? ` (to ${services.join(', ')})` : '';
  const parts: string[] = [];
  if (miss.resourceMismatch) {
    const notResource = statement.Resource === undefined && statement.NotResource !== undefined;
    parts.push(
      notResource
        ? `${where} allows iam:PassRole on every role except ${resources}${forServices}; ${rolePathAndName(roleArn)} is excluded`
        : `${where} allows iam:PassRole only on ${resources}${forServices}; ${rolePathAndName(roleArn)} does not match`,
    );
  } else {
    parts.push(
      `${where} allows iam:PassRole on ${rolePathAndName(roleArn)} only when passed to ${services.join(', ') || 'other services'}, not ${passedToService ?? 'this service'}`,
    );
  }
  if (miss.otherConditionKeys.length > 0) {
    parts.push(`it also requires ${miss.otherConditionKeys.join(', ')}`);
  }
  return parts.join('; ');
}

export function nearMissFindings(
  misses: readonly NearMiss[],
  roleArn: string,
  passedToService: string | null,
): Finding[] {
  return misses.map((miss) => ({
    kind: 'near-miss',
    message: describeNearMiss(miss, roleArn, passedToService),
    policy: miss.located.policyArn ?? miss.located.policyName,
    statement: miss.located.statementId,
  }));
}
