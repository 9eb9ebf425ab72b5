/**
 * Evaluates a request offline with @cloud-copilot/iam-simulate. The request context is in
 * request-context.ts, the reading of the answer in simulation-result.ts.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation, SimulationOrgPolicies } from '@cloud-copilot/iam-simulate';
import { SimulationError } from '../../core/errors';
import { accountOf } from '../../core/iam/arn';
import { principalPolicies } from '../../core/iam/principal-policies';
import type { PolicyDocument, PrincipalDetails, SimulationRequest, SimulationResult } from '../../core/model';
import { coversAction, statementsOf } from '../../core/policy/statements';
import type { PolicySimulator } from '../../ports/policy-simulator';
import { contextFor, validateContext } from './request-context';
import { loadScpFiles, type ServiceControlPolicy } from './scp-files';
import { toSimulationResult, type PolicySource } from './simulation-result';

export type { ServiceControlPolicy } from './scp-files';

export interface LocalPolicySimulatorOptions {
  /**
   * The SCPs in force for the account, all of which a request must pass, as in AWS: each is its own
   * level of the organization (root first), so every one must allow and any deny denies.
   */
  serviceControlPolicies?: ServiceControlPolicy[];
  /**
   * The SCPs in force as Organizations gives them, one list per level (root first): a request must be
   * allowed by some policy of every level. Used instead of serviceControlPolicies when given.
   */
  serviceControlPolicyLevels?: readonly (readonly ServiceControlPolicy[])[];
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
    const levels =
      options.serviceControlPolicyLevels ?? (options.serviceControlPolicies ?? []).map((scp) => [scp]);
    let count = 0;
    this.scpLevels = levels.map((level, levelIndex) => ({
      orgIdentifier: `scp-level-${levelIndex}`,
      policies: level.map((scp) => {
        const key = `scp#${count++}`;
        this.scpSources.set(key, {
          policyType: 'scp',
          policyName: scp.name,
          policyArn: null,
          attachedTo: null,
        });
        return { name: key, policy: scp.document };
      }),
    }));
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
