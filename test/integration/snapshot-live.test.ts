/**
 * `passrole-doctor snapshot --out FILE` against moto_server: the seed's account is created in moto
 * through the SDK, the CLI dumps it (AWS_ENDPOINT_URL), and the dump diagnoses the seed denial offline
 * exactly as the live diagnosis of the same account does (the local simulator on both sides, since moto
 * has no SimulatePrincipalPolicy).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../lambda/handlers/cli/main';
import type { CliIo } from '../../lambda/handlers/cli/io';
import { createMotoClients, motoEndpoint, type MotoClients } from './support/aws-clients';
import { resetMoto } from './support/moto';
import { seedGlueAccount } from './support/seed-account';

const SEED_EVENT = join(__dirname, '../../examples/seed/denial.json');
const GLUE_CONSOLE = 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
  return { code: await runCli(argv, io), out, err };
}

describe('snapshot, live against moto_server', () => {
  let clients: MotoClients;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;
  const file = join(mkdtempSync(join(tmpdir(), 'prd-snapshot-live-')), 'account.json');

  beforeAll(async () => {
    await resetMoto(motoEndpoint());
    clients = createMotoClients();
    await seedGlueAccount(clients.iam);
    process.env.AWS_ENDPOINT_URL = motoEndpoint();
  });

  afterAll(() => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    clients.destroy();
  });

  it('dumps the account with the AWS managed policy in use, and only that one', async () => {
    const { code, out, err } = await run('snapshot', '--out', file);
    expect({ code, out }).toEqual({ code: 0, out: [] });
    expect(err.at(-1)).toBe(
      `passrole-doctor: snapshot: wrote ${file}: 3 users, 2 groups, 1 role, 0 customer managed policies and 1 AWS managed policy`,
    );
    const dumped = JSON.parse(readFileSync(file, 'utf8')) as {
      Policies: { Arn: string; PolicyVersionList: { Document: unknown; IsDefaultVersion: boolean }[] }[];
    };
    expect(dumped.Policies.map((policy) => policy.Arn)).toEqual([GLUE_CONSOLE]);
    // moto's own copy of AWS's document, as a JSON object like the AWS CLI writes.
    expect(dumped.Policies[0]?.PolicyVersionList[0]).toMatchObject({
      IsDefaultVersion: true,
      Document: { Version: '2012-10-17', Statement: expect.any(Array) },
    });
  });

  it('diagnoses the seed denial offline exactly as live', async () => {
    const offline = await run('diagnose', '--event', SEED_EVENT, '--snapshot', file, '--json');
    const live = await run('diagnose', '--event', SEED_EVENT, '--simulator', 'local', '--json');
    expect(offline.code).toBe(0);
    expect(offline).toEqual(live);
    expect(JSON.parse(offline.out[0] ?? '{}')).toMatchObject({
      verdict: 'explicitDeny',
      proposal: { target: { type: 'group', name: 'GlueAccess', memberCount: 2 }, verified: true },
    });
  });
});
