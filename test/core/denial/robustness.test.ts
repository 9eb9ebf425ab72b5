/** readDenials never throws: whatever the input, each outcome is a value with a one-line reason. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodedAuthorizationMessages, readDenials, type ReadOutcome } from '../../../lambda/core/denial';
import { MAX_DENIAL_BYTES } from '../../../lambda/core/denial/read-denials';
import { FIXTURES, USER_ARN, denialRecord, loadJson } from './helpers';

const BIG = 256 * 1024;

function expectWellFormed(outcomes: ReadOutcome[]): void {
  for (const outcome of outcomes) {
    expect(typeof outcome.where).toBe('string');
    if (outcome.kind === 'denial') {
      const { denial } = outcome;
      for (const value of [
        denial.eventId,
        denial.account,
        denial.region,
        denial.principalArn,
        denial.deniedAction,
      ]) {
        expect(typeof value).toBe('string');
      }
      for (const value of Object.values(denial.context)) expect(typeof value).toBe('string');
      for (const note of denial.notes) expect(note).not.toMatch(/\n/);
      // Stored with its proposal: a DynamoDB item, at most 400 KB.
      expect(Buffer.byteLength(JSON.stringify(denial))).toBeLessThanOrEqual(MAX_DENIAL_BYTES);
    } else {
      expect(outcome.reason).not.toMatch(/\n/);
      expect(outcome.reason.length).toBeGreaterThan(0);
    }
  }
}

function readSafely(input: unknown): ReadOutcome[] {
  const outcomes = readDenials(input, 'input.json');
  encodedAuthorizationMessages(input);
  expectWellFormed(outcomes);
  return outcomes;
}

function nested(depth: number, leaf: unknown): unknown {
  let value: unknown = leaf;
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? { a: value } : [value];
  return value;
}

describe('readDenials on hostile input', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['a boolean', true],
    ['a bigint', BigInt(10)],
    ['a function', () => 1],
    ['an object without prototype', Object.create(null)],
    ['Records of nulls', { Records: [null, null] }],
    ['Records of arrays', { Records: [[], [{}]] }],
    [
      'every field null',
      denialRecord(Object.fromEntries(Object.keys(denialRecord()).map((key) => [key, null]))),
    ],
    ['userIdentity fields of wrong types', denialRecord({ userIdentity: { type: 5, sessionContext: 'x' } })],
    [
      'sessionContext of wrong types',
      denialRecord({
        userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: [], attributes: 7 } },
      }),
    ],
  ])('%s', (_label, input) => {
    expect(() => readSafely(input)).not.toThrow();
  });

  it('deep nesting, in the input and in requestParameters', () => {
    expect(readSafely(nested(100_000, denialRecord()))[0]?.kind).toBe('invalid');
    expect(readSafely({ Records: [nested(50_000, 1)] })[0]?.kind).toBe('invalid');
    const deepParameters = denialRecord({
      errorMessage: `User: ${USER_ARN} is not authorized to perform: iam:PassRole.`,
      // An odd depth puts an object outermost, as requestParameters must be.
      requestParameters: nested(100_001, 'arn:aws:iam::123456789012:role/deep'),
    });
    const [outcome] = readSafely(deepParameters);
    // Too deep to search: the reader gives up on the role rather than on the record.
    expect(outcome?.kind === 'denial' ? outcome.denial.roleArn : 'not a denial').toBeNull();
  });

  it('wide requestParameters', () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, index) => [`k${index}`, `v${index}`]));
    expect(readSafely(denialRecord({ requestParameters: wide }))[0]?.kind).toBe('denial');
  });

  const prefix = `User: ${USER_ARN} is not authorized to perform: iam:PassRole on resource: `;
  it.each<[string, string]>([
    ['random-ish text', 'ab cd. '.repeat(BIG / 7)],
    ['a repeated caller clause', 'User: User: '.repeat(BIG / 12)],
    ['dots', '.'.repeat(BIG)],
    ['dots then text', `${'.'.repeat(BIG)}x`],
    ['a huge role', `${prefix}arn:aws:iam::123456789012:role/${'a'.repeat(BIG)}`],
    ['a huge role ending in dots', `${prefix}arn:aws:iam::123456789012:role/${'.'.repeat(BIG)}x`],
    ['a huge cut role', `${prefix}role/${'a'.repeat(BIG)}...`],
    ['repeated causes', `${prefix}role/x ${'because no '.repeat(BIG / 11)}`],
    ['repeated explicit denies', `${prefix}role/x ${'with an explicit deny '.repeat(BIG / 22)}...`],
    [
      'a huge policy ARN',
      `${prefix}role/x with an explicit deny in an identity-based policy: arn:${'a'.repeat(BIG)}`,
    ],
    [
      'a huge blob',
      `You are not authorized to perform this operation. Encoded authorization failure message: ${'A'.repeat(BIG)}`,
    ],
    [
      'spaces after the type',
      `${prefix}role/x with an explicit deny in a session policy${' '.repeat(BIG)}x...`,
    ],
    ['repeated markers', 'Encoded authorization failure message: '.repeat(BIG / 39)],
    ['a cut clause of withs', `${prefix}role/x ${'with '.repeat(BIG / 5)}...`],
  ])('a 256 KB errorMessage: %s', (_label, errorMessage) => {
    expect(() => readSafely(denialRecord({ errorMessage }))).not.toThrow();
  });

  it.each(['eventSource', 'eventName', 'errorCode', 'sourceIPAddress', 'eventTime', 'awsRegion', 'eventID'])(
    'a 256 KB %s',
    (field) => {
      expect(() => readSafely(denialRecord({ [field]: 'x'.repeat(BIG) }))).not.toThrow();
    },
  );
});

/** A small deterministic generator (mulberry32), so that a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REPLACEMENTS: unknown[] = [
  null,
  undefined,
  0,
  -1,
  '',
  ' ',
  '...',
  [],
  {},
  true,
  'x'.repeat(5000),
  [1, 'a'],
  { items: [] },
];

/** Every path to a value in a JSON tree. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => found.push(...paths(item, [...prefix, index])));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  }
  return found;
}

function replaceAt(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: unknown = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = replacement;
  return copy;
}

describe('readDenials on mutated fixtures', () => {
  const fixtures = ['passrole', 'real'].flatMap((directory) =>
    readdirSync(join(FIXTURES, directory))
      .filter((file) => file.endsWith('.json'))
      .map((file) => loadJson(FIXTURES, directory, file)),
  );

  it('never throws when any value of a fixture is replaced by another of any type', () => {
    const next = random(20260617);
    let runs = 0;
    for (const fixture of fixtures) {
      const candidates = paths(fixture);
      for (let round = 0; round < 40; round += 1) {
        const path = candidates[Math.floor(next() * candidates.length)] ?? [];
        const replacement = REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
        const mutated = replaceAt(fixture, path, replacement);
        expect(() => readSafely(mutated)).not.toThrow();
        runs += 1;
      }
    }
    expect(runs).toBe(fixtures.length * 40);
  });
});
