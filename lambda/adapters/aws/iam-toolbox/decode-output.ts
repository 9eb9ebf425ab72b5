/**
 * One page of GetRequestAuthorizationDetails as domain data (core/evidence/aws-evaluation.ts), after
 * checking it against the model's shapes (wire-model.ts): a page that does not follow the model is a
 * problem, never a half-read record.
 */
import type {
  AwsContextValue,
  AwsEvaluatedEffect,
  AwsEvaluatedPolicy,
  AwsEvaluation,
  AwsMatchedPolicy,
  AwsRequestContext,
} from '../../../core/evidence/aws-evaluation';
import type { DenyingPolicyType } from '../../../core/model';
import { OUTPUT_SHAPE, OUTPUT_SHAPES, shapeProblem } from './wire-model';

/** The wire shapes, as the check in wire-model.ts guarantees them (null members read as absent). */
interface WireOutput {
  requestContext: Record<string, unknown>;
  evaluations: WireEvaluation[];
  policies: WirePolicyInfo[];
  nextToken?: string | null;
}
interface WireEvaluation {
  action: string;
  resource: string;
  context?: Record<string, unknown> | null;
  evaluatedEffect?: 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY' | null;
  matchedPolicies?: WireMatchedPolicy[] | null;
}
interface WireMatchedPolicy {
  uri: string;
  matchedStatements?: { sid?: string | null; evaluatedEffect?: 'ALLOW' | 'DENY' | null }[] | null;
}
interface WirePolicyInfo {
  type?: string | null;
  inline?: boolean | null;
  uri?: string | null;
  attachedTo?: { arn?: string | null }[] | null;
}

export interface RecordPage {
  requestContext: AwsRequestContext;
  evaluations: AwsEvaluation[];
  policies: AwsEvaluatedPolicy[];
  /** null on the last page. */
  nextToken: string | null;
}

const POLICY_TYPES: Readonly<Record<string, DenyingPolicyType>> = {
  IDENTITY_BASED_POLICY: 'identity',
  RESOURCE_BASED_POLICY: 'resource',
  PERMISSIONS_BOUNDARY: 'boundary',
  SESSION_POLICY: 'session',
  SERVICE_CONTROL_POLICY: 'scp',
  RESOURCE_CONTROL_POLICY: 'rcp',
  VPC_ENDPOINT_POLICY: 'vpc-endpoint',
};

const EFFECTS: Readonly<Record<string, AwsEvaluatedEffect>> = {
  ALLOW: 'allow',
  EXPLICIT_DENY: 'explicit-deny',
  IMPLICIT_DENY: 'implicit-deny',
};

/** A scalar as its text; anything else (a map, a nested list) as its JSON, which the domain keeps whole. */
function contextText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Document values as the domain holds them; a null value is no value, as in any JSON document. */
function contextOf(wire: Record<string, unknown> | null | undefined): AwsRequestContext {
  const context: AwsRequestContext = {};
  for (const [key, value] of Object.entries(wire ?? {})) {
    if (value === null || value === undefined) continue;
    const text: AwsContextValue = Array.isArray(value)
      ? value.filter((item) => item !== null).map(contextText)
      : contextText(value);
    Object.defineProperty(context, key, {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return context;
}

function matchedPolicyOf(wire: WireMatchedPolicy): AwsMatchedPolicy {
  return {
    uri: wire.uri,
    statements: (wire.matchedStatements ?? []).map((statement) => ({
      sid: statement.sid ?? null,
      effect:
        statement.evaluatedEffect === 'ALLOW'
          ? 'allow'
          : statement.evaluatedEffect === 'DENY'
            ? 'deny'
            : null,
    })),
  };
}

function evaluationOf(wire: WireEvaluation): AwsEvaluation {
  return {
    action: wire.action,
    resource: wire.resource,
    context: contextOf(wire.context),
    effect: wire.evaluatedEffect == null ? null : (EFFECTS[wire.evaluatedEffect] ?? null),
    matchedPolicies: (wire.matchedPolicies ?? []).map(matchedPolicyOf),
  };
}

function policyOf(wire: WirePolicyInfo): AwsEvaluatedPolicy {
  const awsType = wire.type ?? null;
  return {
    type: awsType !== null && Object.hasOwn(POLICY_TYPES, awsType) ? (POLICY_TYPES[awsType] ?? null) : null,
    awsType,
    inline: wire.inline ?? null,
    // Every PolicyInfo member is optional in the model: a policy without a URI cannot be cross-referenced.
    uri: wire.uri ?? '',
    attachedTo: (wire.attachedTo ?? []).flatMap((entry) => (entry.arn == null ? [] : [entry.arn])),
  };
}

/** The page, or why the response does not follow the model. */
export function decodePage(
  body: unknown,
): { kind: 'page'; page: RecordPage } | { kind: 'invalid'; problem: string } {
  const problem = shapeProblem(OUTPUT_SHAPES, OUTPUT_SHAPE, body);
  if (problem !== null) return { kind: 'invalid', problem };
  const wire = body as WireOutput;
  return {
    kind: 'page',
    page: {
      requestContext: contextOf(wire.requestContext),
      evaluations: wire.evaluations.map(evaluationOf),
      policies: wire.policies.map(policyOf),
      // An empty token ends the pages too, as AWS's SDKs read it.
      nextToken: wire.nextToken == null || wire.nextToken === '' ? null : wire.nextToken,
    },
  };
}
