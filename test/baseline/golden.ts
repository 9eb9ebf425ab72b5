/**
 * Golden files for the behaviour pins: compared in every run, written only when UPDATE_BASELINE=1
 * (a deliberate, reviewed change; the diff of the golden file is the review).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const BASELINE_DIR = join(__dirname, '..', 'fixtures', 'baseline');
export const UPDATING = process.env['UPDATE_BASELINE'] === '1';

export function readGolden<T>(name: string): T {
  const path = join(BASELINE_DIR, name);
  if (!existsSync(path)) throw new Error(`no golden file ${path}: run with UPDATE_BASELINE=1 once`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function writeGolden(name: string, value: unknown): void {
  const path = join(BASELINE_DIR, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
