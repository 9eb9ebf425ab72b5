/**
 * The BUILT CLI (dist/passrole-doctor.cjs), run as a user runs it: a separate node process, real
 * stdout and stderr, real exit codes. Every input form people have CloudTrail records in, every kind
 * of bad input (one line on stderr, exit 2, never a stack trace), a pipe closed early, and the
 * conventions (--version, --help, <command> --help, no arguments).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'passrole-doctor.cjs');
const SEED_EVENT = join(ROOT, 'examples/seed/denial.json');
const SEED_SNAPSHOT = join(ROOT, 'examples/seed/account.json');
const SEED = JSON.parse(readFileSync(SEED_EVENT, 'utf8')) as Record<string, unknown>;
const SEED_ID = String(SEED['eventID']);
/** A call that succeeded: not a denial, so quiet text output counts it instead of showing it. */
const SUCCEEDED = { ...SEED, eventID: 'ok-1', errorCode: undefined, errorMessage: undefined };

// Slow machines: a process start loads the SDK; 200 diagnoses take seconds.
jest.setTimeout(120_000);

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Result {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input,
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: undefined, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, signal: result.signal, out: result.stdout, err: result.stderr };
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');
const STACK_TRACE = /^\s+at |Error:|node:internal/m;

const scratch = mkdtempSync(join(tmpdir(), 'prd-built-cli-'));
function file(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const utf16be = (text: string) => {
  const le = Buffer.from(text, 'utf16le');
  for (let index = 0; index + 1 < le.length; index += 2) {
    const first = le[index] ?? 0;
    le[index] = le[index + 1] ?? 0;
    le[index + 1] = first;
  }
  return le;
};

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
});

describe('the built CLI reads every form CloudTrail records come in', () => {
  const logFile = JSON.stringify({ Records: [SEED, SUCCEEDED] });
  const forms: [string, () => string][] = [
    [
      "'aws cloudtrail lookup-events' output",
      () =>
        file(
          'lookup-events.json',
          JSON.stringify({
            Events: [
              {
                EventId: SEED_ID,
                EventName: 'UpdateJob',
                ReadOnly: 'false',
                EventTime: '2026-06-17T11:04:37+09:00',
                EventSource: 'glue.amazonaws.com',
                Resources: [],
                CloudTrailEvent: JSON.stringify(SEED),
              },
              { EventId: 'ok-1', EventName: 'UpdateJob', CloudTrailEvent: JSON.stringify(SUCCEEDED) },
            ],
          }),
        ),
    ],
    [
      'a CloudTrail .json.gz log file',
      () => file('111122223333_CloudTrail_ap-northeast-1.json.gz', gzipSync(logFile)),
    ],
    [
      'gzip by its magic bytes, whatever the name',
      () => file('log-without-extension.json', gzipSync(logFile)),
    ],
    [
      'a directory of log files (S3 layout, digest files skipped)',
      () => {
        const day = 'logs/AWSLogs/123456789012/CloudTrail/ap-northeast-1/2026/06/17';
        file(`${day}/a_CloudTrail_0204Z.json.gz`, gzipSync(JSON.stringify({ Records: [SEED] })));
        file(`${day}/b_CloudTrail_0205Z.json.gz`, gzipSync(JSON.stringify({ Records: [SUCCEEDED] })));
        file(
          'logs/AWSLogs/123456789012/CloudTrail-Digest/ap-northeast-1/2026/06/17/x_CloudTrail-Digest_0300Z.json.gz',
          gzipSync(
            JSON.stringify({ awsAccountId: '123456789012', digestSignatureAlgorithm: 'SHA256withRSA' }),
          ),
        );
        file('logs/README.txt', 'not a log file');
        return join(scratch, 'logs');
      },
    ],
    ['a JSON array of records', () => file('array.json', JSON.stringify([SEED, SUCCEEDED]))],
    ['JSON lines', () => file('records.jsonl', `${JSON.stringify(SEED)}\n\n${JSON.stringify(SUCCEEDED)}\n`)],
    [
      'JSON lines with CRLF',
      () => file('records-crlf.json', `${JSON.stringify(SEED)}\r\n${JSON.stringify(SUCCEEDED)}\r\n`),
    ],
    ['UTF-8 with a BOM', () => file('bom.json', `\ufeff${logFile}`)],
    [
      "UTF-16 LE with a BOM (PowerShell's >)",
      () => file('utf16le.json', Buffer.from(`\ufeff${logFile}`, 'utf16le')),
    ],
    ['UTF-16 BE with a BOM', () => file('utf16be.json', utf16be(`\ufeff${logFile}`))],
    ['UTF-16 LE without a BOM', () => file('utf16le-nobom.json', Buffer.from(logFile, 'utf16le'))],
  ];

  it.each(forms)('%s: --json, one object per record, exit 0', (_form, make) => {
    const { code, out, err } = cli(['diagnose', '--event', make(), '--snapshot', SEED_SNAPSHOT, '--json']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const reports = lines(out).map(
      (line) =>
        JSON.parse(line) as {
          outcome: string;
          denial: { eventId: string } | null;
          reasonCode: string | null;
        },
    );
    expect(reports.map((report) => report.outcome)).toEqual(['proposed', 'not-applicable']);
    expect(reports[0]?.denial?.eventId).toBe(SEED_ID);
    expect(reports[1]?.reasonCode).toBe('not-an-error');
  });

  it.each(forms)('%s: text shows the denial and counts the rest', (_form, make) => {
    const { code, out, err } = cli(['diagnose', '--event', make(), '--snapshot', SEED_SNAPSHOT]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain(`Denial ${SEED_ID}`);
    expect(out).not.toContain('NOT APPLICABLE');
    expect(lines(out).at(-1)).toBe(
      'Not shown: 1 record that is not an iam:PassRole denial (1 not-an-error); --all shows each with its reason.',
    );
  });

  it("--event - reads a pipe: 'aws cloudtrail lookup-events ... | passrole-doctor diagnose --event -'", () => {
    const lookup = JSON.stringify({ Events: [{ EventId: SEED_ID, CloudTrailEvent: JSON.stringify(SEED) }] });
    const { code, out, err } = cli(
      ['diagnose', '--event', '-', '--snapshot', SEED_SNAPSHOT, '--json'],
      {},
      lookup,
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(out)).toMatchObject({ outcome: 'proposed', denial: { eventId: SEED_ID } });
    const bad = cli(['diagnose', '--event', '-', '--snapshot', SEED_SNAPSHOT], {}, '{"Records": [');
    expect({ code: bad.code, err: bad.err }).toEqual({
      code: 2,
      err: 'passrole-doctor: (stdin): not JSON (it ends too soon (cut short?))\n',
    });
  });

  it('--all shows every record of a log file, with its reason', () => {
    const path = file('all.json', JSON.stringify({ Records: [SEED, SUCCEEDED] }));
    const { code, out } = cli(['diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT, '--all']);
    expect(code).toBe(0);
    expect(out).toContain(`Denial ${SEED_ID}`);
    expect(out).toContain('Verdict: NOT APPLICABLE');
    expect(out).toContain(
      'Records[1]: not an iam:PassRole denial (the call succeeded: the record has no errorCode)',
    );
    expect(out).not.toContain('Not shown');
  });

  it('a single record that is not a denial is still shown (nothing else to show)', () => {
    const path = file('one-success.json', JSON.stringify(SUCCEEDED));
    const { code, out } = cli(['diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT]);
    expect(code).toBe(0);
    expect(out).toContain('Verdict: NOT APPLICABLE');
  });

  it('a VpceAccessDenied record is reported as a VPC endpoint policy denial', () => {
    const path = file(
      'vpce.json',
      JSON.stringify({
        Records: [
          {
            eventVersion: '1.09',
            userIdentity: { type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: '123456789012' },
            eventTime: '2026-06-17T02:04:37Z',
            eventSource: 'ec2.amazonaws.com',
            eventName: 'RunInstances',
            awsRegion: 'ap-northeast-1',
            sourceIPAddress: '10.0.0.12',
            errorCode: 'VpceAccessDenied',
            errorMessage: 'The request was denied due to a VPC endpoint policy',
            eventID: '7c6e3d04-0c3b-42f2-8589-0000000026c0',
            eventType: 'AwsVpceEvent',
            eventCategory: 'NetworkActivity',
            recipientAccountId: '123456789012',
            vpcEndpointId: 'vpce-0abc1234def567890',
          },
        ],
      }),
    );
    const { code, out } = cli(['diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT, '--all']);
    expect(code).toBe(0);
    expect(out).toContain(
      'denied by the policy of VPC endpoint vpce-0abc1234def567890 (errorCode VpceAccessDenied), an authorization failure',
    );
    const json = cli(['diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ reasonCode: 'vpc-endpoint-policy' });
  });

  it.each([
    ['a log file', { Records: [] }],
    ['lookup-events output', { Events: [] }],
    ['an array', []],
  ])('an empty %s says so on stderr and exits 0 (nothing is wrong with it)', (_form, content) => {
    const path = file(`empty-${_form.replace(/\W/g, '')}.json`, JSON.stringify(content));
    for (const json of [[], ['--json']]) {
      const { code, out, err } = cli(['diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT, ...json]);
      expect({ code, out }).toEqual({ code: 0, out: '' });
      expect(err).toBe(`passrole-doctor: ${path}: no CloudTrail records in it: nothing to diagnose\n`);
    }
  });
});

describe('the built CLI refuses bad input in one line, exit 2, never a trace', () => {
  const missing = join(scratch, 'nope.json');
  const cases: [string, () => string[], RegExp][] = [
    [
      'a missing --event file',
      () => ['--event', missing],
      /: .*nope\.json: cannot read the file \(no such file\)$/,
    ],
    [
      'a missing --snapshot file',
      () => ['--event', SEED_EVENT, '--snapshot', missing],
      /: .*nope\.json: cannot read the file \(no such file\)$/,
    ],
    [
      'a missing --scp file',
      () => ['--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT, '--scp', missing],
      /: .*nope\.json: cannot read the file \(no such file\)$/,
    ],
    [
      'a directory as --snapshot',
      () => ['--event', SEED_EVENT, '--snapshot', scratch],
      /cannot read the file \(is a directory\)$/,
    ],
    [
      'a directory without log files',
      () => {
        mkdirSync(join(scratch, 'empty-dir'), { recursive: true });
        return ['--event', join(scratch, 'empty-dir')];
      },
      /empty-dir: a directory with no \.json, \.jsonl or \.json\.gz files$/,
    ],
    [
      'JSON with a syntax error (line and column named)',
      () => ['--event', file('bad.json', '{\n  "Records": [\n    {"eventName": x}\n  ]\n}')],
      /bad\.json: not JSON \(line 3, column 19: unexpected 'x'\)$/,
    ],
    [
      'a file cut short',
      () => ['--event', file('cut.json', '{"Records": [{"eventName": "Up')],
      /cut\.json: not JSON \(it ends too soon \(cut short\?\)\)$/,
    ],
    [
      'an empty file',
      () => ['--event', file('zero.json', '')],
      /zero\.json: not JSON \(the file is empty\)$/,
    ],
    [
      'a binary file',
      () => [
        '--event',
        file(
          'image.png',
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x00]),
        ),
      ],
      /image\.png: not text \(neither UTF-8 nor UTF-16, and not gzip\)$/,
    ],
    [
      'a damaged gzip file',
      () => [
        '--event',
        file('damaged.json.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(30, 7)])),
      ],
      /damaged\.json\.gz: a gzip file that cannot be decompressed: it is damaged or cut short$/,
    ],
    [
      'a gzip file cut short',
      () => ['--event', file('short.json.gz', gzipSync(JSON.stringify({ Records: [SEED] })).subarray(0, 40))],
      /short\.json\.gz: a gzip file that cannot be decompressed: it is damaged or cut short$/,
    ],
    [
      'JSON that is not CloudTrail',
      () => ['--event', file('other.json', '{"hello": "world"}')],
      /other\.json: not a CloudTrail record/,
    ],
    [
      'lookup-events output with a broken CloudTrailEvent',
      () => [
        '--event',
        file(
          'bad-lookup.json',
          JSON.stringify({ Events: [{ EventId: 'x', CloudTrailEvent: '{"eventName": ' }] }),
        ),
      ],
      /bad-lookup\.json: Events\[0\]: CloudTrailEvent is not JSON \(it ends too soon \(cut short\?\)\)$/,
    ],
    [
      'JSON lines with a broken line (its number named)',
      () => [
        '--event',
        file(
          'broken.jsonl',
          `${JSON.stringify(SUCCEEDED)}\n${JSON.stringify(SUCCEEDED)}\n{"eventName": tru\n`,
        ),
      ],
      /broken\.jsonl: line 3: not JSON \(column 15: unexpected 't'\)$/,
    ],
  ];

  it.each(cases)('%s', (_label, argv, pattern) => {
    const args = argv();
    if (!args.includes('--snapshot')) args.push('--snapshot', SEED_SNAPSHOT);
    const { code, out, err } = cli(['diagnose', ...args]);
    expect(code).toBe(2);
    expect(lines(err)).toHaveLength(1);
    expect(err.trimEnd()).toMatch(/^passrole-doctor: /);
    expect(err.trimEnd()).toMatch(pattern);
    expect(err).not.toMatch(STACK_TRACE);
    // What was diagnosed before a bad record is still printed; these inputs hold no good record.
    expect(lines(out).every((line) => !line.startsWith('Verdict: NOT APPLICABLE'))).toBe(true);
  });

  it('a port that is not one: one clear line, exit 2', () => {
    const negative = cli(['serve', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT, '--port', '-1']);
    expect(negative.code).toBe(2);
    expect(lines(negative.err)[0]).toBe(
      "passrole-doctor: --port '-1' is invalid: it must be a whole number from 0 to 65535 (0 picks a free port).",
    );
    expect(negative.err).not.toMatch(STACK_TRACE);
  });

  it('a port in use: one clear line, exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      // Async: the port must stay held while the CLI runs.
      const result = await new Promise<Result>((resolve) => {
        const child = spawn(process.execPath, [
          CLI,
          'serve',
          '--event',
          SEED_EVENT,
          '--snapshot',
          SEED_SNAPSHOT,
          '--port',
          String(port),
        ]);
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('close', (code, signal) => resolve({ code, signal, out, err }));
      });
      expect(result.code).toBe(2);
      expect(result.err).toBe(
        `passrole-doctor: --port ${port}: 127.0.0.1:${port} is already in use; pick another port, or --port 0 for a free one\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('the built CLI and a pipe closed early', () => {
  const records = Array.from({ length: 200 }, (_unused, index) => ({ ...SEED, eventID: `pipe-${index}` }));
  const log = () => file('200-records.json', JSON.stringify({ Records: records }));

  it.each([[['--json']], [[]]])('diagnose %j | head -1: exit 0 or 141, no trace', (extra) => {
    const script = `"${process.execPath}" "${CLI}" diagnose --event "${log()}" --snapshot "${SEED_SNAPSHOT}" ${extra.join(' ')} 2>"${scratch}/pipe-err.txt" | head -1; exit \${PIPESTATUS[0]}`;
    const result = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect([0, 141]).toContain(result.status);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(readFileSync(join(scratch, 'pipe-err.txt'), 'utf8')).toBe('');
  });
});

describe('the built CLI keeps the conventions', () => {
  it('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V'])
      expect(cli([flag])).toMatchObject({ code: 0, out: `${version}\n`, err: '' });
  });

  it.each([
    ['--help'],
    ['-h'],
    ['help'],
    ['diagnose', '--help'],
    ['approve', '--help'],
    ['help', 'serve'],
    ['snapshot', '--help'],
    ['serve', '--help'],
    ['demo', '--help'],
    ['proposals', '--help'],
    ['reject', '--help'],
  ])('%s %s: help on stdout, exit 0', (...argv) => {
    const { code, out, err } = cli(argv.filter((arg): arg is string => typeof arg === 'string'));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^Usage: passrole-doctor/);
  });

  it('diagnose --help names every input form and the exit codes', () => {
    const { out } = cli(['diagnose', '--help']);
    for (const words of [
      'lookup-events',
      '.json.gz',
      'directory',
      'JSON array',
      'JSON lines',
      'UTF-16',
      '--all',
      'Exit status',
    ]) {
      expect(out).toContain(words);
    }
  });

  it("approve --help is the command's own help, with its argument", () => {
    const { out } = cli(['approve', '--help']);
    expect(out).toContain('Usage: passrole-doctor approve [options] <proposal-id>');
    expect(out).toContain('--api <URL>');
  });

  it('no arguments: the usage on stderr, exit 2', () => {
    const { code, out, err } = cli([]);
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(/^Usage: passrole-doctor \[options\] \[command\]/);
  });

  it('a mistyped command: did you mean, exit 2', () => {
    const { code, err } = cli(['diagnoze']);
    expect(code).toBe(2);
    expect(lines(err)).toEqual([
      "passrole-doctor: unknown command 'diagnoze' (did you mean diagnose?)",
      "Run 'passrole-doctor --help' for usage.",
    ]);
  });

  it('colour only when asked for or on a terminal, never with NO_COLOR', () => {
    const args = ['diagnose', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT];
    expect(cli(args).out).not.toContain('\u001b[');
    expect(cli(args, { FORCE_COLOR: '1' }).out).toContain('\u001b[1mVerdict:');
    expect(cli(args, { FORCE_COLOR: '1', NO_COLOR: '1' }).out).not.toContain('\u001b[');
    // JSON is never coloured.
    expect(cli([...args, '--json'], { FORCE_COLOR: '1' }).out).not.toContain('\u001b[');
  });
});
