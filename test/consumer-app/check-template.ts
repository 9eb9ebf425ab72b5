/**
 * The consumer app's checks (.ci/run, after its synth): the same security properties as the ready
 * app's template (test/lib/support/security-properties.ts), and the four functions built from the
 * package's pre-bundled code. Prints one line per problem; exit 1 when there is any.
 *
 *   tsx test/consumer-app/check-template.ts <consumer cdk.out> <stack name>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { securityViolations, type CfnTemplate } from '../lib/support/security-properties';

const [assemblyDir, stackName] = process.argv.slice(2);
if (assemblyDir === undefined || stackName === undefined) {
  process.stderr.write('usage: check-template.ts <cdk.out> <stack name>\n');
  process.exit(2);
}
const template = JSON.parse(
  fs.readFileSync(path.join(assemblyDir, `${stackName}.template.json`), 'utf8'),
) as CfnTemplate;
const problems = securityViolations(template);

const functions = Object.entries(template.Resources).filter(
  ([, resource]) => resource.Type === 'AWS::Lambda::Function',
);
if (functions.length !== 4) problems.push(`${functions.length} functions, expected 4`);
for (const [id, resource] of functions) {
  const s3Key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const assetDir =
    typeof s3Key === 'string' ? path.join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`) : '';
  const bundle = path.join(assetDir, 'index.mjs');
  if (!fs.existsSync(bundle)) problems.push(`${id}: no pre-bundled index.mjs in its asset (${assetDir})`);
  else if (
    !/export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/.test(fs.readFileSync(bundle, 'utf8'))
  ) {
    problems.push(`${id}: its index.mjs exports no handler`);
  }
  if (resource.Properties?.Handler !== 'index.handler') problems.push(`${id}: handler is not index.handler`);
}

for (const problem of problems) process.stdout.write(`${problem}\n`);
process.stdout.write(
  problems.length === 0
    ? `consumer app: ${stackName} has every security property; ${functions.length} functions from the pre-bundled code\n`
    : `consumer app: ${problems.length} problem(s)\n`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
