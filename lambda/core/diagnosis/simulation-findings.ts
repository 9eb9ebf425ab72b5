/** The findings a simulation's result and the account data show, as data (core/render words them). */
import type { TrustAnalysis } from '../analysis/trust-policy';
import type { AccountScope, DiagnosisFinding, PrincipalDetails, SimulationResult } from '../model';

/** One finding per Deny statement that decided the request. */
export function denyFindings(result: SimulationResult): DiagnosisFinding[] {
  return result.matchedStatements
    .filter((statement) => statement.effect === 'Deny')
    .map((match) => ({ kind: 'deny-statement', match }));
}

/** An SCP or boundary layer that allows nothing, when no matched deny already says so. */
export function implicitBlockFindings(
  result: SimulationResult,
  principal: PrincipalDetails,
): DiagnosisFinding[] {
  const findings: DiagnosisFinding[] = [];
  if (
    result.blockedBy.includes('scp') &&
    !result.matchedStatements.some((match) => match.policyType === 'scp')
  ) {
    findings.push({ kind: 'scp-allows-nothing' });
  }
  if (
    result.blockedBy.includes('boundary') &&
    !result.matchedStatements.some((match) => match.policyType === 'boundary')
  ) {
    const boundary = principal.permissionsBoundary;
    findings.push({
      kind: 'boundary-allows-nothing',
      boundary: boundary ? { name: boundary.name, arn: boundary.arn } : null,
    });
  }
  return findings;
}

/** The passed role missing, or its trust policy not admitting the receiving service. */
export function trustFindings(
  scope: AccountScope,
  roleArn: string,
  service: string | null,
  trust: TrustAnalysis,
): DiagnosisFinding[] {
  if (!scope.passedRole) return [{ kind: 'role-not-found', roleArn, account: scope.accountId }];
  if (service === null || trust.trustsService !== false) return [];
  const trustedServices = [...trust.trustedServices];
  const findings: DiagnosisFinding[] = [
    {
      kind: 'trust-policy',
      role: scope.passedRole.name,
      service,
      trustedServices,
      // A deny is what keeps the service out, whatever the policy allows.
      ...(trust.deniesService ? { deniesService: true as const } : {}),
    },
  ];
  if (trust.trustedServices.length > 0 && !trust.deniesService) {
    findings.push({ kind: 'trust-mismatch', service, trustedServices });
  }
  return findings;
}
