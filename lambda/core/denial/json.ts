/** Narrowing helpers for JSON of unknown shape: nothing here throws, whatever the input. */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message: 'a string', 'null', 'an array', ... */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'undefined':
      return 'missing';
    default:
      return `a ${typeof value}`;
  }
}

/** The property as a non-empty string, else null. */
export function stringField(object: JsonObject | null, key: string): string | null {
  if (object === null) return null;
  const value = object[key];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function objectField(object: JsonObject | null, key: string): JsonObject | null {
  if (object === null) return null;
  const value = object[key];
  return isJsonObject(value) ? value : null;
}

/** The property whose name matches `key` ignoring case (CloudTrail's casing differs by service). */
export function fieldIgnoringCase(object: JsonObject, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, key)) return object[key];
  const wanted = key.toLowerCase();
  for (const candidate of Object.keys(object)) {
    if (candidate.toLowerCase() === wanted) return object[candidate];
  }
  return undefined;
}

/**
 * Every string at a dotted path, keys matched ignoring case; a segment ending in `[]` walks an array.
 * E.g. 'targets[].roleArn' on {Targets: [{RoleArn: 'a'}, {RoleArn: 'b'}]} -> ['a', 'b'].
 */
export function stringsAtPath(root: unknown, path: string): string[] {
  let current: unknown[] = [root];
  for (const segment of path.split('.')) {
    const walksArray = segment.endsWith('[]');
    const key = walksArray ? segment.slice(0, -2) : segment;
    const next: unknown[] = [];
    for (const node of current) {
      if (!isJsonObject(node)) continue;
      const value = fieldIgnoringCase(node, key);
      if (walksArray) {
        if (Array.isArray(value)) next.push(...value);
      } else if (value !== undefined) {
        next.push(value);
      }
    }
    current = next;
  }
  return current.filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/** Limits for walking input of any size or depth without recursion. */
const WALK_MAX_DEPTH = 12;
const WALK_MAX_NODES = 10_000;

/** Each string value reachable from root (bounded depth and count), with its dotted path. */
export function walkStrings(root: unknown): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: root, path: '', depth: 0 }];
  let visited = 0;
  while (stack.length > 0 && visited < WALK_MAX_NODES) {
    const entry = stack.pop();
    if (entry === undefined) break;
    visited += 1;
    const { node, path, depth } = entry;
    if (typeof node === 'string') {
      found.push({ path, value: node });
      continue;
    }
    if (depth >= WALK_MAX_DEPTH) continue;
    const children: { node: unknown; path: string; depth: number }[] = [];
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length && index < WALK_MAX_NODES; index += 1) {
        children.push({ node: node[index], path: `${path}[${index}]`, depth: depth + 1 });
      }
    } else if (isJsonObject(node)) {
      for (const key of Object.keys(node).slice(0, WALK_MAX_NODES)) {
        children.push({ node: node[key], path: path === '' ? key : `${path}.${key}`, depth: depth + 1 });
      }
    }
    // Reversed so that popping visits children in document order.
    stack.push(...children.reverse());
  }
  return found;
}
