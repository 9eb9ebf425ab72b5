/**
 * The one synth with real bundling: the local esbuild builds the diagnose, approval, apply and
 * reconciler functions from their real entries (no Docker here).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { HandlerName } from '../../lib/constructs/handler-function';
import { buildTestApp } from './support/cdk-app';

/** The budget for the zipped bundle. */
const MAX_ZIPPED_BYTES = 1.5 * 1024 * 1024;

const assetDirs = new Map<HandlerName, string>();

beforeAll(() => {
  const testApp = buildTestApp({ bundle: true });
  const stack = testApp.stacks.main;
  const { remediation } = stack;
  const template = Template.fromStack(stack).toJSON();
  const functions: Record<HandlerName, lambda.Function> = {
    diagnose: remediation.function,
    approval: remediation.approvalFunction,
    apply: remediation.applyFunction,
    reconcile: remediation.reconciler.function,
  };
  expect(
    Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::Lambda::Function'),
  ).toHaveLength(4);
  for (const [name, fn] of Object.entries(functions) as [HandlerName, lambda.Function][]) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const s3Key = (template.Resources[logicalId].Properties as { Code: { S3Key: string } }).Code.S3Key;
    assetDirs.set(name, path.join(testApp.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`));
  }
}, 180_000);

const HANDLERS: HandlerName[] = ['diagnose', 'approval', 'apply', 'reconcile'];

describe.each(HANDLERS)('the %s function bundle', (name) => {
  const assetDir = () => assetDirs.get(name) as string;
  const read = (file: string) => fs.readFileSync(path.join(assetDir(), file), 'utf8');
  const sources = () => (JSON.parse(read('index.mjs.map')) as { sources: string[] }).sources;

  it('is one ESM file (index.mjs) and its source map, nothing else', () => {
    expect(fs.readdirSync(assetDir()).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it(`is built from lambda/handlers/${name}/index.ts`, () => {
    expect(sources().filter((source) => source.endsWith(`lambda/handlers/${name}/index.ts`))).toHaveLength(1);
  });

  it('starts with the createRequire banner, so bundled CommonJS can still require()', () => {
    const banner = "import { createRequire as topLevelCreateRequire } from 'node:module';";
    expect(read('index.mjs').slice(0, banner.length)).toBe(banner);
  });

  it('exports the handler', () => {
    // The minified module's export statement, e.g. `export{qt as handler};` (legal comments follow it).
    const exported = [...read('index.mjs').matchAll(/export\s*\{([^}]*)\}/g)].flatMap((match) =>
      (match[1] ?? '').split(',').map((entry) =>
        entry
          .trim()
          .split(/\s+as\s+/)
          .pop(),
      ),
    );
    expect(exported).toContain('handler');
  });

  it('keeps class names through minification, so errors still know their name', () => {
    // PassRoleDoctorError sets `this.name = new.target.name`; minified without keepNames it would be "e".
    expect(sources().some((source) => source.endsWith('lambda/core/errors.ts'))).toBe(true);
    expect(read('index.mjs')).toContain('"PassRoleDoctorError"');
  });

  // The diagnose function alone simulates a permission set as provisioned (Identity Center), which
  // only the offline engine can; every other function uses the AWS simulator.
  it(`${name === 'diagnose' ? 'bundles' : 'leaves out'} @cloud-copilot (the local simulator and its IAM data)`, () => {
    expect(sources().length).toBeGreaterThan(0);
    const offline = sources().filter((source) => source.includes('@cloud-copilot'));
    if (name === 'diagnose') expect(offline.length).toBeGreaterThan(0);
    else expect(offline).toEqual([]);
  });

  it('is at most 1.5 MB zipped', () => {
    // Deflate at zip's highest level, file by file, as the asset zip is built.
    const zipped = fs
      .readdirSync(assetDir())
      .reduce(
        (total, file) =>
          total + zlib.deflateRawSync(fs.readFileSync(path.join(assetDir(), file)), { level: 9 }).length,
        0,
      );
    expect(zipped).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
  });
});
