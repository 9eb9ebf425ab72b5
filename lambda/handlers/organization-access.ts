/**
 * The hub functions' AccountAccess in organization mode, built once per container by each index.ts
 * (diagnose, approval, apply, reconcile): the member sessions' clients get the functions' own HTTP
 * settings (and IAM's adaptive retries), the member's CloudTrail names the hub function as the
 * session (RoleSessionName = its fixed role name), and the partition is the hub region's.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { MemberAccountAccess } from '../adapters/aws/organization/member-account-access';
import { partitionForRegion } from '../core/iam/arn';
import type { OrganizationReader } from '../ports/organization-reader';
import { HUB_ROLE_NAMES } from '../settings/organization';
import { IAM_REQUEST_HANDLER, REQUEST_HANDLER } from './client-settings';

export interface HubAccountAccessOptions {
  /** The function's own STS client (built once, traced): it assumes the member roles. */
  sts: STSClient;
  hubFunction: keyof typeof HUB_ROLE_NAMES;
  /** ORGANIZATION_ENV's externalId (MEMBER_EXTERNAL_ID). */
  externalId: string;
  /** The hub's region (AWS_REGION): the member clients' region and the partition of the role ARNs. */
  region: string;
  /** Diagnose and approval: the SCPs in force reach the escalation analysis. */
  organization?: OrganizationReader;
  /** Wraps each member client as the function wraps its own (tracer.captureAWSv3Client). */
  capture?: <Client>(client: Client) => Client;
}

export function hubAccountAccess(options: HubAccountAccessOptions): MemberAccountAccess {
  const capture = options.capture ?? (<Client>(client: Client) => client);
  return new MemberAccountAccess({
    sts: options.sts,
    partition: partitionForRegion(options.region),
    externalId: options.externalId,
    roleSessionName: HUB_ROLE_NAMES[options.hubFunction],
    clients: {
      // IAM's API rate limits are low: adaptive retries back off on throttling (as the functions' own).
      iam: (credentials) =>
        capture(
          new IAMClient({
            region: options.region,
            credentials,
            maxAttempts: 6,
            retryMode: 'adaptive',
            requestHandler: IAM_REQUEST_HANDLER,
          }),
        ),
      sts: (credentials) =>
        capture(new STSClient({ region: options.region, credentials, requestHandler: REQUEST_HANDLER })),
    },
    ...(options.organization !== undefined ? { organization: options.organization } : {}),
  });
}
