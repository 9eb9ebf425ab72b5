/**
 * Evaluates one request as AWS would within one account, with @cloud-copilot/iam-simulate (as
 * lambda/adapters/local/local-policy-simulator.ts calls it): the caller's identity policies, the
 * resource's own policy (moto evaluates neither resource, key nor trust policies), and optionally the
 * organization's SCPs. Within an account an Allow in either the identity or the resource policy is
 * enough and an explicit Deny in any of them wins; KMS keys and role trust policies need their own
 * policy to admit the caller (iam-simulate models both).
 */
import { runSimulation, type RequestAnalysis, type Simulation } from '@cloud-copilot/iam-simulate';
import fullAwsAccess from '../../fixtures/scp/full-aws-access.json';
import type { PolicyDocument } from './resource-policies';

export interface AttackRequest {
  /** The caller: an assumed-role session ARN, a role ARN, or a service principal (events.amazonaws.com). */
  principal: string;
  action: string;
  resourceArn: string;
  /** Every request context key the case relies on (iam-simulate fills in none of them). */
  context: Record<string, string | string[]>;
}

export interface EvaluationInput {
  request: AttackRequest;
  /** The caller's identity policies (none for a service principal). */
  identityPolicies: { name: string; document: PolicyDocument }[];
  /** The guarded resource's own policy, if it has one. */
  resourcePolicy?: PolicyDocument;
  /** SCPs in force beside FullAWSAccess (the protection SCP); none: no organization layer. */
  scps?: PolicyDocument[];
}

export type Verdict =
  | { allowed: true; by: string }
  | { allowed: false; deniedBy: 'explicit-deny' | 'implicit-deny'; layers: string[] };

export async function evaluate(input: EvaluationInput): Promise<Verdict> {
  const { request } = input;
  const account = request.resourceArn.split(':')[4] || request.principal.split(':')[4] || '';
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resourceArn, accountId: account },
      contextVariables: request.context,
    },
    identityPolicies: input.identityPolicies.map(({ name, document }) => ({ name, policy: document })),
    // SCPs bind the account's IAM principals, never AWS service principals.
    serviceControlPolicies:
      input.scps === undefined || isServicePrincipal(request.principal)
        ? []
        : [
            {
              orgIdentifier: 'r-root',
              policies: [
                { name: 'FullAWSAccess', policy: fullAwsAccess },
                ...input.scps.map((policy, index) => ({ name: `protection-scp-${index}`, policy })),
              ],
            },
          ],
    resourceControlPolicies: [],
    resourcePolicy: input.resourcePolicy,
  };
  const outcome = await runSimulation(simulation, {});
  if (outcome.resultType === 'error') {
    throw new Error(
      `iam-simulate cannot evaluate ${request.action} on ${request.resourceArn}: ${JSON.stringify(outcome.errors)}`,
    );
  }
  if (outcome.resultType === 'wildcard') throw new Error(`${request.resourceArn}: give one resource ARN`);
  // Resource tags are given for every request in case a policy reads them; other dropped keys are not.
  const ignored = (outcome.result.ignoredContextKeys ?? []).filter((key) => !/^aws:resourcetag\//i.test(key));
  if (ignored.length > 0) {
    // A key the simulator drops cannot match a condition: the case would not test what it says.
    throw new Error(`iam-simulate ignored the context keys ${ignored.join(', ')} for ${request.action}`);
  }
  const analysis = outcome.result.analysis;
  if (outcome.overallResult === 'Allowed') return { allowed: true, by: allowingLayer(analysis) };
  return {
    allowed: false,
    deniedBy: outcome.overallResult === 'ExplicitlyDenied' ? 'explicit-deny' : 'implicit-deny',
    layers: denyingLayers(analysis),
  };
}

function isServicePrincipal(principal: string): boolean {
  return /^[a-z0-9.-]+\.amazonaws\.com$/.test(principal);
}

function allowingLayer(analysis: RequestAnalysis): string {
  const layers: string[] = [];
  if ((analysis.identityAnalysis?.allowStatements.length ?? 0) > 0) layers.push('identity policy');
  if ((analysis.resourceAnalysis?.allowStatements.length ?? 0) > 0) layers.push('resource policy');
  return layers.join(' + ') || 'unknown';
}

/** Which layers hold a Deny that matched (or, for an implicit deny, which did not allow). */
function denyingLayers(analysis: RequestAnalysis): string[] {
  const layers: string[] = [];
  const sids = (statements: { statement: { sid(): string | undefined } }[]): string =>
    statements.map((statement) => statement.statement.sid() ?? '?').join(',');
  const scpDenies = analysis.scpAnalysis?.ouAnalysis.flatMap((level) => level.denyStatements) ?? [];
  if (scpDenies.length > 0) layers.push(`scp(${sids(scpDenies)})`);
  const resourceDenies = analysis.resourceAnalysis?.denyStatements ?? [];
  if (resourceDenies.length > 0) layers.push(`resource(${sids(resourceDenies)})`);
  const identityDenies = analysis.identityAnalysis?.denyStatements ?? [];
  if (identityDenies.length > 0) layers.push(`identity(${sids(identityDenies)})`);
  return layers;
}
