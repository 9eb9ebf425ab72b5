/**
 * The role Identity Center would provision from a set's definition into one account: the synthetic
 * principal the proposal is verified as. The reserved role as it is now is never simulated: it lacks
 * the change, and it may lack (or still carry) someone else's unprovisioned edit of the set.
 */
import { iamArn, parseIamArn } from '../iam/arn';
import type { ManagedPolicy, PolicyDocument, RoleDetails } from '../model';
import type { CustomerManagedPolicyReference, PermissionSetDefinition } from './model';

/** The name Identity Center gives the set's inline policy on the provisioned role. */
export const PROVISIONED_INLINE_POLICY_NAME = 'AwsSSOInlinePolicy';

/** A customer-managed reference as the policy it names in `account` (path + name). */
export function referencedPolicyArn(
  reference: CustomerManagedPolicyReference,
  partition: string,
  account: string,
): string {
  const path = reference.path.startsWith('/') ? reference.path : `/${reference.path}`;
  const withSlash = path.endsWith('/') ? path : `${path}/`;
  return iamArn(partition, account, `policy${withSlash}${reference.name}`);
}

/** The managed policies the provisioned role would carry in `account`: attached, and the boundary. */
export interface ProvisionedPolicyArns {
  attached: string[];
  boundary: string | null;
}

export function provisionedPolicyArns(
  definition: PermissionSetDefinition,
  partition: string,
  account: string,
): ProvisionedPolicyArns {
  const boundary = definition.boundary;
  return {
    attached: [
      ...definition.managedPolicyArns,
      ...definition.customerManagedPolicies.map((reference) =>
        referencedPolicyArn(reference, partition, account),
      ),
    ],
    boundary:
      boundary === null
        ? null
        : boundary.kind === 'managed'
          ? boundary.managedPolicyArn
          : referencedPolicyArn(boundary.reference, partition, account),
  };
}

export interface ProvisionedRole {
  role: RoleDetails;
  /** Managed policies of the set whose documents were not given: the simulation cannot be complete. */
  missing: string[];
}

/**
 * The role provisioned from `definition` with `inlinePolicy` (the merged one; null: none) into the
 * account of `reservedRoleArn`, its managed documents taken from `documents` (by ARN).
 */
export function provisionedRole(
  reservedRoleArn: string,
  definition: PermissionSetDefinition,
  inlinePolicy: PolicyDocument | null,
  documents: ReadonlyMap<string, ManagedPolicy>,
): ProvisionedRole {
  const parsed = parseIamArn(reservedRoleArn);
  const partition = parsed?.partition ?? 'aws';
  const account = parsed?.accountId ?? '';
  const arns = provisionedPolicyArns(definition, partition, account);
  const missing: string[] = [];
  const documentOf = (arn: string): ManagedPolicy | null => {
    const document = documents.get(arn);
    if (document === undefined) missing.push(arn);
    return document ?? null;
  };
  const attachedPolicies = arns.attached.flatMap((arn) => documentOf(arn) ?? []);
  const permissionsBoundary = arns.boundary === null ? null : documentOf(arns.boundary);
  return {
    role: {
      kind: 'role',
      arn: reservedRoleArn,
      name: parsed?.name ?? reservedRoleArn,
      path: parsed?.path ?? '/',
      // The trust policy does not take part in an identity-based simulation.
      trustPolicy: null,
      inlinePolicies:
        inlinePolicy === null ? [] : [{ name: PROVISIONED_INLINE_POLICY_NAME, document: inlinePolicy }],
      attachedPolicies,
      permissionsBoundary,
    },
    missing,
  };
}
