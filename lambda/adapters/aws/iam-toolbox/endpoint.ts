/**
 * IAM Toolbox's endpoint for a region, as its published rule set resolves it without FIPS or dual
 * stack: https://iam-toolbox.{Region}.{dnsSuffix}. The partitions' DNS suffixes are written out here:
 * the SDK's partition table lives in @aws-sdk/core, which is not a dependency of this project.
 */
import { isRegionName } from '../../../core/denial/authorization-tail';
import { partitionForRegion } from '../../../core/iam/arn';
import { endpointFromEnv } from '../endpoint-from-env';

const DNS_SUFFIXES: Readonly<Record<string, string>> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
  'aws-iso-e': 'cloud.adc-e.uk',
};

/** The endpoint of `region`, or null when `region` is not a region's name (it becomes a hostname). */
export function iamToolboxEndpoint(region: string): URL | null {
  if (!isRegionName(region)) return null;
  const suffix = DNS_SUFFIXES[partitionForRegion(region)] ?? 'amazonaws.com';
  return new URL(`https://iam-toolbox.${region}.${suffix}`);
}

/**
 * An endpoint set in the environment as AWS's SDKs read it: AWS_ENDPOINT_URL_IAM_TOOLBOX (from the
 * model's serviceId 'IAM Toolbox'), else AWS_ENDPOINT_URL; undefined when neither is set, or not a URL.
 */
export function iamToolboxEndpointFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): URL | undefined {
  return endpointFromEnv(env, 'AWS_ENDPOINT_URL_IAM_TOOLBOX');
}
