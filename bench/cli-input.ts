/**
 * What `diagnose --event` costs before any diagnosis: reading a directory of CloudTrail's .json.gz log
 * files (S3's layout), and the same records as JSON lines, down to the reader's outcomes. Records are
 * the seed's, as successful calls (what most of a real log is), so no diagnosis runs: the figure is the
 * input path alone. Run on its own: `npx tsx bench/cli-input.ts`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readDenials } from '../lambda/core/denial';
import { openEventInput } from '../lambda/handlers/cli/input/read-input';
import { printBenchLines } from './support';

const FILES = 20;
const RECORDS_PER_FILE = 2_500;

async function timeRead(path: string): Promise<{ ms: number; records: number }> {
  const start = performance.now();
  const input = await openEventInput(path);
  let records = 0;
  for await (const part of input.parts()) {
    for (const document of part) {
      if (document.kind === 'document') records += readDenials(document.value, document.where).length;
    }
  }
  return { ms: performance.now() - start, records };
}

export async function runCliInputBench(): Promise<string[]> {
  const seed = JSON.parse(readFileSync(join(__dirname, '..', 'examples/seed/denial.json'), 'utf8')) as object;
  const scratch = mkdtempSync(join(tmpdir(), 'prd-bench-input-'));
  try {
    const day = join(scratch, 'AWSLogs/123456789012/CloudTrail/ap-northeast-1/2026/06/17');
    mkdirSync(day, { recursive: true });
    let jsonBytes = 0;
    let gzipBytes = 0;
    const lines: string[] = [];
    for (let file = 0; file < FILES; file++) {
      const records = Array.from({ length: RECORDS_PER_FILE }, (_unused, index) => ({
        ...seed,
        eventID: `bench-${file}-${index}`,
        errorCode: undefined,
        errorMessage: undefined,
      }));
      const json = JSON.stringify({ Records: records });
      const gzip = gzipSync(json);
      jsonBytes += json.length;
      gzipBytes += gzip.length;
      writeFileSync(join(day, `123456789012_CloudTrail_ap-northeast-1_${file}.json.gz`), gzip);
      for (const record of records) lines.push(JSON.stringify(record));
    }
    const jsonl = join(scratch, 'records.jsonl');
    writeFileSync(jsonl, `${lines.join('\n')}\n`);
    const directory = await timeRead(join(scratch, 'AWSLogs'));
    const jsonLines = await timeRead(jsonl);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const rate = (run: { ms: number; records: number }) => Math.round(run.records / (run.ms / 1000));
    return [
      `CLI input, a directory of ${FILES} .json.gz log files (${directory.records} records, ${mib(gzipBytes)} MiB gzip, ${mib(jsonBytes)} MiB JSON): ${directory.ms.toFixed(0)} ms, ${rate(directory)} records/s (read file by file)`,
      `CLI input, the same records as JSON lines: ${jsonLines.ms.toFixed(0)} ms, ${rate(jsonLines)} records/s`,
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) printBenchLines(runCliInputBench);
