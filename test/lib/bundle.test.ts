/** The one synth with real bundling: the local esbuild builds the diagnose function (no Docker here). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from './support/cdk-app';

/** The budget for the zipped bundle. */
const MAX_ZIPPED_BYTES = 1.5 * 1024 * 1024;

let assetDir: string;

beforeAll(() => {
  const testApp = buildTestApp({ bundle: true });
  const template = Template.fromStack(testApp.stacks.main);
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  const s3Key = (functions[0]?.Properties as { Code: { S3Key: string } }).Code.S3Key;
  assetDir = path.join(testApp.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}, 60_000);

const read = (file: string) => fs.readFileSync(path.join(assetDir, file), 'utf8');

describe('the diagnose function bundle', () => {
  it('is one ESM file (index.mjs) and its source map, nothing else', () => {
    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it('starts with the createRequire banner, so bundled CommonJS can still require()', () => {
    const banner = "import { createRequire as topLevelCreateRequire } from 'node:module';";
    expect(read('index.mjs').slice(0, banner.length)).toBe(banner);
  });

  it('exports the handler', () => {
    // The minified module's export statement, e.g. `export{qt as handler};` (legal comments follow it).
    const exported = [...read('index.mjs').matchAll(/export\s*\{([^}]*)\}/g)].flatMap((match) =>
      (match[1] ?? '').split(',').map((name) =>
        name
          .trim()
          .split(/\s+as\s+/)
          .pop(),
      ),
    );
    expect(exported).toContain('handler');
  });

  it('leaves @cloud-copilot (the local simulator and its IAM data) out: the function uses the AWS simulator', () => {
    const sources = (JSON.parse(read('index.mjs.map')) as { sources: string[] }).sources;
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => source.includes('@cloud-copilot'))).toEqual([]);
  });

  it('is at most 1.5 MB zipped', () => {
    // Deflate at zip's highest level, file by file, as the asset zip is built.
    const zipped = fs
      .readdirSync(assetDir)
      .reduce(
        (total, file) =>
          total + zlib.deflateRawSync(fs.readFileSync(path.join(assetDir, file)), { level: 9 }).length,
        0,
      );
    expect(zipped).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
  });
});
