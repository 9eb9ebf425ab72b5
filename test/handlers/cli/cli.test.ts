import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../lambda/handlers/cli/main';
import type { CliIo } from '../../../lambda/handlers/cli/io';

const ROOT = join(__dirname, '../../..');
const SEED_EVENT = join(ROOT, 'examples/seed/denial.json');
const SEED_SNAPSHOT = join(ROOT, 'examples/seed/account.json');
const REAL = join(ROOT, 'test/fixtures/cloudtrail/real');

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const scratch = mkdtempSync(join(tmpdir(), 'prd-cli-'));
function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('passrole-doctor diagnose', () => {
  it('prints one JSON object per denial in the documented shape', async () => {
    const { code, out, err } = await run(
      'diagnose',
      '--event',
      SEED_EVENT,
      '--snapshot',
      SEED_SNAPSHOT,
      '--json',
    );
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0] ?? '') as Record<string, unknown> & {
      denial: Record<string, unknown>;
      proposal: Record<string, unknown>;
    };
    expect(Object.keys(report.denial)).toEqual(
      expect.arrayContaining([
        'eventId',
        'account',
        'region',
        'eventSource',
        'eventName',
        'deniedAction',
        'principalArn',
        'principalType',
        'policySourceArn',
        'roleArn',
        'passedToService',
        'messageCause',
        'context',
      ]),
    );
    expect(report.denial).toMatchObject({
      deniedAction: 'glue:UpdateJob',
      principalType: 'user',
      passedToService: 'glue.amazonaws.com',
      messageCause: { policyType: 'identity', explicit: true, policyArn: null },
    });
    expect(report.verdict).toBe('explicitDeny');
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'explicit-deny' }),
        expect.objectContaining({ kind: 'near-miss' }),
      ]),
    );
    expect(report.proposal).toMatchObject({
      target: { type: 'group', name: 'GlueAccess', arn: 'arn:aws:iam::123456789012:group/GlueAccess' },
      policyName: 'AllowPassEtlNightlyRuntimeToGlue',
      verified: true,
      commands: {
        apply: expect.stringContaining('aws iam put-group-policy'),
        verify: expect.stringContaining('aws iam simulate-principal-policy'),
      },
    });
    // What the grant adds and who may approve it, under the default settings (offline), said so.
    expect(Object.keys(report.proposal.escalation as object)).toEqual([
      'level',
      'comparedWith',
      'gains',
      'exposure',
      'reason',
    ]);
    expect(report.proposal.approval).toMatchObject({
      requires: expect.any(String),
      reason: expect.any(String),
      assumedSettings: {
        source: 'defaults',
        approvalMode: 'both',
        approversConfigured: false,
        allowAdminRoles: false,
        autoApprove: 'off',
      },
    });
  });

  it('prints a readable report by default', async () => {
    const { code, out } = await run('diagnose', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Verdict: EXPLICIT DENY');
    expect(text).toContain(
      'Proposed fix: inline policy AllowPassEtlNightlyRuntimeToGlue on group GlueAccess, 2 members',
    );
    expect(text).toContain('Verified by simulation: allowed');
  });

  it.each(readdirSync(REAL).filter((name) => name.endsWith('.json')))(
    'classifies the published record %s as not applicable, exit 0',
    async (name) => {
      const { code, out, err } = await run(
        'diagnose',
        '--event',
        join(REAL, name),
        '--snapshot',
        SEED_SNAPSHOT,
        '--json',
      );
      expect({ code, err }).toEqual({ code: 0, err: [] });
      expect(JSON.parse(out[0] ?? '')).toMatchObject({
        verdict: 'not-applicable',
        outcome: 'not-applicable',
        // The reader's code: what a script filters on instead of the reason's words.
        reasonCode: expect.stringMatching(
          /^(not-an-error|not-passrole|not-authorization-failure|action-not-named)$/,
        ),
        denial: null,
        proposal: null,
      });
    },
  );

  it('diagnoses every record of a log file and reports the bad one on stderr, exit 2', async () => {
    const event = JSON.parse(readFileSync(SEED_EVENT, 'utf8')) as Record<string, unknown>;
    const logFile = file(
      'log.json',
      JSON.stringify({ Records: [event, { nonsense: true }, { ...event, eventID: 'second' }] }),
    );
    const { code, out, err } = await run(
      'diagnose',
      '--event',
      logFile,
      '--snapshot',
      SEED_SNAPSHOT,
      '--json',
    );
    expect(code).toBe(2);
    expect(out.map((line) => (JSON.parse(line) as { denial: { eventId: string } }).denial.eventId)).toEqual([
      event['eventID'],
      'second',
    ]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^passrole-doctor: .*log\.json: Records\[1\]: /);
  });

  it.each([
    [
      'a missing file',
      () => join(scratch, 'nope.json'),
      /nope\.json: cannot read the file \(no such file\)$/,
    ],
    ['a file that is not JSON', () => file('bad.json', '{"Records": [tru'), /bad\.json: not JSON \(/],
    [
      'JSON that is not CloudTrail',
      () => file('other.json', '{"hello": "world"}'),
      /other\.json: not a CloudTrail record/,
    ],
  ])('bad input (%s): exit 2, one line saying what and where', async (_label, makePath, pattern) => {
    const { code, out, err } = await run('diagnose', '--event', makePath(), '--snapshot', SEED_SNAPSHOT);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(pattern);
    expect(err[0]).not.toMatch(/\n|\s+at /);
  });

  it('a snapshot without the principal: exit 2 naming the entity', async () => {
    const empty = file(
      'empty-account.json',
      JSON.stringify({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] }),
    );
    const { code, err } = await run('diagnose', '--event', SEED_EVENT, '--snapshot', empty);
    expect(code).toBe(2);
    expect(err).toEqual([
      expect.stringContaining('has no IAM entity arn:aws:iam::123456789012:user/mei.tanaka'),
    ]);
  });

  it('a malformed snapshot: exit 2 with the JSON path of the problem', async () => {
    const broken = file('broken.json', JSON.stringify({ UserDetailList: 5 }));
    const { code, err } = await run('diagnose', '--event', SEED_EVENT, '--snapshot', broken);
    expect(code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/broken\.json: UserDetailList: /)]);
  });

  it('applies --scp files: an SCP denying PassRole turns the verdict and removes the proposal', async () => {
    const scp = file(
      'deny-pass.json',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Sid: 'NoPass', Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
        ],
      }),
    );
    const { code, out } = await run(
      'diagnose',
      '--event',
      SEED_EVENT,
      '--snapshot',
      SEED_SNAPSHOT,
      '--scp',
      scp,
      '--json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(out[0] ?? '') as { findings: { kind: string }[]; proposal: unknown };
    expect(report.findings.map((f) => f.kind)).toContain('scp');
    expect(report.proposal).toBeNull();
  });

  it.each([
    [['diagnose'], /^passrole-doctor: required option '--event <FILE>' not specified$/],
    [['diagnose', '--event', 'x', '--bogus'], /^passrole-doctor: unknown option '--bogus'$/],
    [
      ['diagnose', '--event', 'x', '--simulator', 'magic'],
      /^passrole-doctor: --simulator 'magic' is invalid: the choices are aws, local\.$/,
    ],
    [['frobnicate'], /^passrole-doctor: unknown command 'frobnicate'$/],
    [['diagnos'], /^passrole-doctor: unknown command 'diagnos' \(did you mean diagnose\?\)$/],
    [['approve'], /^passrole-doctor: missing required argument 'proposal-id'$/],
    [
      ['reject', 'a', 'b'],
      /^passrole-doctor: too many arguments for 'reject'\. Expected 1 argument but got 2\.$/,
    ],
    [['proposals', 'x'], /^passrole-doctor: too many arguments for 'proposals'/],
    [['diagnose', '--event'], /^passrole-doctor: option '--event <FILE>' argument missing$/],
    [
      ['diagnose', '--event', 'x', '--snapshot', 'y', '--simulator', 'aws'],
      /^passrole-doctor: --snapshot runs offline: it uses the local simulator$/,
    ],
  ])('usage errors exit 2: %j', async (argv, pattern) => {
    const { code, out, err } = await run(...argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(pattern);
    // The second line says where the usage is: the command's own help, or the program's.
    const command = argv[0] === 'frobnicate' || argv[0] === 'diagnos' ? '' : `${argv[0]} `;
    expect(err.slice(1)).toEqual([`Run 'passrole-doctor ${command}--help' for usage.`]);
  });
});

describe('passrole-doctor demo', () => {
  it('runs the seed end to end and ends allowed', async () => {
    const { code, out } = await run('demo');
    const text = out.join('\n');
    expect(code).toBe(0);
    expect(text.indexOf('EXPLICIT DENY')).toBeLessThan(text.indexOf('beneath the deny'));
    expect(text.indexOf('beneath the deny')).toBeLessThan(text.indexOf('near miss'));
    expect(text).toContain('Read back: identical to the proposal');
    expect(text).toContain(
      'Re-simulation after applying: allowed with MFA present (assumed by the simulation: the denied request did not have it)',
    );
  });
});

describe('passrole-doctor diagnose: quiet text output', () => {
  const event = JSON.parse(readFileSync(SEED_EVENT, 'utf8')) as Record<string, unknown>;
  const succeeded = (index: number) => ({
    ...event,
    eventID: `ok-${index}`,
    errorCode: undefined,
    errorMessage: undefined,
  });
  const records = [
    ...Array.from({ length: 100 }, (_u, i) => succeeded(i)),
    event,
    ...Array.from({ length: 100 }, (_u, i) => succeeded(100 + i)),
  ];

  it('200 successful calls and one denial: the denial, then one line counting the rest', async () => {
    const { code, out, err } = await run(
      'diagnose',
      '--event',
      file('200-ok.json', JSON.stringify({ Records: records })),
      '--snapshot',
      SEED_SNAPSHOT,
    );
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const text = out.join('\n');
    expect(text.match(/^Verdict: /gm)).toHaveLength(1);
    expect(text).not.toContain('NOT APPLICABLE');
    expect(out.at(-1)).toBe(
      'Not shown: 200 records that are not iam:PassRole denials (200 not-an-error); --all shows each with its reason.',
    );
  });

  it('--all: all 201, each with its reason; --json: 201 lines, as before', async () => {
    const path = file('200-ok-all.json', JSON.stringify({ Records: records }));
    const all = await run('diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT, '--all');
    expect(all.out.join('\n').match(/^Verdict: /gm)).toHaveLength(201);
    const json = await run('diagnose', '--event', path, '--snapshot', SEED_SNAPSHOT, '--json');
    expect(json.out).toHaveLength(201);
  });

  it('a snapshot diagnosis shows no progress line (nothing is read live)', async () => {
    const shown: (string | null)[] = [];
    const io = {
      out: () => undefined,
      err: () => undefined,
      progress: (text: string | null) => shown.push(text),
    };
    expect(await runCli(['diagnose', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT], io)).toBe(0);
    expect(shown.filter((text) => text !== null)).toEqual([]);
  });
});
