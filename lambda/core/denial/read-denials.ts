/**
 * Reads CloudTrail input into iam:PassRole denials, or says why a record is not one (not-applicable) or
 * not a CloudTrail record at all (invalid). Pure: no AWS calls; EC2's encoded messages are decoded by
 * the caller (see encodedAuthorizationMessages) and handed in through ReadOptions.
 *
 * The steps: locate-records.ts finds the records, read-record.ts tells a denial from the rest,
 * build-denial.ts builds it, with passed-role.ts telling which role was passed.
 */
import type { DenialAccountFields } from '../organization/model';
import { accountFieldsOf, envelopeAccountOf } from './account-fields';
import { parseErrorMessage } from './error-message';
import { isJsonObject, stringField } from './json';
import { locateRecords } from './locate-records';
import type { ReadOptions, ReadOutcome } from './read-outcome';
import { isPassRole, readRecord } from './read-record';

export { NOT_APPLICABLE_CODES } from './read-outcome';
export type { NotApplicable, NotApplicableCode, ReadOptions, ReadOutcome } from './read-outcome';
export { MAX_DENIAL_BYTES, MAX_DENIAL_FIELD_CHARS } from './denial-bounds';
export { MAX_EVENT_ID_CHARS } from './record-shape';

/**
 * Accepts a raw CloudTrail record, an EventBridge envelope ({"detail-type":"AWS API Call via CloudTrail",
 * detail: record}), or a log file {"Records":[...]} (each record its own outcome). `where` prefixes
 * locations, e.g. 'denial.json' -> 'denial.json: Records[3]'. Never throws.
 */
export function readDenials(input: unknown, where: string, options: ReadOptions = {}): ReadOutcome[] {
  return readDeliveries(input, where, options).map((delivery) => delivery.outcome);
}

/** One record's outcome with the account fields of its delivery (organization mode's admission). */
export interface Delivery {
  outcome: ReadOutcome;
  accountFields: DenialAccountFields;
}

/** readDenials, each outcome with the envelope's account and its own record's account fields. */
export function readDeliveries(input: unknown, where: string, options: ReadOptions = {}): Delivery[] {
  const envelopeAccount = envelopeAccountOf(input);
  return locateRecords(input, where).map((located) =>
    located.kind === 'record'
      ? {
          outcome: readRecord(located.record, located.where, options),
          accountFields: accountFieldsOf(envelopeAccount, located.record),
        }
      : { outcome: located, accountFields: accountFieldsOf(envelopeAccount, null) },
  );
}

/**
 * The encoded authorization failure messages in the input that a caller may decode (best effort) before
 * reading: complete ones only (a blob cut at 1 KB cannot be decoded), and only where the plain message
 * does not already name another action than iam:PassRole. Each blob once, in input order.
 */
export function encodedAuthorizationMessages(input: unknown): string[] {
  const blobs: string[] = [];
  for (const located of locateRecords(input, '')) {
    if (located.kind !== 'record' || !isJsonObject(located.record)) continue;
    const message = stringField(located.record, 'errorMessage');
    if (message === null) continue;
    const parsed = parseErrorMessage(message);
    const worthDecoding = parsed.action === null || isPassRole(parsed.action);
    if (parsed.encoded?.complete === true && worthDecoding && !blobs.includes(parsed.encoded.blob)) {
      blobs.push(parsed.encoded.blob);
    }
  }
  return blobs;
}
