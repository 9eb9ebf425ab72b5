/** Naming the policies SimulatePrincipalPolicy reports matched statements of, from the request's scope. */
import type { Statement as AwsStatement } from '@aws-sdk/client-iam';
import { principalPolicies } from '../../core/iam/principal-policies';
import type {
  AccountScope,
  Decision,
  DenyingPolicyType,
  MatchedStatement,
  PolicyStatement,
  SimulationRequest,
} from '../../core/model';
import { locateStatement, type PositionedPolicy } from './statement-position';

interface KnownPolicy extends PositionedPolicy {
  policyType: DenyingPolicyType;
  policyName: string;
  policyArn: string | null;
  attachedTo: string | null;
  /** For inline policies: the kind and name of the entity holding it. */
  holder: { kind: 'user' | 'group' | 'role'; name: string } | null;
}

/**
 * Maps SimulatePrincipalPolicy's SourcePolicyId to the policies in the scope. IAM names an inline policy
 * `<user|group|role>_<entity>_<policy>` (plain `<policy>` in some answers), a managed policy by its name,
 * and an additional policy `PolicyInputList.<n>` (1-based).
 */
export class PolicyIndex {
  private readonly policies: KnownPolicy[] = [];

  constructor(
    scope: AccountScope | null,
    private readonly request: SimulationRequest,
    private readonly policyInputs: string[],
  ) {
    const principal = scope?.principal;
    if (!principal) return;
    for (const policy of principalPolicies(principal)) {
      this.policies.push({
        policyType: policy.layer,
        policyName: policy.name,
        policyArn: policy.arn,
        attachedTo: policy.attachedTo,
        holder: policy.inline ? policy.holder : null,
        document: policy.document,
        text: null,
      });
    }
  }

  describe(statement: AwsStatement, decision: Decision): MatchedStatement {
    const id = statement.SourcePolicyId ?? '';
    const policy = this.find(id, statement.SourcePolicyType);
    const expectedEffect = decision === 'explicitDeny' ? 'Deny' : 'Allow';
    const located = policy.document ? locateStatement(policy, statement, expectedEffect) : null;
    return {
      policyType: policy.policyType,
      policyName: policy.policyName,
      policyArn: policy.policyArn,
      attachedTo: policy.attachedTo,
      effect: located?.statement.Effect ?? expectedEffect,
      statement: located ? statementLabel(located.statement, located.index) : null,
    };
  }

  private find(id: string, sourceType: string | undefined): KnownPolicy {
    const input = /^PolicyInputList\.(\d+)$/.exec(id);
    if (input) {
      const index = Number(input[1]) - 1;
      return {
        policyType: 'identity',
        policyName: `proposal-${index + 1}`,
        policyArn: null,
        attachedTo: null,
        holder: null,
        document: this.request.additionalPolicies[index] ?? null,
        text: this.policyInputs[index] ?? null,
      };
    }
    const unknown: KnownPolicy = {
      policyType: sourceType === 'resource' ? 'resource' : 'identity',
      policyName: id,
      policyArn: id.startsWith('arn:') ? id : null,
      attachedTo: null,
      holder: null,
      document: null,
      text: null,
    };
    if (sourceType === 'resource') return unknown;

    const byPrefixedName = this.policies.filter(
      (policy) => policy.holder && id === `${policy.holder.kind}_${policy.holder.name}_${policy.policyName}`,
    );
    const byName = this.policies.filter((policy) => {
      if (policy.policyName !== id && policy.policyArn !== id) return false;
      if (sourceType === 'user' || sourceType === 'group' || sourceType === 'role') {
        return policy.holder?.kind === sourceType;
      }
      if (sourceType === 'aws-managed' || sourceType === 'user-managed') return policy.policyArn !== null;
      return true;
    });
    return merge(byPrefixedName.length > 0 ? byPrefixedName : byName) ?? unknown;
  }
}

/** One policy for several matches only when they are the same policy (a managed policy attached twice). */
function merge(candidates: KnownPolicy[]): KnownPolicy | null {
  const [first, ...others] = candidates;
  if (!first) return null;
  if (others.length === 0) return first;
  const same = others.every(
    (other) =>
      other.policyName === first.policyName &&
      other.policyArn === first.policyArn &&
      JSON.stringify(other.document) === JSON.stringify(first.document),
  );
  if (!same) return null;
  // A managed policy on both the principal and as its boundary: the identity side is what matched.
  const identity = candidates.find((candidate) => candidate.policyType === 'identity') ?? first;
  const placed = new Set(candidates.map((candidate) => candidate.attachedTo));
  return { ...identity, attachedTo: placed.size === 1 ? identity.attachedTo : null };
}

function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.Sid ? statement.Sid : String(index);
}
