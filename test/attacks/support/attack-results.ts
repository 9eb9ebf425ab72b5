/**
 * The suite's tally. Each attack case records its result here as it runs; Jest gives every test file
 * its own module registry, so the results go to a file (named by globalSetup in ATTACK_RESULTS_FILE,
 * one JSON line per case) and globalTeardown adds them up into the summary line.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface AttackResult {
  /** Which part of the suite: 'resource-policies' or 'handlers'. */
  part: string;
  name: string;
  /** The attack got something it must not: an access, an approval, a decision it may not make. */
  escalated: boolean;
  /** A forged or unauthorized decision led to an IAM write. */
  forgedApplied: boolean;
}

export const RESULTS_FILE_VARIABLE = 'ATTACK_RESULTS_FILE';

export function recordAttack(result: AttackResult): void {
  const file = process.env[RESULTS_FILE_VARIABLE];
  if (file === undefined || file === '') {
    throw new Error(
      `${RESULTS_FILE_VARIABLE} is not set: run the attack suite with \`npm run test:attacks\``,
    );
  }
  appendFileSync(file, `${JSON.stringify(result)}\n`);
}

export interface AttackSummary {
  tried: number;
  escalations: number;
  forgedApplied: number;
}

export function readSummary(file: string): AttackSummary {
  const lines = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
  const results = lines.map((line) => JSON.parse(line) as AttackResult);
  return {
    tried: results.length,
    escalations: results.filter((result) => result.escalated).length,
    forgedApplied: results.filter((result) => result.forgedApplied).length,
  };
}

export function summaryLine(summary: AttackSummary): string {
  return `attacks tried ${summary.tried}, escalations ${summary.escalations}, forged decisions applied ${summary.forgedApplied}`;
}
