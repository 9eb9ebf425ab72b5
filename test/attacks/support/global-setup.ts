/**
 * Jest globalSetup of the attack suite: the integration suite's (credentials scrubbed, one moto_server
 * for the handler-level attacks), plus an empty file the cases record their results in.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import integrationSetup from '../../integration/support/global-setup';
import { RESULTS_FILE_VARIABLE } from './attack-results';

export default async function globalSetup(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'passrole-doctor-attacks-'));
  process.env[RESULTS_FILE_VARIABLE] = join(directory, 'results.jsonl');
  await integrationSetup();
}
