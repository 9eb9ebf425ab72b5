/**
 * Organization mode's two AWS adapters for the diagnose function, in one place. The real ones are
 * built on other branches of issue 13 and replace these bodies at merge:
 *   - organizationReader(): `OrganizationsReader.fromEnvironment(process.env)`
 *     (lambda/adapters/aws/organizations-reader.ts, branch `orgreader`);
 *   - memberAccountAccess(): `hubAccountAccess({ sts, hubFunction: 'diagnose', externalId, region:
 *     AWS_REGION, organization, capture: tracer.captureAWSv3Client })` (lambda/handlers/
 *     organization-access.ts over MemberAccountAccess, branch `sessions`). Its SCP levels and the
 *     handler's (account-diagnoser.ts) are the same reader's, cached: either may be left out.
 * Until then each use rejects: an organization-mode record fails and goes back to SQS (then to the
 * dead-letter queue), never acknowledged unread and never read with the hub's own identity.
 */
import { PassRoleDoctorError } from '../../core/errors';
import type { AccountAccess } from '../../ports/account-access';
import type { OrganizationReader } from '../../ports/organization-reader';

export interface OrganizationAdapterSettings {
  /** sts:ExternalId the member roles require. */
  externalId: string;
}

class NotWiredError extends PassRoleDoctorError {}

const notWired = (what: string) => (): Promise<never> =>
  Promise.reject(new NotWiredError(`${what} is not wired into this build of the diagnose function`));

export function organizationReader(): OrganizationReader {
  return {
    account: notWired('OrganizationsReader'),
    serviceControlPolicies: notWired('OrganizationsReader'),
  };
}

export function memberAccountAccess(
  _settings: OrganizationAdapterSettings,
  _organization: OrganizationReader,
): AccountAccess {
  return { read: notWired('MemberAccountAccess'), write: notWired('MemberAccountAccess') };
}
