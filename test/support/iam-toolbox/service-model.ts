/**
 * The test copy of IAM Toolbox's service model (test/fixtures/iam-toolbox/service-2.json), read as the
 * fake and the tests need it: its shapes in wire-model.ts's compact form, its error shapes' HTTP
 * statuses, and its operation's input pattern.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireShape, WireShapes } from '../../../lambda/adapters/aws/iam-toolbox/wire-model';

interface BotocoreShape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  document?: boolean;
  error?: { httpStatusCode: number };
  exception?: boolean;
}

interface BotocoreModel {
  metadata: { signingName: string; endpointPrefix: string; protocol: string };
  operations: Record<
    string,
    {
      http: { method: string; requestUri: string };
      input: { shape: string };
      output: { shape: string };
      errors: { shape: string }[];
    }
  >;
  shapes: Record<string, BotocoreShape>;
}

export const SERVICE_MODEL = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'iam-toolbox', 'service-2.json'), 'utf8'),
) as BotocoreModel;

export const OPERATION =
  SERVICE_MODEL.operations['GetRequestAuthorizationDetails'] ??
  (() => {
    throw new Error('the model has no GetRequestAuthorizationDetails');
  })();

function compact(name: string, shape: BotocoreShape): WireShape {
  switch (shape.type) {
    case 'structure':
      if (shape.document === true) return { type: 'document' };
      return {
        type: 'structure',
        members: Object.fromEntries(
          Object.entries(shape.members ?? {}).map(([member, ref]) => [member, ref.shape]),
        ),
        required: shape.required ?? [],
      };
    case 'list':
      return { type: 'list', member: shape.member?.shape ?? '' };
    case 'map':
      if (shape.key?.shape !== 'String') throw new Error(`${name}: a map keyed by ${shape.key?.shape}`);
      return { type: 'map', value: shape.value?.shape ?? '' };
    case 'string':
      return {
        type: 'string',
        ...(shape.enum === undefined ? {} : { enum: shape.enum }),
        ...(shape.pattern === undefined ? {} : { pattern: shape.pattern }),
      };
    case 'boolean':
      return { type: 'boolean' };
    default:
      throw new Error(`${name}: a ${shape.type} shape, which the compact form does not hold`);
  }
}

/** The shapes reachable from `root`, in the compact form. */
export function modelShapes(root: string): WireShapes {
  const shapes: Record<string, WireShape> = {};
  const visit = (name: string) => {
    if (name in shapes) return;
    const shape = SERVICE_MODEL.shapes[name];
    if (shape === undefined) throw new Error(`the model has no shape ${name}`);
    const wire = compact(name, shape);
    shapes[name] = wire;
    if (wire.type === 'structure') Object.values(wire.members).forEach(visit);
    if (wire.type === 'list') visit(wire.member);
    if (wire.type === 'map') visit(wire.value);
  };
  visit(root);
  return shapes;
}

/** The operation's error shapes with their HTTP status. */
export const ERROR_STATUS: Readonly<Record<string, number>> = Object.fromEntries(
  OPERATION.errors.map(({ shape }) => [shape, SERVICE_MODEL.shapes[shape]?.error?.httpStatusCode ?? 0]),
);

export type ModelErrorShape =
  'AccessDeniedException' | 'ResourceNotFoundException' | 'ValidationException' | 'InternalServerException';
