/**
 * What a signed decision says was analysed: a hash of R's policies and one of who gains the grant.
 * The approval function signs them; the apply step re-reads both before the write and refuses when
 * either changed, so a policy attached to R (or a member added to the group) after the approval
 * cannot ride on it.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../incident';
import type { PrincipalDetails, RoleDetails } from '../model';
import type { EscalationFingerprint } from './model';

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function byKey<T>(key: (item: T) => string): (left: T, right: T) => number {
  return (left, right) => (key(left) < key(right) ? -1 : key(left) > key(right) ? 1 : 0);
}

/**
 * SHA-256 hex of the canonical JSON of R's trust policy, inline policies (by name), attached policies
 * (by ARN, with their documents) and boundary; and of the gainers' ARNs, sorted. Reading order does
 * not change either hash; any change to a document or to the membership does.
 */
export function escalationFingerprint(
  role: RoleDetails,
  gainers: readonly PrincipalDetails[],
): EscalationFingerprint {
  const policies = {
    trustPolicy: role.trustPolicy,
    inlinePolicies: [...role.inlinePolicies]
      .sort(byKey((policy) => policy.name))
      .map(({ name, document }) => ({ name, document })),
    attachedPolicies: [...role.attachedPolicies]
      .sort(byKey((policy) => policy.arn))
      .map(({ arn, document }) => ({ arn, document })),
    permissionsBoundary:
      role.permissionsBoundary === null
        ? null
        : { arn: role.permissionsBoundary.arn, document: role.permissionsBoundary.document },
  };
  const members = [...new Set(gainers.map((gainer) => gainer.arn))].sort();
  return { rolePolicies: sha256(canonicalJson(policies)), membership: sha256(canonicalJson(members)) };
}
