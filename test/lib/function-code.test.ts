/**
 * Where a function's code comes from: the handler's source in this repository, the pre-bundled asset
 * in the installed package (which carries no sources), and one clear error when neither is there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  createHandlerFunction,
  functionCode,
  handlerEntry,
  prebundledDirectory,
  PREBUNDLED_FILE,
  type FunctionCode,
} from '../../lib/constructs/handler-function';
import { InvalidInputError } from '../../lambda/core/errors';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A package-like directory: `source` writes the handler's entry, `prebundled` its bundle. */
function projectRoot(files: { source?: boolean; prebundled?: boolean }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passrole-doctor-code-'));
  roots.push(root);
  if (files.source === true) {
    fs.mkdirSync(path.dirname(handlerEntry('diagnose', root)), { recursive: true });
    fs.writeFileSync(handlerEntry('diagnose', root), 'export const handler = async () => undefined;\n');
  }
  if (files.prebundled === true) {
    fs.mkdirSync(prebundledDirectory('diagnose', root), { recursive: true });
    fs.writeFileSync(
      path.join(prebundledDirectory('diagnose', root), PREBUNDLED_FILE),
      'export const handler = async () => undefined;\n',
    );
  }
  return root;
}

describe('functionCode', () => {
  it('bundles the source where it exists (this repository), even beside a bundle', () => {
    const root = projectRoot({ source: true, prebundled: true });
    expect(functionCode('diagnose', undefined, root)).toEqual({
      kind: 'source',
      entry: path.join(root, 'lambda', 'handlers', 'diagnose', 'index.ts'),
    });
  });

  it('uses the pre-bundled asset where there is no source (the installed package)', () => {
    const root = projectRoot({ prebundled: true });
    expect(functionCode('diagnose', undefined, root)).toEqual({
      kind: 'prebundled',
      directory: path.join(root, 'functions', 'diagnose'),
    });
  });

  it('takes a given entry as source', () => {
    const root = projectRoot({ prebundled: true });
    expect(functionCode('diagnose', '/elsewhere/handler.ts', root)).toEqual({
      kind: 'source',
      entry: '/elsewhere/handler.ts',
    });
  });

  it('names both places when neither is there', () => {
    const root = projectRoot({});
    expect(() => functionCode('diagnose', undefined, root)).toThrow(InvalidInputError);
    expect(() => functionCode('diagnose', undefined, root)).toThrow(
      `the diagnose function's code is missing: neither ${path.join(root, 'lambda', 'handlers', 'diagnose', 'index.ts')} ` +
        `nor ${path.join(root, 'functions', 'diagnose', 'index.mjs')} exists (build the package with npm run build:package)`,
    );
  });

  it('finds this repository’s sources by default', () => {
    expect(functionCode('apply')).toEqual({ kind: 'source', entry: handlerEntry('apply') });
  });
});

describe('a function from the pre-bundled asset', () => {
  const functionProperties = (code: FunctionCode) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Functions');
    createHandlerFunction(stack, {
      description: 'test',
      roleDescription: 'test',
      code,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { SETTING: 'value' },
    });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const [properties] = Object.values(functions).map(
      (resource) => (resource as { Properties: Record<string, unknown> }).Properties,
    );
    return properties as Record<string, unknown>;
  };

  it('is the same function as the bundled source but for its code: index.mjs exporting handler', () => {
    const root = projectRoot({ prebundled: true });
    const { Code: sourceCode, ...fromSource } = functionProperties({
      kind: 'source',
      entry: handlerEntry('diagnose'),
    });
    const { Code: prebundledCode, ...fromBundle } = functionProperties({
      kind: 'prebundled',
      directory: prebundledDirectory('diagnose', root),
    });
    expect(fromBundle).toEqual(fromSource);
    expect(fromBundle).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    expect(prebundledCode).toEqual({ S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) });
    expect(sourceCode).toEqual({ S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) });
  });
});
