/**
 * LOCAL SHIM, to be replaced at merge by the SDK adapters of adapters/aws/identity-center/
 * (SsoAdminIdentityCenterReader / SsoAdminIdentityCenterWriter, built on the clients given here).
 * Until then every call is refused with AwsCallError: a permission set stays advice only, and
 * separation of duties refuses an Identity Center approver whose assignment it cannot read (the
 * safe side), rather than this branch writing a second sso-admin reader.
 */
import { AwsCallError } from '../core/errors';
import type { IdentityCenterReader, IdentityCenterWriter } from '../ports/identity-center';
import type { IdentityCenterAdapters } from './identity-center-access';

const unavailable = (): Promise<never> =>
  Promise.reject(new AwsCallError('the Identity Center SDK adapter is not part of this build'));

const reader: IdentityCenterReader = {
  permissionSet: unavailable,
  definition: unavailable,
  provisionedAccounts: unavailable,
  assignments: unavailable,
  userMemberships: unavailable,
  provisioningStatus: unavailable,
};

const writer: IdentityCenterWriter = { putInlinePolicy: unavailable, provision: unavailable };

export const SDK_IDENTITY_CENTER_ADAPTERS: IdentityCenterAdapters = {
  reader: () => reader,
  writer: () => writer,
};
