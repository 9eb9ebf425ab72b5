/**
 * `passrole-doctor snapshot --out FILE` in-process, IAM answered by aws-sdk-client-mock (the command
 * builds its own client, so the class is mocked); against moto in test/integration/snapshot-live.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  IAMServiceException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliIo } from '../../../lambda/handlers/cli/io';
import { runCli } from '../../../lambda/handlers/cli/main';

const ROOT = join(__dirname, '../../..');
const SEED_EVENT = join(ROOT, 'examples/seed/denial.json');
const SEED_SNAPSHOT = join(ROOT, 'examples/seed/account.json');
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';

const seed = JSON.parse(readFileSync(SEED_SNAPSHOT, 'utf8')) as {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: { PolicyVersionList: { Document: unknown }[] }[];
};
const encoded = (document: unknown) => encodeURIComponent(JSON.stringify(document));

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
  return { code: await runCli(argv, io), out, err };
}

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());
afterAll(() => iam.restore());

/** The seed account as the API gives it (documents URL-encoded), in one page. */
function answerAsTheSeedAccount(): void {
  const encode = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(encode);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, inner]) => [
        key,
        key.endsWith('Document') && typeof inner === 'object' ? encoded(inner) : encode(inner),
      ]),
    );
  };
  const { UserDetailList, GroupDetailList, RoleDetailList } = encode(seed) as Record<string, never>;
  iam
    .on(GetAccountAuthorizationDetailsCommand)
    .resolves({ UserDetailList, GroupDetailList, RoleDetailList, Policies: [], IsTruncated: false });
  iam
    .on(GetPolicyCommand, { PolicyArn: GLUE_CONSOLE })
    .resolves({
      Policy: { Arn: GLUE_CONSOLE, PolicyName: 'AWSGlueConsoleFullAccess', DefaultVersionId: 'v14' },
    })
    .on(GetPolicyVersionCommand, { PolicyArn: GLUE_CONSOLE, VersionId: 'v14' })
    .resolves({
      PolicyVersion: {
        VersionId: 'v14',
        Document: encoded(seed.Policies[0]?.PolicyVersionList[0]?.Document),
      },
    });
}

describe('passrole-doctor snapshot', () => {
  it('writes a file that --snapshot takes, with progress on stderr and nothing on stdout', async () => {
    answerAsTheSeedAccount();
    const out = join(mkdtempSync(join(tmpdir(), 'prd-snapshot-')), 'account.json');
    const taken = await run('snapshot', '--out', out);
    expect(taken).toEqual({
      code: 0,
      out: [],
      err: [
        'passrole-doctor: snapshot: GetAccountAuthorizationDetails page 1 read; so far 3 users, 2 groups, 1 role, 0 customer managed policies',
        'passrole-doctor: snapshot: reading 1 AWS managed policy in use',
        `passrole-doctor: snapshot: wrote ${out}: 3 users, 2 groups, 1 role, 0 customer managed policies and 1 AWS managed policy`,
      ],
    });
    const offline = await run('diagnose', '--event', SEED_EVENT, '--snapshot', out, '--json');
    const shipped = await run('diagnose', '--event', SEED_EVENT, '--snapshot', SEED_SNAPSHOT, '--json');
    expect(offline).toEqual(shipped);
  });

  it('fails with one line and exit 1 when IAM refuses, leaving no file', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(
      new IAMServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: 'not authorized',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'prd-snapshot-'));
    const { code, out, err } = await run('snapshot', '--out', join(dir, 'account.json'));
    expect({ code, out, err }).toEqual({
      code: 1,
      out: [],
      err: [
        'passrole-doctor: Access denied: the snapshot needs iam:GetAccountAuthorizationDetails (AccessDenied: not authorized)',
      ],
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with one line and exit 2 when the file cannot be written, leaving no partial file', async () => {
    answerAsTheSeedAccount();
    const dir = mkdtempSync(join(tmpdir(), 'prd-snapshot-'));
    const target = join(dir, 'missing-dir', 'account.json');
    const { code, err } = await run('snapshot', '--out', target);
    expect(code).toBe(2);
    expect(err.at(-1)).toBe(`passrole-doctor: ${target}: cannot write the snapshot (ENOENT)`);
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  it.each([[['snapshot']], [['snapshot', '--out']], [['snapshot', '--out', 'x', '--event', 'y']]])(
    'usage errors exit 2: %j',
    async (argv) => {
      const { code, err } = await run(...argv);
      expect(code).toBe(2);
      expect(err[0]).toMatch(
        /^passrole-doctor: (snapshot needs --out FILE or --identity-center FILE|option '--out <FILE>' argument missing|unknown option '--event')$/,
      );
      expect(err[1]).toBe("Run 'passrole-doctor snapshot --help' for usage.");
    },
  );
});
