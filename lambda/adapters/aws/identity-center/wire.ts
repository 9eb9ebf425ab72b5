/**
 * sso-admin's answers turned into the model's values (core/identity-center/model.ts), checked
 * against what the service's published model promises.
 */
import type {
  CustomerManagedPolicyReference as SdkReference,
  PermissionSetProvisioningStatus,
  PermissionsBoundary as SdkBoundary,
  Tag,
} from '@aws-sdk/client-sso-admin';
import type {
  CustomerManagedPolicyReference,
  PermissionsBoundary,
  ProvisioningState,
  ProvisioningStatus,
} from '../../../core/identity-center/model';
import { malformedAnswer } from './errors';

const STATES: readonly ProvisioningState[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED'];

/** A provisioning request's status; `requested` fills what the answer may leave out. */
export function decodeProvisioningStatus(
  status: PermissionSetProvisioningStatus | undefined,
  operation: string,
  requested: { permissionSetArn: string; accountId?: string; requestId?: string },
): ProvisioningStatus {
  if (status === undefined) return malformed(operation, 'PermissionSetProvisioningStatus');
  const state = STATES.find((known) => known === status.Status);
  if (state === undefined) return malformed(operation, `a known Status (got ${String(status.Status)})`);
  const requestId = status.RequestId ?? requested.requestId;
  if (requestId === undefined || requestId === '') return malformed(operation, 'RequestId');
  const accountId = status.AccountId ?? requested.accountId;
  if (accountId === undefined) return malformed(operation, 'AccountId');
  return {
    requestId,
    state,
    accountId,
    permissionSetArn: status.PermissionSetArn ?? requested.permissionSetArn,
    failureReason: status.FailureReason ?? null,
  };
}

/** A reference as the model holds it: sso-admin's path defaults to `/`. */
export function decodeReference(
  reference: SdkReference | undefined,
  operation: string,
): CustomerManagedPolicyReference {
  if (reference?.Name === undefined || reference.Name === '') return malformed(operation, 'a policy Name');
  return {
    name: reference.Name,
    path: reference.Path === undefined || reference.Path === '' ? '/' : reference.Path,
  };
}

export function decodeBoundary(
  boundary: SdkBoundary | undefined,
  operation: string,
): PermissionsBoundary | null {
  if (boundary === undefined) return null;
  if (boundary.ManagedPolicyArn !== undefined) {
    return { kind: 'managed', managedPolicyArn: boundary.ManagedPolicyArn };
  }
  if (boundary.CustomerManagedPolicyReference !== undefined) {
    return {
      kind: 'customer-managed',
      reference: decodeReference(boundary.CustomerManagedPolicyReference, operation),
    };
  }
  return null;
}

export function decodeTags(tags: readonly Tag[], operation: string): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const tag of tags) {
    if (tag.Key === undefined) return malformed(operation, 'a tag Key');
    decoded[tag.Key] = tag.Value ?? '';
  }
  return decoded;
}

function malformed(operation: string, problem: string): never {
  throw malformedAnswer(operation, problem);
}
