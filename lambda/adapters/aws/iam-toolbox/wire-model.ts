/**
 * The output shapes of IAM Toolbox's GetRequestAuthorizationDetails (service-2.json, botocore
 * 1.43.107, Apache-2.0), in a compact form, and a check of a response against them. Hand-written
 * because no npm client for the service exists; a test derives the same table from a copy of the
 * model, so the two cannot drift apart.
 */
import { quote } from '../../../core/denial/quote';

export type WireShape =
  | { type: 'structure'; members: Readonly<Record<string, string>>; required: readonly string[] }
  | { type: 'list'; member: string }
  /** Keys are strings (the model's String). */
  | { type: 'map'; value: string }
  /** `pattern` as Smithy reads it: an ECMAScript regex, not anchored. */
  | { type: 'string'; enum?: readonly string[]; pattern?: string }
  | { type: 'boolean' }
  /** Any JSON value. */
  | { type: 'document' };

export type WireShapes = Readonly<Record<string, WireShape>>;

export const OUTPUT_SHAPE = 'GetRequestAuthorizationDetailsOutput';

export const OUTPUT_SHAPES: WireShapes = {
  GetRequestAuthorizationDetailsOutput: {
    type: 'structure',
    members: {
      requestContext: 'AuthorizationContext',
      evaluations: 'Evaluations',
      policies: 'PolicyInfoList',
      nextToken: 'String',
    },
    required: ['requestContext', 'evaluations', 'policies'],
  },
  AuthorizationContext: { type: 'map', value: 'Document' },
  Document: { type: 'document' },
  Evaluations: { type: 'list', member: 'Evaluation' },
  Evaluation: {
    type: 'structure',
    members: {
      action: 'String',
      resource: 'String',
      context: 'AuthorizationContext',
      evaluatedEffect: 'EvaluatedEffect',
      matchedPolicies: 'MatchedPolicyList',
    },
    required: ['action', 'resource'],
  },
  EvaluatedEffect: { type: 'string', enum: ['ALLOW', 'EXPLICIT_DENY', 'IMPLICIT_DENY'] },
  MatchedPolicyList: { type: 'list', member: 'MatchedPolicy' },
  MatchedPolicy: {
    type: 'structure',
    members: { uri: 'String', matchedStatements: 'MatchedStatementList' },
    required: ['uri'],
  },
  MatchedStatementList: { type: 'list', member: 'MatchedStatement' },
  MatchedStatement: {
    type: 'structure',
    members: { sid: 'String', evaluatedEffect: 'StatementEffect' },
    required: [],
  },
  StatementEffect: { type: 'string', enum: ['ALLOW', 'DENY'] },
  PolicyInfoList: { type: 'list', member: 'PolicyInfo' },
  PolicyInfo: {
    type: 'structure',
    members: { type: 'PolicyType', inline: 'Boolean', uri: 'String', attachedTo: 'AttachedToList' },
    required: [],
  },
  // The model's enum, read open: a type added later is kept as written (AwsEvaluatedPolicy.awsType).
  PolicyType: { type: 'string' },
  Boolean: { type: 'boolean' },
  AttachedToList: { type: 'list', member: 'AttachedTo' },
  AttachedTo: { type: 'structure', members: { arn: 'AttachedToArnString' }, required: [] },
  AttachedToArnString: { type: 'string', pattern: 'arn:[^:]*:[^:]*:[^:]*:[^:]*:.*' },
  String: { type: 'string' },
};

export interface ShapeCheckOptions {
  /** Members the model does not name are an error (a fake serving exactly the model), not ignored. */
  strict?: boolean;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `'${quote(value, 60)}'`;
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why `value` is not the shape `name`, as '<path>: <problem>', or null when it is. A member set to
 * null counts as absent, as AWS's JSON protocols read it.
 */
export function shapeProblem(
  shapes: WireShapes,
  name: string,
  value: unknown,
  options: ShapeCheckOptions = {},
  path = '$',
): string | null {
  const shape = shapes[name];
  if (shape === undefined) return `${path}: the model has no shape ${name}`;
  switch (shape.type) {
    case 'document':
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${path}: expected a boolean, got ${describe(value)}`;
    case 'string': {
      if (typeof value !== 'string') return `${path}: expected a string, got ${describe(value)}`;
      if (shape.enum !== undefined && !shape.enum.includes(value)) {
        return `${path}: ${describe(value)} is not one of ${shape.enum.join(', ')}`;
      }
      if (shape.pattern !== undefined && !new RegExp(shape.pattern).test(value)) {
        return `${path}: ${describe(value)} does not match ${shape.pattern}`;
      }
      return null;
    }
    case 'list': {
      if (!Array.isArray(value)) return `${path}: expected a list, got ${describe(value)}`;
      for (const [index, item] of value.entries()) {
        const problem = shapeProblem(shapes, shape.member, item, options, `${path}[${index}]`);
        if (problem !== null) return problem;
      }
      return null;
    }
    case 'map': {
      if (!isObject(value)) return `${path}: expected a map, got ${describe(value)}`;
      for (const [key, item] of Object.entries(value)) {
        const problem = shapeProblem(shapes, shape.value, item, options, `${path}[${JSON.stringify(key)}]`);
        if (problem !== null) return problem;
      }
      return null;
    }
    case 'structure': {
      if (!isObject(value)) return `${path}: expected a structure, got ${describe(value)}`;
      for (const member of shape.required) {
        if (value[member] === undefined || value[member] === null) return `${path}.${member}: missing`;
      }
      for (const [member, item] of Object.entries(value)) {
        const target = Object.hasOwn(shape.members, member) ? shape.members[member] : undefined;
        if (target === undefined) {
          if (options.strict === true) return `${path}.${member}: not a member of ${name}`;
          continue;
        }
        if (item === null) continue;
        const problem = shapeProblem(shapes, target, item, options, `${path}.${member}`);
        if (problem !== null) return problem;
      }
      return null;
    }
  }
}
