/** bin/app.ts as `cdk synth` runs it: bad settings stop it before any stack is built. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './support/cdk-app';

it('exits 1 with one line per bad setting, naming the key and why', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'passrole-doctor-app-'));
  const run = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    // How the CDK CLI hands context (cdk.json + -c) and the output directory to the app.
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({
        maxConcurrency: '1',
        slackWorkspaceId: 'T07EA123LEP',
        approvalMode: 'email',
      }),
      CDK_OUTDIR: outdir,
    },
  });
  expect(run.status).toBe(1);
  expect(run.stderr.trim().split('\n')).toEqual([
    'invalid settings (cdk context):',
    '  slackChannelId: is required when slackWorkspaceId is set',
    '  maxConcurrency: must be an integer from 2 to 1000 (Lambda\'s SQS maximum concurrency range), got "1"',
    '  approvalMode: must be one of link, iam, both, got "email"',
  ]);
  expect(fs.readdirSync(outdir)).toEqual([]);
  fs.rmSync(outdir, { recursive: true, force: true });
}, 30_000);

it('stops organization mode with half its settings before any stack is built', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'passrole-doctor-app-'));
  const run = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ organizationId: 'o-a1b2c3d4e5', memberOus: 'ou-ab12-cdef3456' }),
      CDK_OUTDIR: outdir,
      CDK_DEFAULT_REGION: 'eu-west-1',
      CDK_DEFAULT_ACCOUNT: '111122223333',
    },
  });
  expect(run.status).toBe(1);
  expect(run.stderr.trim().split('\n')).toEqual([
    'invalid settings (cdk context):',
    '  memberRegions: is required in organization mode (e.g. eu-west-1,us-east-1)',
    '  externalId: is required in organization mode: the member roles require it of the hub (e.g. a random UUID)',
  ]);
  expect(fs.readdirSync(outdir)).toEqual([]);
  fs.rmSync(outdir, { recursive: true, force: true });
}, 30_000);
