/** The request and its answer; matched statements are named in policy-index.ts, failures in simulation-errors.ts. */
import {
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type EvaluationResult,
  type IAMClient,
  type SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { contextKeyType } from '../../core/iam/context-key-types';
import { SimulationError } from '../../core/errors';
import type {
  AccountScope,
  Decision,
  DenyingPolicyType,
  RequestContext,
  SimulationRequest,
  SimulationResult,
} from '../../core/model';
import type { PolicySimulator } from '../../ports/policy-simulator';
import { uniqueMatchedStatements } from '../../core/iam/matched-statements';
import { PolicyIndex } from './policy-index';
import { toDomainError } from './simulation-errors';

/** Evaluates a request with IAM's own policy simulator (iam:SimulatePrincipalPolicy). */
export class AwsPolicySimulator implements PolicySimulator {
  constructor(private readonly iam: IAMClient) {}

  async simulate(request: SimulationRequest): Promise<SimulationResult> {
    // The scope only names the matched statements afterwards: let it load during the call, and
    // name less rather than fail when it cannot be read (its reader reports that itself).
    const scopePromise = Promise.resolve(request.scope).then(
      (scope): AccountScope | null => scope,
      () => null,
    );
    const policyInputs = request.additionalPolicies.map((document) => JSON.stringify(document));
    const contextEntries = toContextEntries(request.context);
    const input: SimulatePrincipalPolicyCommandInput = {
      PolicySourceArn: request.policySourceArn,
      ActionNames: [request.action],
      ResourceArns: [request.resourceArn],
      ...(contextEntries.length > 0 && { ContextEntries: contextEntries }),
      ...(policyInputs.length > 0 && { PolicyInputList: policyInputs }),
    };

    const results = await this.evaluateAllPages(input, request.policySourceArn);
    const result = pickResult(results, request);
    const scope = await scopePromise;
    return toSimulationResult(result, request.resourceArn, new PolicyIndex(scope, request, policyInputs));
  }

  private async evaluateAllPages(
    input: SimulatePrincipalPolicyCommandInput,
    policySourceArn: string,
  ): Promise<EvaluationResult[]> {
    const results: EvaluationResult[] = [];
    let marker: string | undefined;
    do {
      const page = await this.iam
        .send(new SimulatePrincipalPolicyCommand(marker === undefined ? input : { ...input, Marker: marker }))
        .catch((error: unknown) => {
          throw toDomainError(error, policySourceArn);
        });
      results.push(...(page.EvaluationResults ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker !== undefined);
    return results;
  }
}

// ---------------------------------------------------------------- request

/** IAM compares a context value by its declared type: a boolean sent as a string never matches Bool. */
function toContextEntries(context: RequestContext): ContextEntry[] {
  return Object.entries(context).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: [value],
    ContextKeyType: contextKeyType(key),
  }));
}

// ---------------------------------------------------------------- result

const DECISIONS: Record<string, Decision> = {
  allowed: 'allowed',
  explicitDeny: 'explicitDeny',
  implicitDeny: 'implicitDeny',
};

function pickResult(results: EvaluationResult[], request: SimulationRequest): EvaluationResult {
  const action = request.action.toLowerCase();
  const result =
    results.find(
      (candidate) =>
        candidate.EvalActionName?.toLowerCase() === action &&
        (candidate.EvalResourceName === undefined || candidate.EvalResourceName === request.resourceArn),
    ) ?? results[0];
  if (!result) {
    throw new SimulationError(
      `SimulatePrincipalPolicy returned no result for ${request.action} on ${request.resourceArn}`,
    );
  }
  return result;
}

function toSimulationResult(
  result: EvaluationResult,
  resourceArn: string,
  policies: PolicyIndex,
): SimulationResult {
  const decision = result.EvalDecision === undefined ? undefined : DECISIONS[result.EvalDecision];
  if (decision === undefined) {
    throw new SimulationError(
      `SimulatePrincipalPolicy returned an unknown decision ${String(result.EvalDecision)}`,
    );
  }
  const resourceResult = result.ResourceSpecificResults?.find(
    (entry) => entry.EvalResourceName === resourceArn,
  );
  const awsStatements = result.MatchedStatements?.length
    ? result.MatchedStatements
    : (resourceResult?.MatchedStatements ?? []);
  const matchedStatements = uniqueMatchedStatements(
    awsStatements.map((statement) => policies.describe(statement, decision)),
  );

  const blocked = new Set<DenyingPolicyType>();
  if (decision !== 'allowed') {
    if (result.OrganizationsDecisionDetail?.AllowedByOrganizations === false) blocked.add('scp');
    const boundaryDetail =
      result.PermissionsBoundaryDecisionDetail ?? resourceResult?.PermissionsBoundaryDecisionDetail;
    if (boundaryDetail?.AllowedByPermissionsBoundary === false) blocked.add('boundary');
    for (const statement of matchedStatements) {
      if (statement.effect === 'Deny') blocked.add(statement.policyType);
    }
    // Nothing else stopped it: the identity policies did not allow it.
    if (blocked.size === 0) blocked.add('identity');
  }
  return { decision, matchedStatements, blockedBy: BLOCKING_ORDER.filter((layer) => blocked.has(layer)) };
}

const BLOCKING_ORDER: DenyingPolicyType[] = [
  'scp',
  'rcp',
  'boundary',
  'identity',
  'resource',
  'session',
  'vpc-endpoint',
];
