/**
 * AWS Organizations' endpoint: one per partition, each signed in its own region (the service is
 * global). Written out here for the same reason as iam-toolbox/endpoint.ts: the SDK's partition table
 * lives in packages this project does not depend on.
 */
import { partitionForRegion } from '../../../core/iam/arn';
import { endpointFromEnv } from '../endpoint-from-env';

export interface OrganizationsEndpoint {
  url: URL;
  /** The region SigV4 signs with. */
  signingRegion: string;
}

const BY_PARTITION: Readonly<Record<string, OrganizationsEndpoint>> = {
  aws: { url: new URL('https://organizations.us-east-1.amazonaws.com'), signingRegion: 'us-east-1' },
  'aws-cn': {
    url: new URL('https://organizations.cn-northwest-1.amazonaws.com.cn'),
    signingRegion: 'cn-northwest-1',
  },
  'aws-us-gov': {
    url: new URL('https://organizations.us-gov-west-1.amazonaws.com'),
    signingRegion: 'us-gov-west-1',
  },
};

/** The endpoint for the partition of `region` (the function's own); null where none is published. */
export function organizationsEndpoint(region: string): OrganizationsEndpoint | null {
  return BY_PARTITION[partitionForRegion(region)] ?? null;
}

/**
 * An endpoint set in the environment as AWS's SDKs read it: AWS_ENDPOINT_URL_ORGANIZATIONS (from the
 * model's serviceId 'Organizations'), else AWS_ENDPOINT_URL; undefined when neither is a URL.
 */
export function organizationsEndpointFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): URL | undefined {
  return endpointFromEnv(env, 'AWS_ENDPOINT_URL_ORGANIZATIONS');
}
