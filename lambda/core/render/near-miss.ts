/** The words of a near miss: the Allow statement that almost granted the request, and why it did not. */
import type { NearMiss } from '../analysis/near-miss';
import { rolePathAndName } from '../iam/arn';
import { requiredStringValues } from '../policy/conditions';
import { toArray } from '../policy/patterns';
import { describeLocation } from '../policy/statements';

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
