/**
 * cdk.json's `context`: the settings' defaults and the feature flags. bin/app.ts starts from it so
 * that running the app directly (`CDK_OUTDIR=cdk.out tsx bin/app.ts`) synthesizes what `cdk synth`
 * (and `npm run synth`) does; context the CLI passes (cdk.json again, plus `-c` values) still takes
 * precedence.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../lambda/core/errors';

export const CDK_JSON_PATH = path.resolve(__dirname, '..', 'cdk.json');

export function readCdkJsonContext(cdkJsonPath: string = CDK_JSON_PATH): Record<string, unknown> {
  let cdkJson: unknown;
  try {
    cdkJson = JSON.parse(fs.readFileSync(cdkJsonPath, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(`cannot read ${cdkJsonPath} as JSON`, cdkJsonPath, { cause });
  }
  const context = (cdkJson as { context?: unknown } | null)?.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new InvalidInputError('cdk.json has no "context" object', cdkJsonPath);
  }
  return context as Record<string, unknown>;
}
