/**
 * The account fields of a delivery, as organization mode's admission compares them: the EventBridge
 * envelope's `account` and the CloudTrail record's `recipientAccountId` and `userIdentity.accountId`.
 * Read apart from the denial (which keeps one account) so a disagreement is seen, not resolved.
 */
import type { DenialAccountFields } from '../organization/model';
import { describeType, isJsonObject, objectField } from './json';

/**
 * A field's value: null when absent (or empty), the text when a string, and for any other type a
 * marker that no account id equals, so a malformed field disagrees instead of passing as absent.
 */
function accountField(object: Readonly<Record<string, unknown>> | null, key: string): string | null {
  if (object === null || !(key in object)) return null;
  const value = object[key];
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'string' ? value : `(${describeType(value)})`;
}

/** The envelope's account when the input is an EventBridge event; null for a record or a log file. */
export function envelopeAccountOf(input: unknown): string | null {
  if (!isJsonObject(input) || !('detail-type' in input)) return null;
  return accountField(input, 'account');
}

export function accountFieldsOf(envelopeAccount: string | null, record: unknown): DenialAccountFields {
  const object = isJsonObject(record) ? record : null;
  return {
    envelopeAccount,
    recipientAccountId: accountField(object, 'recipientAccountId'),
    userIdentityAccountId: accountField(
      object === null ? null : objectField(object, 'userIdentity'),
      'accountId',
    ),
  };
}
