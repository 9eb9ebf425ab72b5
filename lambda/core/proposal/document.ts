import { roleNameOf } from '../iam/arn';
import { canonicalJson } from '../incident';
import type { InlinePolicy, PolicyDocument } from '../model';

/** IAM's policy-name limit. */
const MAX_POLICY_NAME_LENGTH = 128;

function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** 'ecs-tasks.amazonaws.com' -> 'EcsTasks'. */
export function serviceWord(servicePrincipal: string): string {
  return pascalCase(servicePrincipal.replace(/\.amazonaws\.com(\.cn)?$/, ''));
}

/** Short stable hash (FNV-1a) so truncated names stay unique per role and service. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** `name` with the short hash of `key` appended, within IAM's 128 characters. */
function hashedName(name: string, key: string): string {
  const suffix = `-${shortHash(key)}`;
  return name.slice(0, MAX_POLICY_NAME_LENGTH - suffix.length) + suffix;
}

/** The seed's naming: AllowPass<RoleName>To<Service>, within IAM's 128 characters. */
export function proposalPolicyName(roleArn: string, servicePrincipal: string): string {
  const name = `AllowPass${pascalCase(roleNameOf(roleArn))}To${serviceWord(servicePrincipal)}`;
  if (name.length <= MAX_POLICY_NAME_LENGTH) return name;
  return hashedName(name, `${roleArn}|${servicePrincipal}`);
}

/**
 * The proposal's policy name on a target that already holds `existing` inline policies. The plain name
 * loses punctuation (`etl-nightly-runtime`, `etl_nightly_runtime` and `etl.nightly.runtime` all give
 * AllowPassEtlNightlyRuntimeToGlue), so when a policy of that name holds another document, the name
 * gets the short hash of (role ARN, service): approving one must never replace the other's policy.
 */
export function proposalPolicyNameOn(
  roleArn: string,
  servicePrincipal: string,
  existing: readonly InlinePolicy[],
): string {
  const plain = proposalPolicyName(roleArn, servicePrincipal);
  const taken = existing.find((policy) => policy.name === plain);
  if (taken === undefined) return plain;
  const ours = minimalPassRoleDocument(roleArn, servicePrincipal, plain);
  if (canonicalJson(taken.document) === canonicalJson(ours)) return plain;
  const hashed = hashedName(plain, `${roleArn}|${servicePrincipal}`);
  // A name long enough to carry that hash already (over 128 characters unhashed) gets a second one.
  return hashed !== plain ? hashed : hashedName(plain, `${roleArn}|${servicePrincipal}|taken`);
}

/**
 * The minimal grant: iam:PassRole on exactly this role, to exactly this service. Never a wildcard
 * resource, never another account (the caller checks the account).
 */
export function minimalPassRoleDocument(
  roleArn: string,
  servicePrincipal: string,
  sid: string,
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid.replace(/[^A-Za-z0-9]/g, ''),
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: roleArn,
        Condition: { StringEquals: { 'iam:PassedToService': servicePrincipal } },
      },
    ],
  };
}

/** IAM counts policy size without whitespace (outside strings, which compact JSON already drops). */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}
