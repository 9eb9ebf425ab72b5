import {
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type ContextKeyTypeEnum,
  type EvaluationResult,
  type IAMClient,
  type SimulatePrincipalPolicyCommandInput,
  type Statement as AwsStatement,
} from '@aws-sdk/client-iam';
import { AwsCallError, SimulationError, TransientAwsError } from '../../core/errors';
import type {
  AccountScope,
  Decision,
  DenyingPolicyType,
  MatchedStatement,
  PolicyDocument,
  PolicyStatement,
  RequestContext,
  SimulationRequest,
  SimulationResult,
} from '../../core/model';
import type { PolicySimulator } from '../../ports/policy-simulator';
import { uniqueMatchedStatements } from '../../core/iam/matched-statements';
import { principalPolicies } from '../../core/iam/principal-policies';

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

const CONTEXT_KEY_TYPES: Record<string, ContextKeyTypeEnum> = {
  'aws:multifactorauthpresent': 'boolean',
  'aws:securetransport': 'boolean',
  'aws:viaawsservice': 'boolean',
  'aws:principalisawsservice': 'boolean',
  'aws:sourceip': 'ip',
  'aws:currenttime': 'date',
  'aws:tokenissuetime': 'date',
  'aws:multifactorauthage': 'numeric',
};

/** IAM compares a context value by its declared type: a boolean sent as a string never matches Bool. */
function toContextEntries(context: RequestContext): ContextEntry[] {
  return Object.entries(context).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: [value],
    ContextKeyType: CONTEXT_KEY_TYPES[key.toLowerCase()] ?? 'string',
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

// ---------------------------------------------------------------- naming matched statements

interface KnownPolicy {
  policyType: DenyingPolicyType;
  policyName: string;
  policyArn: string | null;
  attachedTo: string | null;
  /** For inline policies: the kind and name of the entity holding it. */
  holder: { kind: 'user' | 'group' | 'role'; name: string } | null;
  document: PolicyDocument | null;
  /** The exact text IAM evaluated, when known (PolicyInputList); else positions are matched against likely renderings. */
  text: string | null;
}

/**
 * Maps SimulatePrincipalPolicy's SourcePolicyId to the policies in the scope. IAM names an inline policy
 * `<user|group|role>_<entity>_<policy>` (plain `<policy>` in some answers), a managed policy by its name,
 * and an additional policy `PolicyInputList.<n>` (1-based).
 */
class PolicyIndex {
  private readonly policies: KnownPolicy[] = [];

  constructor(
    scope: AccountScope | null,
    private readonly request: SimulationRequest,
    private readonly policyInputs: string[],
  ) {
    const principal = scope?.principal;
    if (!principal) return;
    for (const policy of principalPolicies(principal)) {
      this.policies.push({
        policyType: policy.layer,
        policyName: policy.name,
        policyArn: policy.arn,
        attachedTo: policy.attachedTo,
        holder: policy.inline ? policy.holder : null,
        document: policy.document,
        text: null,
      });
    }
  }

  describe(statement: AwsStatement, decision: Decision): MatchedStatement {
    const id = statement.SourcePolicyId ?? '';
    const policy = this.find(id, statement.SourcePolicyType);
    const expectedEffect = decision === 'explicitDeny' ? 'Deny' : 'Allow';
    const located = policy.document ? locateStatement(policy, statement, expectedEffect) : null;
    return {
      policyType: policy.policyType,
      policyName: policy.policyName,
      policyArn: policy.policyArn,
      attachedTo: policy.attachedTo,
      effect: located?.statement.Effect ?? expectedEffect,
      statement: located ? statementLabel(located.statement, located.index) : null,
    };
  }

  private find(id: string, sourceType: string | undefined): KnownPolicy {
    const input = /^PolicyInputList\.(\d+)$/.exec(id);
    if (input) {
      const index = Number(input[1]) - 1;
      return {
        policyType: 'identity',
        policyName: `proposal-${index + 1}`,
        policyArn: null,
        attachedTo: null,
        holder: null,
        document: this.request.additionalPolicies[index] ?? null,
        text: this.policyInputs[index] ?? null,
      };
    }
    const unknown: KnownPolicy = {
      policyType: sourceType === 'resource' ? 'resource' : 'identity',
      policyName: id,
      policyArn: id.startsWith('arn:') ? id : null,
      attachedTo: null,
      holder: null,
      document: null,
      text: null,
    };
    if (sourceType === 'resource') return unknown;

    const byPrefixedName = this.policies.filter(
      (policy) => policy.holder && id === `${policy.holder.kind}_${policy.holder.name}_${policy.policyName}`,
    );
    const byName = this.policies.filter((policy) => {
      if (policy.policyName !== id && policy.policyArn !== id) return false;
      if (sourceType === 'user' || sourceType === 'group' || sourceType === 'role') {
        return policy.holder?.kind === sourceType;
      }
      if (sourceType === 'aws-managed' || sourceType === 'user-managed') return policy.policyArn !== null;
      return true;
    });
    return merge(byPrefixedName.length > 0 ? byPrefixedName : byName) ?? unknown;
  }
}

/** One policy for several matches only when they are the same policy (a managed policy attached twice). */
function merge(candidates: KnownPolicy[]): KnownPolicy | null {
  const [first, ...others] = candidates;
  if (!first) return null;
  if (others.length === 0) return first;
  const same = others.every(
    (other) =>
      other.policyName === first.policyName &&
      other.policyArn === first.policyArn &&
      JSON.stringify(other.document) === JSON.stringify(first.document),
  );
  if (!same) return null;
  // A managed policy on both the principal and as its boundary: the identity side is what matched.
  const identity = candidates.find((candidate) => candidate.policyType === 'identity') ?? first;
  const placed = new Set(candidates.map((candidate) => candidate.attachedTo));
  return { ...identity, attachedTo: placed.size === 1 ? identity.attachedTo : null };
}

function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.Sid ? statement.Sid : String(index);
}

/**
 * IAM reports a matched statement by its line and column in the policy text, not by Sid. The text of an
 * additional policy is the one sent; a stored policy's original layout is unknown, so compact and
 * indented renderings are tried and an answer is kept only if they agree. Failing that, a lone statement
 * of the deciding effect is the one.
 */
function locateStatement(
  policy: KnownPolicy,
  awsStatement: AwsStatement,
  expectedEffect: 'Allow' | 'Deny',
): { statement: PolicyStatement; index: number } | null {
  const document = policy.document;
  if (!document) return null;
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const renderings = policy.text
    ? [policy.text]
    : [JSON.stringify(document), JSON.stringify(document, null, 4), JSON.stringify(document, null, 2)];
  const found = new Set<number>();
  for (const text of renderings) {
    const index = statementAt(text, awsStatement, policy.text !== null);
    if (index !== null) found.add(index);
  }
  const [positioned] = found;
  if (found.size === 1 && positioned !== undefined && statements[positioned]) {
    return { statement: statements[positioned], index: positioned };
  }
  const ofEffect = statements.flatMap((statement, index) =>
    statement.Effect === expectedEffect ? [{ statement, index }] : [],
  );
  return ofEffect.length === 1 && ofEffect[0] ? ofEffect[0] : null;
}

/** The statement of `text` whose span holds the reported start, and ends near the reported end. */
function statementAt(text: string, awsStatement: AwsStatement, exact: boolean): number | null {
  const start = offsetOf(text, awsStatement.StartPosition);
  const end = offsetOf(text, awsStatement.EndPosition);
  // In a guessed layout a lone start position can fall inside a statement by chance: want both ends.
  if (start === null || (end === null && !exact)) return null;
  const index = statementSpans(text).findIndex(
    (span) => start >= span.start && start <= span.end && (end === null || Math.abs(end - span.end) <= 2),
  );
  return index === -1 ? null : index;
}

function offsetOf(text: string, position: { Line?: number; Column?: number } | undefined): number | null {
  if (!position?.Line || !position.Column) return null;
  let offset = 0;
  for (let line = 1; line < position.Line; line++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return null;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  const column = position.Column - 1;
  if (column > (lineEnd === -1 ? text.length : lineEnd) - offset) return null;
  return offset + column;
}

/** The [start, end] offsets of each statement object in a policy's JSON text. */
function statementSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  let lastRootKey: string | null = null;
  let awaitingStatementValue = false;
  let statementDepth = 0;
  let currentStart = -1;
  for (let offset = 0; offset < text.length; offset++) {
    const char = text[offset];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') {
        inString = false;
        if (depth === 1) lastRootKey = text.slice(stringStart + 1, offset);
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      stringStart = offset;
    } else if (char === ':' && depth === 1) {
      awaitingStatementValue = lastRootKey === 'Statement';
    } else if (char === '[' || char === '{') {
      depth++;
      if (awaitingStatementValue) {
        // Statement holds either a list of statements or one statement.
        statementDepth = char === '[' ? depth + 1 : depth;
        awaitingStatementValue = false;
      }
      if (char === '{' && depth === statementDepth) currentStart = offset;
    } else if (char === ']' || char === '}') {
      if (char === '}' && depth === statementDepth && currentStart !== -1) {
        spans.push({ start: currentStart, end: offset });
        currentStart = -1;
      }
      depth--;
      if (depth <= 1) statementDepth = 0;
    } else if (char === ',' && depth === 1) {
      awaitingStatementValue = false;
    }
  }
  return spans;
}

// ---------------------------------------------------------------- errors

interface SdkError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const UNEVALUABLE = new Set([
  'InvalidInputException',
  'InvalidInput',
  'PolicyEvaluationException',
  'PolicyEvaluation',
  'MalformedPolicyDocumentException',
]);

function toDomainError(error: unknown, policySourceArn: string): Error {
  const sdk: SdkError = typeof error === 'object' && error !== null ? error : {};
  const name = typeof sdk.name === 'string' ? sdk.name : 'Error';
  const detail = typeof sdk.message === 'string' && sdk.message !== '' ? `: ${sdk.message}` : '';
  const status = sdk.$metadata?.httpStatusCode;
  const options = { cause: error };

  if (
    THROTTLING.has(name) ||
    TIMEOUTS.has(name) ||
    (typeof sdk.code === 'string' && NETWORK.has(sdk.code)) ||
    sdk.$fault === 'server' ||
    status === 429 ||
    (typeof status === 'number' && status >= 500)
  ) {
    return new TransientAwsError(
      `SimulatePrincipalPolicy failed, worth retrying later (${name}${detail})`,
      options,
    );
  }
  if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') {
    return new SimulationError(
      `IAM has no entity ${policySourceArn} to simulate (${name}${detail})`,
      options,
    );
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new AwsCallError(
      `Access denied: simulating needs iam:SimulatePrincipalPolicy on ${policySourceArn} (${name}${detail})`,
      options,
    );
  }
  if (UNEVALUABLE.has(name)) {
    return new SimulationError(`IAM cannot evaluate the simulation (${name}${detail})`, options);
  }
  return new AwsCallError(`SimulatePrincipalPolicy failed (${name}${detail})`, options);
}
