import { AwsCallError, TransientAwsError } from '../../core/errors';
import { isTransientAwsFailure } from './aws-errors';

/** A KMS call's failure as the product's errors: throttling and 5xx are worth retrying, the rest not. */
export function kmsFailure(operation: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
  if (
    isTransientAwsFailure(error) ||
    name === 'KMSThrottlingException' ||
    name === 'DependencyTimeoutException'
  ) {
    return new TransientAwsError(`kms:${operation} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  return new AwsCallError(`kms:${operation} failed (${name}${detail})`, { cause: error });
}
