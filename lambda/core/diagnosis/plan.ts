/**
 * The simulation plan: which service the role goes to, the context each simulation runs under, the
 * statements a deny came from, and the proposal to verify (target, name, document, its findings).
 */
import type { TrustAnalysis } from '../analysis/trust-policy';
import type {
  AccountScope,
  Denial,
  DiagnosisFinding,
  MatchedStatement,
  PolicyDocument,
  PrincipalDetails,
  Proposal,
  RequestContext,
} from '../model';
import type { LocatedStatement } from '../policy/statements';
import { applyCommand, verifyCommand } from '../proposal/commands';
import { minimalPassRoleDocument, policySize, proposalPolicyNameOn } from '../proposal/document';
import { riskFlags } from '../proposal/risk';
import {
  chooseTarget,
  existingInlineSize,
  INLINE_POLICY_QUOTA,
  targetInlinePolicies,
} from '../proposal/target';
import { quotaMessage } from '../render/findings';

export const PASS_ROLE = 'iam:PassRole';

export function withService(context: RequestContext, service: string | null): RequestContext {
  return service === null ? { ...context } : { ...context, 'iam:PassedToService': service };
}

/** The single trusted service, when the API does not tell us which service receives the role. */
export function serviceFromTrust(trust: TrustAnalysis): string | null {
  const services = trust.trustedServices.filter((service) => service !== '*');
  return services.length === 1 ? (services[0] ?? null) : null;
}

/** Finds, in the account data, the statements the simulator said decided the request. */
export function locateMatched(
  matched: readonly MatchedStatement[],
  statements: readonly LocatedStatement[],
): LocatedStatement[] {
  return statements.filter((located) =>
    matched.some(
      (match) =>
        match.effect === located.statement.Effect &&
        (match.policyArn !== null
          ? match.policyArn === located.policyArn
          : match.policyName === located.policyName) &&
        (match.attachedTo === null || match.attachedTo === located.attachedTo) &&
        (match.statement === null || match.statement === located.statementId),
    ),
  );
}

export interface ProposalPlan {
  document: PolicyDocument;
  policyName: string;
  proposal: Omit<Proposal, 'verified' | 'blockers' | 'verificationContext'>;
  findings: DiagnosisFinding[];
}

export function planProposal(
  denial: Denial,
  scope: AccountScope,
  principal: PrincipalDetails,
  roleArn: string,
  service: string,
  trust: TrustAnalysis,
  verifyContext: RequestContext,
): ProposalPlan {
  const target = chooseTarget(denial, principal);
  const policyName = proposalPolicyNameOn(roleArn, service, targetInlinePolicies(target, principal));
  const document = minimalPassRoleDocument(roleArn, service, policyName);
  const findings: DiagnosisFinding[] = [];
  const risk = riskFlags(target, scope.passedRole, trust, service);
  if (target.type !== 'permission-set') {
    const quota = INLINE_POLICY_QUOTA[target.type];
    const total = existingInlineSize(target, principal, policyName) + policySize(document);
    if (total > quota) {
      const finding = {
        kind: 'quota',
        policyName,
        target: { type: target.type, name: target.name },
        total,
        quota,
      } as const;
      findings.push(finding);
      // The proposal's risk flags are stored words (Proposal.risk): the quota's sentence is one of them.
      risk.push(quotaMessage(finding));
    }
  } else {
    findings.push({
      kind: 'identity-center',
      principal: principal.name,
      permissionSet: target.name,
      account: scope.accountId,
    });
  }
  return {
    document,
    policyName,
    findings,
    proposal: {
      target,
      policyName,
      document,
      risk,
      commands: {
        apply: applyCommand(target, policyName, document),
        verify: verifyCommand(principal.arn, roleArn, verifyContext),
      },
    },
  };
}
