/**
 * The lines the CLI's quiet text output adds about what it did not show: records that are not
 * iam:PassRole denials (counted by the reader's code, the words scripts filter on in --json), and
 * input that holds no record at all.
 */
import type { NotApplicableCode } from '../denial';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** 'Not shown: 200 records that are not iam:PassRole denials (198 not-an-error, 2 not-passrole); ...' */
export function notShownLine(counts: ReadonlyMap<NotApplicableCode, number>): string {
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const byCode = [...counts.entries()]
    .sort(([codeA, countA], [codeB, countB]) => countB - countA || codeA.localeCompare(codeB))
    .map(([code, count]) => `${count} ${code}`)
    .join(', ');
  const records = plural(
    total,
    'record that is not an iam:PassRole denial',
    'records that are not iam:PassRole denials',
  );
  return `Not shown: ${records} (${byCode}); --all shows each with its reason.`;
}

/** For input that is a collection with nothing in it, e.g. {"Records": []}. */
export function noRecordsLine(where: string): string {
  return `${where}: no CloudTrail records in it: nothing to diagnose`;
}
