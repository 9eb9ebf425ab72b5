/**
 * The two SDK clients the Identity Center adapters take, for the instance's region, built once per
 * container. AWS_ENDPOINT_URL_SSO_ADMIN / AWS_ENDPOINT_URL_IDENTITYSTORE (or AWS_ENDPOINT_URL) point
 * them at an emulator: the SDK reads those itself.
 */
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { REQUEST_HANDLER } from './client-settings';

export interface IdentityCenterClients {
  ssoAdmin: SSOAdminClient;
  identityStore: IdentitystoreClient;
}

export function identityCenterClients(
  region: string,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): IdentityCenterClients {
  const common = {
    region,
    requestHandler: REQUEST_HANDLER,
    ...(credentials === undefined ? {} : { credentials }),
  };
  return { ssoAdmin: new SSOAdminClient(common), identityStore: new IdentitystoreClient(common) };
}
