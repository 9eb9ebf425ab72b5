/** SimulatePrincipalPolicy's failures as the domain's errors: retry later, cannot simulate, or a failed call. */
import { AwsCallError, SimulationError, TransientAwsError } from '../../core/errors';

interface SdkError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const UNEVALUABLE = new Set([
  'InvalidInputException',
  'InvalidInput',
  'PolicyEvaluationException',
  'PolicyEvaluation',
  'MalformedPolicyDocumentException',
]);

export function toDomainError(error: unknown, policySourceArn: string): Error {
  const sdk: SdkError = typeof error === 'object' && error !== null ? error : {};
  const name = typeof sdk.name === 'string' ? sdk.name : 'Error';
  const detail = typeof sdk.message === 'string' && sdk.message !== '' ? `: ${sdk.message}` : '';
  const status = sdk.$metadata?.httpStatusCode;
  const options = { cause: error };

  if (
    THROTTLING.has(name) ||
    TIMEOUTS.has(name) ||
    (typeof sdk.code === 'string' && NETWORK.has(sdk.code)) ||
    sdk.$fault === 'server' ||
    status === 429 ||
    (typeof status === 'number' && status >= 500)
  ) {
    return new TransientAwsError(
      `SimulatePrincipalPolicy failed, worth retrying later (${name}${detail})`,
      options,
    );
  }
  if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') {
    return new SimulationError(
      `IAM has no entity ${policySourceArn} to simulate (${name}${detail})`,
      options,
    );
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new AwsCallError(
      `Access denied: simulating needs iam:SimulatePrincipalPolicy on ${policySourceArn} (${name}${detail})`,
      options,
    );
  }
  if (UNEVALUABLE.has(name)) {
    return new SimulationError(`IAM cannot evaluate the simulation (${name}${detail})`, options);
  }
  return new AwsCallError(`SimulatePrincipalPolicy failed (${name}${detail})`, options);
}
