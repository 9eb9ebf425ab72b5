/**
 * Pins the CLI's output on every event fixture against every snapshot, in JSON and in text.
 * JSON reports may gain fields (toMatchObject), never lose or change one; text, stderr and exit
 * codes must stay exactly as they were.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli } from '../../lambda/handlers/cli/main';
import type { CliIo } from '../../lambda/handlers/cli/io';
import { readGolden, UPDATING, writeGolden } from './golden';

const ROOT = join(__dirname, '..', '..');
const GOLDEN = 'cli-reports.json';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

const jsonFiles = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((name) => name.endsWith('.json') && !name.includes('decoded-authorization-message'))
    .sort()
    .map((name) => join(dir, name));

const EVENTS = [
  'examples/seed/denial.json',
  ...jsonFiles('test/fixtures/cloudtrail/passrole'),
  ...jsonFiles('test/fixtures/cloudtrail/real'),
];
const SNAPSHOTS = ['examples/seed/account.json', ...jsonFiles('test/fixtures/snapshots')];
const SCP_RUNS: string[][] = [
  [],
  ['test/fixtures/scp/deny-passrole.json'],
  ['test/fixtures/scp/allow-s3-only.json'],
];

/** Paths in messages are made relative to the project, so the golden file holds no machine path. */
const relativePaths = (line: string) => line.split(ROOT + '/').join('');

async function run(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(relativePaths(text)),
    err: (text) => err.push(relativePaths(text)),
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

function cases(): { key: string; argv: string[] }[] {
  const all: { key: string; argv: string[] }[] = [];
  for (const event of EVENTS)
    for (const snapshot of SNAPSHOTS)
      for (const scps of event === 'examples/seed/denial.json' ? SCP_RUNS : [[]])
        for (const json of [true, false]) {
          const argv = ['diagnose', '--event', join(ROOT, event), '--snapshot', join(ROOT, snapshot)];
          for (const scp of scps) argv.push('--scp', join(ROOT, scp));
          if (json) argv.push('--json');
          all.push({
            key: relative(ROOT, argv.slice(1).join(' '))
              .split(ROOT + '/')
              .join(''),
            argv,
          });
        }
  return all;
}

const golden: Record<string, Run> = UPDATING ? {} : readGolden<Record<string, Run>>(GOLDEN);
const seen: Record<string, Run> = {};

afterAll(() => {
  if (UPDATING) writeGolden(GOLDEN, seen);
});

describe('CLI reports stay as they were (baseline)', () => {
  it.each(cases())('$key', async ({ key, argv }) => {
    const actual = await run(argv);
    seen[key] = actual;
    if (UPDATING) return;
    const expected = golden[key];
    expect(expected).toBeDefined();
    if (!expected) return;
    expect({ code: actual.code, err: actual.err }).toEqual({ code: expected.code, err: expected.err });
    if (argv.includes('--json')) {
      expect(actual.out.map((line) => JSON.parse(line) as unknown)).toMatchObject(
        expected.out.map((line) => JSON.parse(line) as unknown),
      );
    } else {
      expect(actual.out).toEqual(expected.out);
    }
  });

  it('the demo prints what it printed', async () => {
    const actual = await run(['demo']);
    seen['demo'] = actual;
    if (!UPDATING) expect(actual).toEqual(golden['demo']);
  });
});
