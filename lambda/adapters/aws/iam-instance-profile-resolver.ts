/**
 * InstanceProfileResolver on IAM: one GetInstanceProfile per lookup, nothing cached (a profile's role
 * can change between two incidents). The reader reads its own account: a profile of another account
 * is not found here rather than confused with one of the same name.
 */
import { GetInstanceProfileCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import { parseInstanceProfile } from '../../core/iam/arn';
import type { InstanceProfileResolver } from '../../ports/instance-profile-resolver';

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: unknown };
  $metadata?: { httpStatusCode?: unknown };
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** NoSuchEntity is the answer 'not-found'; throttling and 5xx are worth a retry; the rest fails for good. */
function failure(error: unknown): Error {
  const shape = shapeOf(error);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? `: ${shape.message}` : '';
  const status = shape.$metadata?.httpStatusCode;
  const transient =
    shape.$fault === 'server' ||
    shape.$retryable?.throttling === true ||
    name === 'Throttling' ||
    name === 'ThrottlingException' ||
    status === 429 ||
    (typeof status === 'number' && status >= 500);
  if (transient) {
    return new TransientAwsError(`iam:GetInstanceProfile failed, worth retrying later (${name}${detail})`, {
      cause: error,
    });
  }
  return new AwsCallError(`iam:GetInstanceProfile failed (${name}${detail})`, { cause: error });
}

export class IamInstanceProfileResolver implements InstanceProfileResolver {
  constructor(private readonly iam: Pick<IAMClient, 'send'>) {}

  async instanceProfileRole(accountId: string, profile: string): Promise<string | null | 'not-found'> {
    const wanted = parseInstanceProfile(profile);
    if (wanted === null || (wanted.account !== null && wanted.account !== accountId)) return 'not-found';
    let found;
    try {
      found = (await this.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: wanted.name })))
        .InstanceProfile;
    } catch (error) {
      const name = shapeOf(error).name;
      if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') return 'not-found';
      throw failure(error);
    }
    const foundArn = found?.Arn ?? '';
    if (found === undefined || parseInstanceProfile(foundArn)?.account !== accountId) return 'not-found';
    // An ARN also names the path: a profile of that name at another path is not the one the request passed.
    if (wanted.account !== null && foundArn.toLowerCase() !== profile.toLowerCase()) return 'not-found';
    return found.Roles?.[0]?.Arn ?? null;
  }
}
