/**
 * Organization mode's AccountAccess for the approval and apply functions: MemberAccountAccess
 * (lambda/adapters/aws/organization/member-account-access.ts, branch `sessions`) assumes each
 * member's read role (approval) or apply role with the approver as SourceIdentity (apply), with the
 * external id. It is built on another branch of issue 13 and replaces this body at merge; until then
 * every use rejects, so an organization-mode approval is not approvable and an apply is retried,
 * never read or written with the hub's own identity.
 */
import { PassRoleDoctorError } from '../core/errors';
import type { AccountAccess } from '../ports/account-access';

export interface MemberAccessSettings {
  /** sts:ExternalId the member roles require. */
  externalId: string;
}

class NotWiredError extends PassRoleDoctorError {}

const notWired = (): Promise<never> =>
  Promise.reject(new NotWiredError('MemberAccountAccess is not wired into this build'));

export function memberAccountAccess(_settings: MemberAccessSettings): AccountAccess {
  return { read: notWired, write: notWired };
}
