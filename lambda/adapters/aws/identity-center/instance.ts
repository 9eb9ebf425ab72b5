/**
 * Which Identity Center instance the adapters read: the configured ARN (IDENTITY_CENTER_INSTANCE_ARN),
 * else the account's instance from ListInstances (an account holds at most one). The identity store
 * id comes from the same answer: identitystore's calls need it.
 */
import { paginateListInstances, type InstanceMetadata, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentityCenterError } from '../../../core/errors';
import { collectPages } from './errors';

export interface IdentityCenterInstance {
  instanceArn: string;
  identityStoreId: string;
}

const OPERATION = 'sso:ListInstances';

export async function locateInstance(
  ssoAdmin: SSOAdminClient,
  configuredArn: string | undefined,
): Promise<IdentityCenterInstance> {
  const instances = await collectPages(
    paginateListInstances({ client: ssoAdmin }, {}),
    (page) => page.Instances,
    OPERATION,
    'the account',
  );
  const usable = (instance: InstanceMetadata) =>
    instance.Status === undefined || instance.Status === 'ACTIVE';
  const found =
    configuredArn === undefined
      ? instances.find(usable)
      : instances.find((instance) => instance.InstanceArn === configuredArn);
  if (found === undefined) {
    const what = configuredArn === undefined ? 'no active instance' : `no instance ${configuredArn}`;
    throw new IdentityCenterError(
      `${OPERATION}: Identity Center lists ${what} in this account and region (check IDENTITY_CENTER_REGION and IDENTITY_CENTER_ACCOUNT_ID)`,
      OPERATION,
      'no-instance',
    );
  }
  if (found.InstanceArn === undefined || found.IdentityStoreId === undefined) {
    throw new IdentityCenterError(
      `${OPERATION} answered an instance without its InstanceArn or IdentityStoreId`,
      OPERATION,
      'malformed',
    );
  }
  return { instanceArn: found.InstanceArn, identityStoreId: found.IdentityStoreId };
}
