/**
 * Pre-bundles the four functions for the package: `dist/functions/<name>/index.mjs` (+ its source map).
 * The bundles are made by the same NodejsFunction (and BUNDLING options) a synth in this repository
 * uses, by synthesizing one PassRoleRemediation and copying each function's asset, so the package
 * ships exactly the code the repository's synth would deploy. Run by `npm run build:package`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  HANDLER_NAMES,
  PROJECT_ROOT,
  PREBUNDLED_FILE,
  type HandlerName,
} from '../lib/constructs/handler-function';
import { PassRoleRemediation } from '../lib/passrole-remediation';

const OUT_DIR = path.join(PROJECT_ROOT, 'dist', 'functions');

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'passrole-doctor-functions-'));
try {
  const app = new App({ outdir });
  const stack = new Stack(app, 'PassRoleDoctorFunctions');
  const remediation = new PassRoleRemediation(stack, 'PassRoleRemediation');
  const functions: Record<HandlerName, lambda.Function> = {
    diagnose: remediation.function,
    approval: remediation.approvalFunction,
    apply: remediation.applyFunction,
    reconcile: remediation.reconciler.function,
  };
  app.synth();
  const template = JSON.parse(
    fs.readFileSync(path.join(outdir, `${stack.stackName}.template.json`), 'utf8'),
  ) as { Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }> };
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  for (const name of HANDLER_NAMES) {
    const logicalId = stack.getLogicalId(functions[name].node.defaultChild as CfnElement);
    const s3Key = template.Resources[logicalId]?.Properties.Code?.S3Key;
    if (s3Key === undefined) throw new Error(`the ${name} function has no asset in the template`);
    const assetDir = path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    if (!fs.existsSync(path.join(assetDir, PREBUNDLED_FILE))) {
      throw new Error(`the ${name} function's asset has no ${PREBUNDLED_FILE}: ${assetDir}`);
    }
    fs.cpSync(assetDir, path.join(OUT_DIR, name), { recursive: true });
  }
  process.stdout.write(
    `pre-bundled ${HANDLER_NAMES.join(', ')} into ${path.relative(PROJECT_ROOT, OUT_DIR)}\n`,
  );
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
