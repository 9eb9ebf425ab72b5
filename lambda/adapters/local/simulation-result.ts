/** Reading iam-simulate's answer into the domain's SimulationResult, naming each matched statement. */
import type { RequestAnalysis, RunSimulationResults, SimulationErrors } from '@cloud-copilot/iam-simulate';
import { SimulationError } from '../../core/errors';
import { uniqueMatchedStatements } from '../../core/iam/matched-statements';
import type {
  Decision,
  DenyingPolicyType,
  MatchedStatement,
  SimulationRequest,
  SimulationResult,
} from '../../core/model';

type StatementAnalysis = NonNullable<RequestAnalysis['identityAnalysis']>['allowStatements'][number];

/** Where a simulated policy came from, so a statement iam-simulate reports can be named. */
export interface PolicySource {
  policyType: DenyingPolicyType;
  policyName: string;
  policyArn: string | null;
  attachedTo: string | null;
  /** For a policy simulated with only its relevant statements: simulated position -> original index. */
  statementIndexes?: number[];
}

export function toSimulationResult(
  outcome: RunSimulationResults,
  request: SimulationRequest,
  sourceOf: (key: string) => PolicySource,
): SimulationResult {
  if (outcome.resultType === 'error') {
    throw new SimulationError(
      `iam-simulate cannot evaluate ${request.action} on ${request.resourceArn}: ${describeErrors(outcome.errors, sourceOf)}`,
    );
  }
  if (outcome.resultType === 'wildcard') {
    // A pattern is answered by sampling the resources policies name, which says nothing of which
    // layer blocks: the diagnosis asks about one resource.
    throw new SimulationError(
      `Cannot simulate ${request.action} on the resource pattern ${request.resourceArn}: give one resource ARN`,
    );
  }
  const analysis = outcome.result.analysis;
  const decision = DECISIONS[outcome.overallResult];
  const statements =
    decision === 'explicitDeny'
      ? [
          ...(analysis.scpAnalysis?.ouAnalysis.flatMap((level) => level.denyStatements) ?? []),
          ...(analysis.permissionBoundaryAnalysis?.denyStatements ?? []),
          ...(analysis.identityAnalysis?.denyStatements ?? []),
        ]
      : decision === 'allowed'
        ? (analysis.identityAnalysis?.allowStatements ?? [])
        : [];
  return {
    decision,
    matchedStatements: uniqueMatchedStatements(
      statements.map((statement) => toMatchedStatement(statement, sourceOf)),
    ),
    blockedBy: decision === 'allowed' ? [] : blockingLayers(analysis),
  };
}

const DECISIONS: Record<RequestAnalysis['result'], Decision> = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny',
};

/** The layers that did not allow the request, outermost first: scp, boundary, identity, resource. */
function blockingLayers(analysis: RequestAnalysis): DenyingPolicyType[] {
  const layers: DenyingPolicyType[] = [];
  if (analysis.scpAnalysis && analysis.scpAnalysis.result !== 'Allowed') layers.push('scp');
  if (analysis.permissionBoundaryAnalysis && analysis.permissionBoundaryAnalysis.result !== 'Allowed') {
    layers.push('boundary');
  }
  if (analysis.identityAnalysis?.result !== 'Allowed') layers.push('identity');
  // Across accounts the resource's own policy must allow too; the offline scope has none.
  const resourceResult = analysis.resourceAnalysis?.result;
  if (!analysis.sameAccount && resourceResult !== 'Allowed' && resourceResult !== 'AllowedForAccount') {
    layers.push('resource');
  }
  return layers;
}

function toMatchedStatement(
  analysis: StatementAnalysis,
  sourceOf: (key: string) => PolicySource,
): MatchedStatement {
  const statement = analysis.statement;
  const { statementIndexes, ...source } = sourceOf(analysis.policyId);
  // iam-simulate numbers statements from 1; the model's index is 0-based and counts every statement.
  const simulatedIndex = statement.index() - 1;
  const originalIndex = statementIndexes?.[simulatedIndex] ?? simulatedIndex;
  return {
    ...source,
    effect: statement.isDeny() ? 'Deny' : 'Allow',
    statement: statement.sid() || String(originalIndex),
  };
}

function describeErrors(errors: SimulationErrors, sourceOf: (key: string) => PolicySource): string {
  const describePolicy = (key: string): string => {
    try {
      const source = sourceOf(key);
      const where = source.attachedTo ? ` (${source.attachedTo})` : '';
      return `${source.policyType} policy ${source.policyName}${where}`;
    } catch {
      return `policy ${key}`;
    }
  };
  const details: string[] = [];
  const byPolicy = [
    errors.identityPolicyErrors,
    errors.serviceControlPolicyErrors,
    errors.permissionBoundaryErrors,
  ];
  for (const group of byPolicy) {
    for (const [key, problems] of Object.entries(group ?? {})) {
      const text = problems.map((problem) => `${problem.path}: ${problem.message}`).join(', ');
      details.push(`${describePolicy(key)}: ${text}`);
    }
  }
  const line = details.length ? `${errors.message} (${details.join('; ')})` : errors.message;
  return line.replace(/\s*\n\s*/g, ' ');
}
