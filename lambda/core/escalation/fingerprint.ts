/**
 * What the analysis read, as hashes a signed decision can carry: the apply step recomputes them from
 * fresh reads and refuses when R's policies or the target's members changed since the approval. Lists
 * are sorted first, so the hashes do not depend on the order IAM happens to return things in.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../incident';
import type { ManagedPolicy, PrincipalDetails, RoleDetails } from '../model';
import type { EscalationFingerprint } from './model';

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const byKey =
  <T>(key: (value: T) => string) =>
  (left: T, right: T): number => {
    const a = key(left);
    const b = key(right);
    return a < b ? -1 : a > b ? 1 : 0;
  };

const managed = (policy: ManagedPolicy) => ({ arn: policy.arn, document: policy.document });

export function escalationFingerprint(
  role: RoleDetails,
  gainers: readonly PrincipalDetails[],
): EscalationFingerprint {
  const policies = {
    arn: role.arn,
    trustPolicy: role.trustPolicy,
    inline: [...role.inlinePolicies]
      .sort(byKey((policy) => policy.name))
      .map((policy) => ({ name: policy.name, document: policy.document })),
    attached: [...role.attachedPolicies].sort(byKey((policy) => policy.arn)).map(managed),
    boundary: role.permissionsBoundary ? managed(role.permissionsBoundary) : null,
  };
  const members = [...new Set(gainers.map((gainer) => gainer.arn))].sort();
  return { rolePolicies: sha256(canonicalJson(policies)), membership: sha256(canonicalJson(members)) };
}
