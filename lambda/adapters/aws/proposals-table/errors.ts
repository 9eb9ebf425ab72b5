/**
 * How a failed proposals-table call is classified: worth retrying (TransientAwsError) or not
 * (AwsCallError). A failed condition is not an error here: conditional-write.ts returns it as a value.
 */
import { AwsCallError, TransientAwsError } from '../../../core/errors';
import { isTransientAwsFailure } from '../aws-errors';

const DYNAMODB_TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'InternalServerError',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ServiceUnavailable',
]);

/** Cancellation reason codes worth retrying (the transaction met another, or throttling). */
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

export function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

export function isTransactionCancelled(error: unknown): boolean {
  return errorName(error) === 'TransactionCanceledException';
}

/** The product's error for a failed call; `action` names the call, e.g. 'dynamodb:GetItem (proposal)'. */
export function storeError(error: unknown, action: string): Error {
  const name = errorName(error);
  const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
  if (isTransientAwsFailure(error) || DYNAMODB_TRANSIENT_ERRORS.has(name)) {
    return new TransientAwsError(`${action} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  return new AwsCallError(`${action} failed (${name}${detail})`, { cause: error });
}

/** One reason per item of a cancelled transaction, in the transaction's order. */
export interface CancellationReason {
  Code?: string;
  Item?: unknown;
}

export function cancellationReasons(error: unknown): CancellationReason[] {
  if (typeof error !== 'object' || error === null) return [];
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as CancellationReason[]) : [];
}

/** A transaction cancelled for no failed condition: retrying when the reasons say so. */
export function cancelledTransactionError(error: unknown, action: string): Error {
  const codes = cancellationReasons(error).map((reason) => reason.Code ?? 'None');
  if (codes.some((code) => TRANSIENT_CANCELLATION_CODES.has(code))) {
    return new TransientAwsError(`${action} cancelled, worth retrying later (${codes.join(', ')})`, {
      cause: error,
    });
  }
  return new AwsCallError(`${action} cancelled (${codes.join(', ')})`, { cause: error });
}
