/**
 * How a failed sso-admin or identitystore call becomes the product's error: transient (throttling,
 * 5xx, network, and sso-admin's ConflictException, which the service documents as "retry with
 * backoff") becomes TransientAwsError; anything else an IdentityCenterError naming the IAM action.
 */
import { IdentityCenterError, PassRoleDoctorError, TransientAwsError } from '../../../core/errors';
import { isTransientAwsFailure } from '../aws-errors';

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
}

function errorShape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

export function isResourceNotFound(error: unknown): boolean {
  return errorShape(error).name === 'ResourceNotFoundException';
}

/**
 * The product's error for a failed call; `operation` is the IAM action it needs (`sso:...`,
 * `identitystore:...`). The product's own errors pass through unchanged.
 */
export function identityCenterError(error: unknown, operation: string, about: string): Error {
  if (error instanceof PassRoleDoctorError) return error;
  const shape = errorShape(error);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? `: ${shape.message}` : '';
  if (isTransientAwsFailure(error) || name === 'ConflictException') {
    return new TransientAwsError(`${operation} on ${about} failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  if (ACCESS_DENIED.has(name)) {
    return new IdentityCenterError(
      `Access denied: the Identity Center role needs ${operation} on ${about} (${name}${detail})`,
      operation,
      'access-denied',
      { cause: error },
    );
  }
  if (isResourceNotFound(error)) {
    return new IdentityCenterError(
      `${operation}: Identity Center has no ${about} (${name}${detail})`,
      operation,
      'not-found',
      { cause: error },
    );
  }
  return new IdentityCenterError(`${operation} on ${about} failed (${name}${detail})`, operation, 'failed', {
    cause: error,
  });
}

/** An answer missing what the service's model promises. */
export function malformedAnswer(operation: string, problem: string): IdentityCenterError {
  return new IdentityCenterError(`${operation} answered without ${problem}`, operation, 'malformed');
}

/** Pages of one listing; more is a service that does not stop. */
export const MAX_PAGES = 200;

/**
 * Every item of a paginated listing (the SDK's paginator), bounded by MAX_PAGES, failures mapped.
 */
export async function collectPages<Page, Item>(
  pages: AsyncIterable<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
  operation: string,
  about: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let count = 0;
  try {
    for await (const page of pages) {
      count += 1;
      if (count > MAX_PAGES) {
        throw new IdentityCenterError(
          `${operation} on ${about} gave more than ${MAX_PAGES} pages`,
          operation,
          'malformed',
        );
      }
      items.push(...(itemsOf(page) ?? []));
    }
  } catch (error) {
    throw identityCenterError(error, operation, about);
  }
  return items;
}

/**
 * `work` on every item, at most `limit` at a time, results in the items' order. Hand-written (a
 * dozen lines) rather than a dependency: sso-admin and identitystore throttle at a few dozen calls a
 * second, and a set assigned to hundreds of groups must not become hundreds of calls at once.
 */
export async function mapWithLimit<Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as Item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
