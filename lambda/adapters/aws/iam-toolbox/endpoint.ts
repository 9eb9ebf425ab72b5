/**
 * IAM Toolbox's endpoint for a region, as its published rule set resolves it without FIPS or dual
 * stack: https://iam-toolbox.{Region}.{dnsSuffix}. The partitions' DNS suffixes are written out here:
 * the SDK's partition table lives in @aws-sdk/core, which is not a dependency of this project.
 */
import { partitionForRegion } from '../../../core/iam/arn';

const DNS_SUFFIXES: Readonly<Record<string, string>> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
  'aws-iso-e': 'cloud.adc-e.uk',
};

/** A region's shape: the region becomes part of a hostname, so nothing else is let through. */
const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

export function isRegionName(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** The endpoint of `region`, or null when `region` is not a region's name. */
export function iamToolboxEndpoint(region: string): URL | null {
  if (!isRegionName(region)) return null;
  const suffix = DNS_SUFFIXES[partitionForRegion(region)] ?? 'amazonaws.com';
  return new URL(`https://iam-toolbox.${region}.${suffix}`);
}
