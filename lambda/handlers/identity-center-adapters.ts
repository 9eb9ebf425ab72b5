/**
 * The SDK adapters the hub functions read and write Identity Center with, made from one session's
 * clients (identity-center-access.ts decides whose credentials those are).
 */
import { SsoAdminIdentityCenterReader } from '../adapters/aws/identity-center/sso-admin-reader';
import { SsoAdminIdentityCenterWriter } from '../adapters/aws/identity-center/sso-admin-writer';
import type { IdentityCenterAdapters } from './identity-center-access';

export const SDK_IDENTITY_CENTER_ADAPTERS: IdentityCenterAdapters = {
  reader: (clients) =>
    new SsoAdminIdentityCenterReader(
      clients.ssoAdmin,
      clients.identitystore,
      clients.instanceArn === null ? {} : { instanceArn: clients.instanceArn },
    ),
  writer: (clients) => new SsoAdminIdentityCenterWriter(clients.ssoAdmin),
};
