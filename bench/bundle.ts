/**
 * The diagnose function's package figures (`npx tsx bench/bundle.ts`, or runBundleBench() from
 * bench/run.ts):
 * - the bundle CDK deploys: a stack holding only the diagnose function, built by the same
 *   createHandlerFunction every function of the app is built with (NodejsFunction, the shared BUNDLING
 *   options, the local esbuild), synthesized with bundling on; no option is re-stated here
 * - its size zipped (`zip -9`), with and without the source map (target <= 1.5 MB)
 * - its cold module init: a fresh `node` imports it with the function's environment, timed inside that
 *   process, median of several runs (target <= 300 ms)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { DIAGNOSE_ENTRY, FUNCTION_TIMEOUT } from '../lib/constructs/diagnose-function';
import { createHandlerFunction } from '../lib/constructs/handler-function';
import { printBenchLines, stats } from './support';

const MIB = 1024 * 1024;
const MAX_ZIPPED_BYTES = 1.5 * MIB;
const MAX_INIT_MS = 300;
const INIT_RUNS = 7;

/**
 * The diagnose function's own variables (lib/constructs/diagnose-function.ts) as dummies of the
 * right shape; the construct adds the Powertools ones and NODE_OPTIONS.
 */
const FUNCTION_VARIABLES = {
  PROPOSALS_TABLE_NAME: 'bench-proposals',
  IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
  TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench-proposals',
  PROPOSAL_TTL_HOURS: '72',
  RENOTIFY_AFTER_HOURS: '24',
  LINK_MAC_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/0b5f7a4e-2f4c-4e0b-9d55-3f1f1d8c2a10',
  APPROVAL_MODE: 'both',
  REVIEW_BASE_URL: 'https://review.example.com',
};

/**
 * What Lambda adds. Every AWS endpoint is a closed local port, so any call the module made at init
 * would fail on the machine instead of leaving it.
 */
const LAMBDA_VARIABLES = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench-diagnose',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const mb = (bytes: number): string => `${(bytes / MIB).toFixed(2)} MB`;

interface Bundle {
  assetDir: string;
  /** The function's environment as synthesized. */
  environment: Record<string, string>;
}

/** Synthesizes the diagnose function alone with bundling on. */
function bundleAsDeployed(outdir: string): Bundle {
  const app = new App({ outdir });
  const stack = new Stack(app, 'DiagnoseBundleBench');
  const { function: fn } = createHandlerFunction(stack, {
    description: 'bench',
    roleDescription: 'bench',
    code: { kind: 'source', entry: DIAGNOSE_ENTRY },
    memorySize: 1024,
    timeout: FUNCTION_TIMEOUT,
    environment: FUNCTION_VARIABLES,
  });
  const assembly = app.synth();
  const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
  const template = JSON.parse(
    readFileSync(assembly.getStackByName(stack.stackName).templateFullPath, 'utf8'),
  ) as {
    Resources: Record<
      string,
      { Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, string> } } }
    >;
  };
  const properties = template.Resources[logicalId]?.Properties;
  const s3Key = properties?.Code?.S3Key;
  if (typeof s3Key !== 'string') throw new Error(`no asset S3Key on the diagnose function ${logicalId}`);
  return {
    assetDir: join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`),
    environment: properties?.Environment?.Variables ?? {},
  };
}

/** `zip -9 -X` of the chosen files (what the asset zip holds), its size in bytes. */
function zippedSize(dir: string, files: string[], zipFile: string): number {
  execFileSync('zip', ['-q', '-9', '-X', zipFile, ...files], { cwd: dir });
  return statSync(zipFile).size;
}

/** Milliseconds for `await import(bundle)` in a fresh node, measured inside it. */
function coldInit(bundle: string, environment: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(bundle)}); console.log(performance.now() - t);`;
  let output: string;
  try {
    output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...environment },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`the bundle failed at init: ${String(stderr ?? error)}`, { cause: error });
  }
  const ms = Number(output.trim().split('\n').pop());
  if (!Number.isFinite(ms)) throw new Error(`the init probe printed no time: ${output}`);
  return ms;
}

export async function runBundleBench(): Promise<string[]> {
  const workdir = mkdtempSync(join(tmpdir(), 'passrole-doctor-bundle-'));
  try {
    const started = performance.now();
    const { assetDir, environment } = bundleAsDeployed(join(workdir, 'cdk.out'));
    const synthSeconds = (performance.now() - started) / 1000;
    const files = readdirSync(assetDir).sort();
    const code = files.filter((file) => !file.endsWith('.map'));
    const raw = code.reduce((total, file) => total + statSync(join(assetDir, file)).size, 0);
    const withMap = zippedSize(assetDir, files, join(workdir, 'with-map.zip'));
    const withoutMap = zippedSize(assetDir, code, join(workdir, 'without-map.zip'));

    const bundle = join(assetDir, 'index.mjs');
    const deployed: Record<string, string> = { ...environment, ...LAMBDA_VARIABLES };
    const asDeployed = Array.from({ length: INIT_RUNS }, () => coldInit(bundle, deployed));
    // The function runs with NODE_OPTIONS=--enable-source-maps; without it shows what the map costs.
    const { NODE_OPTIONS: _sourceMaps, ...withoutSourceMaps } = deployed;
    const plain = Array.from({ length: INIT_RUNS }, () => coldInit(bundle, withoutSourceMaps));
    return [
      `diagnose bundle (CDK NodejsFunction bundling with the app's options, local esbuild, synth ${synthSeconds.toFixed(1)} s): ${files.join(' + ')}; ` +
        `${mb(raw)} code unzipped; zipped (zip -9) ${mb(withMap)} with the source map, ${mb(withoutMap)} without; target <= ${mb(MAX_ZIPPED_BYTES)}`,
      `diagnose bundle cold module init (node ${process.version}; Lambda runs node22): import of index.mjs with the function's environment ` +
        `(NODE_OPTIONS=${environment['NODE_OPTIONS'] ?? '(none)'}) median ${stats(asDeployed).median.toFixed(0)} ms (min ${Math.min(...asDeployed).toFixed(0)}), ` +
        `without source maps ${stats(plain).median.toFixed(0)} ms (min ${Math.min(...plain).toFixed(0)}), ${INIT_RUNS} runs each; target <= ${MAX_INIT_MS} ms`,
    ];
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

if (require.main === module) printBenchLines(runBundleBench);
