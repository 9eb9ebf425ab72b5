/** How large a denial may be: what a real CloudTrail record yields, and what its proposal can store. */
import type { Denial } from '../model';

/** No IAM or STS ARN, name or ID is longer (a role ARN, path included, stays under 700). */
export const MAX_DENIAL_FIELD_CHARS = 2_048;
/**
 * A real record's denial takes about 1 KB. It is stored with its proposal, whose diagnosis quotes its
 * names again: bounded here, the proposal stays far under DynamoDB's 400 KB item limit.
 */
export const MAX_DENIAL_BYTES = 32 * 1024;

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Why the denial is too large to be a real record's (and to be stored), or null when it is not. */
export function oversizedDenialProblem(denial: Denial): string | null {
  const { notes: _notes, context, messageCause, ...fields } = denial;
  const named: [string, unknown][] = [
    ...Object.entries(fields),
    ['messageCause.policyArn', messageCause.policyArn],
    ...Object.entries(context).map(([key, value]): [string, unknown] => [`context ${key}`, value]),
  ];
  for (const [name, value] of named) {
    if (typeof value === 'string' && value.length > MAX_DENIAL_FIELD_CHARS) {
      return `an iam:PassRole denial whose ${name} is ${value.length} characters long, over the ${MAX_DENIAL_FIELD_CHARS} any CloudTrail record holds`;
    }
  }
  const bytes = utf8Bytes(JSON.stringify(denial));
  if (bytes > MAX_DENIAL_BYTES) {
    const noteBytes = utf8Bytes(JSON.stringify(denial.notes));
    return `an iam:PassRole denial that takes ${Math.ceil(bytes / 1024)} KB (its notes ${Math.ceil(noteBytes / 1024)} KB): over the ${MAX_DENIAL_BYTES / 1024} KB any CloudTrail record yields`;
  }
  return null;
}
