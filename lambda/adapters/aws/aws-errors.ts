/**
 * How a failed AWS call becomes the product's error: transient (throttling, 5xx, network: retry the
 * record later) or for good (access denied names the IAM permission the call needs).
 */
import { AwsCallError, TransientAwsError } from '../../core/errors';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const ACCESS_DENIED_ERRORS = new Set(['AccessDenied', 'AccessDeniedException']);

function errorShape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

export function isNoSuchEntity(error: unknown): boolean {
  const name = errorShape(error).name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

/** Throttling, 5xx and network failures are worth retrying later; anything else fails for good. */
export function isTransientAwsFailure(error: unknown): boolean {
  const shape = errorShape(error);
  const status = shape.$metadata?.httpStatusCode;
  return (
    (typeof shape.name === 'string' &&
      (THROTTLING_ERRORS.has(shape.name) || TIMEOUT_ERRORS.has(shape.name))) ||
    (typeof shape.code === 'string' && NETWORK_ERRORS.has(shape.code)) ||
    shape.$retryable?.throttling === true ||
    shape.$fault === 'server' ||
    status === 429 ||
    (typeof status === 'number' && status >= 500)
  );
}

/** The product's error for a failed IAM call; `action` is the IAM permission the call needs. */
export function awsError(error: unknown, action: string): Error {
  const shape = errorShape(error);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? `: ${shape.message}` : '';
  if (isTransientAwsFailure(error)) {
    return new TransientAwsError(`${action} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  if (ACCESS_DENIED_ERRORS.has(name)) {
    return new AwsCallError(`Access denied: the reader needs ${action} (${name}${detail})`, { cause: error });
  }
  return new AwsCallError(`${action} failed (${name}${detail})`, { cause: error });
}
