/**
 * The walk over a principal's policies, in the order IAM lists them: the principal's own inline and
 * managed policies, then (for a user) each group's, then the permissions boundary. The statement
 * locator and both simulators read a principal through this one walk.
 */
import type { PolicyDocument, PrincipalDetails } from '../model';

export type PolicyHolderKind = 'user' | 'group' | 'role';

export interface PrincipalPolicy {
  layer: 'identity' | 'boundary';
  /** The entity the policy is on: the principal, or one of a user's groups. */
  holder: { kind: PolicyHolderKind; name: string };
  /** 'user/mei', 'group/Developers', 'role/x'. */
  attachedTo: string;
  /** An inline policy (named within its holder), not a managed one. */
  inline: boolean;
  name: string;
  /** The managed policy's ARN; null for an inline policy. */
  arn: string | null;
  document: PolicyDocument;
}

export function principalPolicies(principal: PrincipalDetails): PrincipalPolicy[] {
  const holders: {
    kind: PolicyHolderKind;
    entity: Pick<PrincipalDetails, 'name' | 'inlinePolicies' | 'attachedPolicies'>;
  }[] =
    principal.kind === 'user'
      ? [
          { kind: 'user', entity: principal },
          ...principal.groups.map((group) => ({ kind: 'group' as const, entity: group })),
        ]
      : [{ kind: 'role', entity: principal }];
  const policies: PrincipalPolicy[] = [];
  for (const { kind, entity } of holders) {
    const holder = { kind, name: entity.name };
    const attachedTo = `${kind}/${entity.name}`;
    for (const inline of entity.inlinePolicies) {
      policies.push({
        layer: 'identity',
        holder,
        attachedTo,
        inline: true,
        name: inline.name,
        arn: null,
        document: inline.document,
      });
    }
    for (const managed of entity.attachedPolicies) {
      policies.push({
        layer: 'identity',
        holder,
        attachedTo,
        inline: false,
        name: managed.name,
        arn: managed.arn,
        document: managed.document,
      });
    }
  }
  const boundary = principal.permissionsBoundary;
  if (boundary) {
    policies.push({
      layer: 'boundary',
      holder: { kind: principal.kind, name: principal.name },
      attachedTo: `${principal.kind}/${principal.name}`,
      inline: false,
      name: boundary.name,
      arn: boundary.arn,
      document: boundary.document,
    });
  }
  return policies;
}
