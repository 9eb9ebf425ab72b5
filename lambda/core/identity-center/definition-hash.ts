/**
 * The hash the apply compares: a set whose definition hashes otherwise than when analysed carries
 * someone else's edit, and provisioning it would push that edit too. Order-insensitive where
 * sso-admin's lists are (attachments, references, tags); the inline policy is compared as text,
 * whitespace included, because that is what ProvisionPermissionSet pushes.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../incident';
import type { PermissionSetDefinition } from './model';

export function definitionHash(definition: PermissionSetDefinition): string {
  const canonical = canonicalJson({
    instanceArn: definition.instanceArn,
    permissionSetArn: definition.permissionSetArn,
    name: definition.name,
    inlinePolicy: definition.inlinePolicy,
    managedPolicyArns: [...definition.managedPolicyArns].sort(),
    customerManagedPolicies: definition.customerManagedPolicies
      .map((reference) => `${reference.path}${reference.name}`)
      .sort(),
    boundary: definition.boundary,
    tags: definition.tags,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
