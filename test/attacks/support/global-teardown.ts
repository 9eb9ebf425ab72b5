/**
 * Jest globalTeardown of the attack suite: stops moto, then prints the one summary line, added up
 * from every case's recorded result (after Jest's own report, so it is the run's last line).
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import integrationTeardown from '../../integration/support/global-teardown';
import { readSummary, RESULTS_FILE_VARIABLE, summaryLine } from './attack-results';

export default async function globalTeardown(): Promise<void> {
  await integrationTeardown();
  const file = process.env[RESULTS_FILE_VARIABLE];
  if (file === undefined) return;
  process.stdout.write(`${summaryLine(readSummary(file))}\n`);
  rmSync(dirname(file), { recursive: true, force: true });
}
