import { runSimulation, typeForContextKey } from '@cloud-copilot/iam-simulate';
import type {
  RequestAnalysis,
  RunSimulationResults,
  Simulation,
  SimulationErrors,
  SimulationOrgPolicies,
} from '@cloud-copilot/iam-simulate';
import { isIP } from 'node:net';
import { SimulationError } from '../../core/errors';
import type {
  Decision,
  DenyingPolicyType,
  MatchedStatement,
  PolicyDocument,
  PrincipalDetails,
  RequestContext,
  SimulationRequest,
  SimulationResult,
} from '../../core/model';
import type { PolicySimulator } from '../../ports/policy-simulator';
import { coversAction, statementsOf } from '../../core/policy/statements';
import { uniqueMatchedStatements } from '../../core/iam/matched-statements';
import { principalPolicies } from '../../core/iam/principal-policies';
import { loadScpFiles, type ServiceControlPolicy } from './scp-files';

export type { ServiceControlPolicy } from './scp-files';

export interface LocalPolicySimulatorOptions {
  /**
   * The SCPs in force for the account, all of which a request must pass, as in AWS: each is its own
   * level of the organization (root first), so every one must allow and any deny denies.
   */
  serviceControlPolicies?: ServiceControlPolicy[];
}

type StatementAnalysis = NonNullable<RequestAnalysis['identityAnalysis']>['allowStatements'][number];

/** Where a simulated policy came from, so a statement iam-simulate reports can be named. */
interface PolicySource {
  policyType: DenyingPolicyType;
  policyName: string;
  policyArn: string | null;
  attachedTo: string | null;
  /** For a policy simulated with only its relevant statements: simulated position -> original index. */
  statementIndexes?: number[];
}

interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/** A principal's policies as iam-simulate takes them, built once per principal object. */
interface PrincipalPolicies {
  identity: NamedPolicy[];
  boundary: NamedPolicy[] | undefined;
  sources: Map<string, PolicySource>;
}

/**
 * Evaluates a request offline with @cloud-copilot/iam-simulate against the policies collected in the
 * request's AccountScope: the principal's identity policies (a user's own and its groups'), its
 * permissions boundary, the additional policies, and the configured SCPs.
 */
export class LocalPolicySimulator implements PolicySimulator {
  /** Reads SCP JSON files (a policy document, or `aws organizations describe-policy` output). */
  static loadScpFiles(paths: string[]): Promise<ServiceControlPolicy[]> {
    return loadScpFiles(paths);
  }

  private readonly scpLevels: SimulationOrgPolicies[];
  private readonly scpSources = new Map<string, PolicySource>();
  private readonly principalCache = new WeakMap<PrincipalDetails, Map<string, PrincipalPolicies>>();

  constructor(options: LocalPolicySimulatorOptions = {}) {
    this.scpLevels = (options.serviceControlPolicies ?? []).map((scp, index) => {
      const key = `scp#${index}`;
      this.scpSources.set(key, {
        policyType: 'scp',
        policyName: scp.name,
        policyArn: null,
        attachedTo: null,
      });
      return { orgIdentifier: `scp-level-${index}`, policies: [{ name: key, policy: scp.document }] };
    });
  }

  async simulate(request: SimulationRequest): Promise<SimulationResult> {
    const scope = await request.scope;
    const principal = scope.principal;
    if (principal === null) {
      throw new SimulationError(
        `Cannot simulate offline: the principal ${request.policySourceArn} is not in the account data`,
      );
    }
    await validateContext(request.context);

    const principalPolicies = this.policiesOf(principal, request.action);
    const additional = request.additionalPolicies.map((policy, index) => ({
      name: `additional#${index}`,
      policy,
    }));
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: {
          resource: request.resourceArn,
          accountId: accountOf(request.resourceArn) ?? scope.accountId,
        },
        contextVariables: contextFor(principal, request.context),
      },
      identityPolicies: additional.length
        ? [...principalPolicies.identity, ...additional]
        : principalPolicies.identity,
      serviceControlPolicies: this.scpLevels,
      resourceControlPolicies: [],
      ...(principalPolicies.boundary && { permissionBoundaryPolicies: principalPolicies.boundary }),
    };

    const sourceOf = (key: string): PolicySource => {
      const additionalIndex = /^additional#(\d+)$/.exec(key);
      if (additionalIndex) {
        return {
          policyType: 'identity',
          policyName: `proposal-${Number(additionalIndex[1]) + 1}`,
          policyArn: null,
          attachedTo: null,
        };
      }
      const source = principalPolicies.sources.get(key) ?? this.scpSources.get(key);
      if (!source) throw new SimulationError(`iam-simulate reported a statement of an unknown policy ${key}`);
      return source;
    };

    const outcome = await runSimulation(simulation, {});
    return toSimulationResult(outcome, request, sourceOf);
  }

  private policiesOf(principal: PrincipalDetails, action: string): PrincipalPolicies {
    let byAction = this.principalCache.get(principal);
    if (!byAction) {
      byAction = new Map();
      this.principalCache.set(principal, byAction);
    }
    const cached = byAction.get(action);
    if (cached) return cached;

    const identity: NamedPolicy[] = [];
    const sources = new Map<string, PolicySource>();
    // An identity statement whose Action/NotAction does not cover the action cannot change the
    // decision, so only the relevant ones are simulated: half the time on AWS's large managed policies.
    const add = (document: PolicyDocument, source: PolicySource): void => {
      const relevant = statementsOf(document)
        .map((statement, index) => ({ statement, index }))
        .filter(({ statement }) => coversAction(statement, action));
      if (relevant.length === 0) return;
      const key = `identity#${identity.length}`;
      identity.push({
        name: key,
        policy: { ...document, Statement: relevant.map(({ statement }) => statement) },
      });
      sources.set(key, { ...source, statementIndexes: relevant.map(({ index }) => index) });
    };
    let boundary: NamedPolicy[] | undefined;
    for (const policy of principalPolicies(principal)) {
      const source: PolicySource = {
        policyType: policy.layer,
        policyName: policy.name,
        policyArn: policy.arn,
        attachedTo: policy.attachedTo,
      };
      if (policy.layer === 'identity') {
        add(policy.document, source);
      } else {
        const key = 'boundary#0';
        boundary = [{ name: key, policy: policy.document }];
        sources.set(key, source);
      }
    }

    const built = { identity, boundary, sources };
    byAction.set(action, built);
    return built;
  }
}

// ---------------------------------------------------------------- request context

/**
 * What a real request from this principal carries, which the library does not fill in itself:
 * without them `${aws:username}` resolves to nothing and an SCP guardrail on aws:PrincipalArn
 * would match everyone. Values the caller gives win.
 */
function contextFor(principal: PrincipalDetails, context: RequestContext): Record<string, string> {
  const implied: Record<string, string> = {
    'aws:PrincipalArn': principal.arn,
    'aws:PrincipalType': principal.kind === 'user' ? 'User' : 'AssumedRole',
  };
  const principalAccount = accountOf(principal.arn);
  if (principalAccount) implied['aws:PrincipalAccount'] = principalAccount;
  if (principal.kind === 'user') implied['aws:username'] = principal.name;

  const given = new Set(Object.keys(context).map((key) => key.toLowerCase()));
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(implied)) {
    if (!given.has(key.toLowerCase())) merged[key] = value;
  }
  return Object.assign(merged, context);
}

const contextKeyTypes = new Map<string, string | null>();

async function contextKeyType(key: string): Promise<string | null> {
  const lower = key.toLowerCase();
  if (!contextKeyTypes.has(lower)) {
    // Keys iam-simulate does not know are dropped by it before evaluation: nothing to check.
    const type = await typeForContextKey(lower).catch(() => null);
    contextKeyTypes.set(lower, type === null ? null : type.replace(/^ArrayOf/, ''));
  }
  return contextKeyTypes.get(lower) ?? null;
}

/**
 * iam-simulate compares a malformed value as a mere non-match, so a deny conditioned on it would
 * silently not apply (a 'yes' for aws:MultiFactorAuthPresent lifts an MFA guard): reject those here.
 */
async function validateContext(context: RequestContext): Promise<void> {
  for (const [key, value] of Object.entries(context)) {
    const type = await contextKeyType(key);
    const problem = type === null ? null : typeProblem(type, value);
    if (problem) {
      throw new SimulationError(`Context value for ${key} is ${JSON.stringify(value)}: ${problem}`);
    }
  }
}

function typeProblem(type: string, value: string): string | null {
  switch (type) {
    case 'Bool':
      return value === 'true' || value === 'false' ? null : "a boolean key takes 'true' or 'false'";
    case 'IPAddress':
      return isIpOrCidr(value) ? null : 'not an IP address or CIDR block';
    case 'Date':
      return isIamDate(value) ? null : 'not an ISO 8601 date or epoch seconds';
    case 'Numeric':
      return /^-?\d+(\.\d+)?$/.test(value) ? null : 'not a number';
    default:
      return null;
  }
}

function isIpOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function isIamDate(value: string): boolean {
  if (/^\d+$/.test(value)) return true;
  return (
    /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))
  );
}

/** The account of an ARN, or null when the ARN has none (S3 buckets, '*'). */
function accountOf(arn: string): string | null {
  const account = arn.split(':')[4];
  return account ? account : null;
}

// ---------------------------------------------------------------- result mapping

function toSimulationResult(
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
