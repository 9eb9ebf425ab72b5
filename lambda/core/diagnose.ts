import type { AccountReader } from '../ports/account-reader';
import type { PolicySimulator } from '../ports/policy-simulator';
import { contextRelief, type ContextRelief } from './analysis/context-conditions';
import { findNearMisses, nearMissFindings, nearMissInsight } from './analysis/near-miss';
import { analyzeTrustPolicy, type TrustAnalysis } from './analysis/trust-policy';
import { PrincipalNotFoundError } from './errors';
import type {
  AccountScope,
  Denial,
  Diagnosis,
  Finding,
  MatchedStatement,
  PolicyDocument,
  PrincipalDetails,
  Proposal,
  RequestContext,
  SimulationResult,
  Verdict,
} from './model';
import { principalStatements, type LocatedStatement } from './policy/statements';
import { assessGrant, type EscalationDependencies } from './proposal/assess-escalation';
import { applyCommand, verifyCommand } from './proposal/commands';
import {
  minimalPassRoleDocument,
  policySize,
  proposalPolicyNameOn,
  roleNameFromArn,
} from './proposal/document';
import { riskFlags } from './proposal/risk';
import {
  chooseTarget,
  existingInlineSize,
  INLINE_POLICY_QUOTA,
  targetInlinePolicies,
} from './proposal/target';

const PASS_ROLE = 'iam:PassRole';

export interface DiagnoserDependencies {
  accountReader: AccountReader;
  simulator: PolicySimulator;
  /** What a proposal really grants and who may approve it (proposal.escalation, proposal.approval). */
  escalation: EscalationDependencies;
}

export interface Diagnoser {
  diagnose(denial: Denial): Promise<Diagnosis>;
}

function finding(
  kind: Finding['kind'],
  message: string,
  policy: string | null = null,
  statement: string | null = null,
): Finding {
  return { kind, message, policy, statement };
}

function accountOfArn(arn: string): string | null {
  return arn.split(':')[4] ?? null;
}

function shortName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

/** The result for a denial the engine does not simulate (root, service-linked roles, other accounts). */
function unsimulated(denial: Denial, findings: Finding[], summary: string): Diagnosis {
  const verdict: Verdict = denial.messageCause.explicit ? 'explicitDeny' : 'implicitDeny';
  return { denial, verdict, summary, findings, proposal: null, reason: null };
}

function notApplicable(denial: Denial, reason: string): Diagnosis {
  return { denial, verdict: 'not-applicable', summary: reason, findings: [], proposal: null, reason };
}

/** Finds, in the account data, the statements the simulator said decided the request. */
function locateMatched(
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

function describeMatched(match: MatchedStatement): string {
  const where = match.attachedTo ? ` (on ${match.attachedTo})` : '';
  const statement = match.statement !== null ? `, statement ${match.statement}` : '';
  return `${match.policyName}${where}${statement}`;
}

function denyFindings(result: SimulationResult): Finding[] {
  const findings: Finding[] = [];
  for (const match of result.matchedStatements.filter((statement) => statement.effect === 'Deny')) {
    const kind =
      match.policyType === 'scp' ? 'scp' : match.policyType === 'boundary' ? 'boundary' : 'explicit-deny';
    const layer =
      match.policyType === 'scp'
        ? 'service control policy'
        : match.policyType === 'boundary'
          ? 'permissions boundary'
          : 'policy';
    findings.push(
      finding(
        kind,
        `Explicit deny in ${layer} ${describeMatched(match)}.`,
        match.policyArn ?? match.policyName,
        match.statement,
      ),
    );
  }
  return findings;
}

function implicitBlockFindings(result: SimulationResult, principal: PrincipalDetails): Finding[] {
  const findings: Finding[] = [];
  if (
    result.blockedBy.includes('scp') &&
    !result.matchedStatements.some((match) => match.policyType === 'scp')
  ) {
    findings.push(
      finding(
        'scp',
        'No service control policy in force allows iam:PassRole on this role: an identity policy alone cannot fix it.',
      ),
    );
  }
  if (
    result.blockedBy.includes('boundary') &&
    !result.matchedStatements.some((match) => match.policyType === 'boundary')
  ) {
    const boundary = principal.permissionsBoundary;
    findings.push(
      finding(
        'boundary',
        `The permissions boundary ${boundary?.name ?? ''} does not allow iam:PassRole on this role: the boundary must allow it too.`.replace(
          '  ',
          ' ',
        ),
        boundary?.arn ?? null,
      ),
    );
  }
  return findings;
}

function blockersOf(result: SimulationResult): string[] {
  if (result.decision === 'allowed') return [];
  const blockers = result.matchedStatements
    .filter((match) => match.effect === 'Deny')
    .map((match) => `explicit deny in ${describeMatched(match)}`);
  for (const layer of result.blockedBy) {
    if (layer === 'scp') blockers.push('a service control policy does not allow it');
    else if (layer === 'boundary') blockers.push('the permissions boundary does not allow it');
  }
  if (blockers.length === 0)
    blockers.push(result.decision === 'explicitDeny' ? 'an explicit deny' : 'no policy allows it');
  return [...new Set(blockers)];
}

function trustFindings(
  scope: AccountScope,
  roleArn: string,
  service: string | null,
  trust: TrustAnalysis,
): Finding[] {
  if (!scope.passedRole) {
    return [
      finding(
        'not-found',
        `The role ${roleArn} does not exist in account ${scope.accountId}: check the name, or create it.`,
      ),
    ];
  }
  if (service === null || trust.trustsService !== false) return [];
  const trusted = trust.trustedServices.length > 0 ? trust.trustedServices.join(', ') : 'no service';
  const findings = [
    finding(
      'trust-policy',
      `The trust policy of ${scope.passedRole.name} does not let ${service} assume it (it trusts ${trusted}): ` +
        `PassRole alone will not fix this; add ${service} to the role's trust policy too.`,
    ),
  ];
  if (trust.trustedServices.length > 0 && !trust.deniesService) {
    findings.push(
      finding(
        'service-mismatch',
        `The API implies iam:PassedToService ${service}, but the role trusts ${trusted}: one of the two is not what was intended.`,
      ),
    );
  }
  return findings;
}

interface ProposalPlan {
  document: PolicyDocument;
  policyName: string;
  proposal: Omit<Proposal, 'verified' | 'blockers' | 'verificationContext'>;
  findings: Finding[];
}

function planProposal(
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
  const findings: Finding[] = [];
  const risk = riskFlags(target, scope.passedRole, trust, service);
  if (target.type !== 'permission-set') {
    const quota = INLINE_POLICY_QUOTA[target.type];
    const total = existingInlineSize(target, principal, policyName) + policySize(document);
    if (total > quota) {
      const message = `Adding ${policyName} brings the inline policies of ${target.type} ${target.name} to ${total} characters, over IAM's ${quota}: put the statement in a customer managed policy instead.`;
      findings.push(finding('quota', message));
      risk.push(message);
    }
  } else {
    findings.push(
      finding(
        'sso',
        `${principal.name} is managed by IAM Identity Center: do not edit the role. Add the statement to the inline policy of permission set ${target.name} (merge it with what is there), then re-provision the permission set to account ${scope.accountId}.`,
      ),
    );
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

/** The single trusted service, when the API does not tell us which service receives the role. */
function serviceFromTrust(trust: TrustAnalysis): string | null {
  const services = trust.trustedServices.filter((service) => service !== '*');
  return services.length === 1 ? (services[0] ?? null) : null;
}

export function createDiagnoser({ accountReader, simulator, escalation }: DiagnoserDependencies): Diagnoser {
  async function simulate(
    policySourceArn: string,
    roleArn: string,
    context: RequestContext,
    scope: AccountScope | PromiseLike<AccountScope>,
    additionalPolicies: PolicyDocument[] = [],
  ): Promise<SimulationResult> {
    return simulator.simulate({
      policySourceArn,
      action: PASS_ROLE,
      resourceArn: roleArn,
      context,
      additionalPolicies,
      scope,
    });
  }

  async function diagnose(denial: Denial): Promise<Diagnosis> {
    const { roleArn, policySourceArn } = denial;
    if (roleArn === null) {
      return notApplicable(
        denial,
        'The record does not say which role was passed (neither the message nor the request parameters name it).',
      );
    }
    if (denial.principalType === 'root') {
      return unsimulated(
        denial,
        [
          finding(
            'root',
            'The root user is not limited by identity policies: only an SCP or RCP of the organization can deny it. Ask the organization admins.',
          ),
        ],
        `The root user was denied iam:PassRole on ${shortName(roleArn)}: an organization policy blocks it.`,
      );
    }
    if (policySourceArn === null || denial.principalType === 'unknown') {
      return notApplicable(denial, `Cannot tell which IAM entity made the call (${denial.principalArn}).`);
    }
    const roleAccount = accountOfArn(roleArn);
    if (roleAccount !== null && roleAccount !== denial.account) {
      return unsimulated(
        {
          ...denial,
          messageCause: { ...denial.messageCause, explicit: denial.messageCause.explicit ?? false },
        },
        [
          finding(
            'cross-account',
            `The role ${roleArn} is in account ${roleAccount}, not ${denial.account}: AWS never allows passing a role of another account. Create the role in ${denial.account}.`,
          ),
        ],
        `${shortName(denial.principalArn)} tried to pass a role of another account (${roleAccount}), which AWS never allows.`,
      );
    }
    if (denial.principalType === 'service-linked-role') {
      return unsimulated(
        denial,
        [
          finding(
            'service-linked-role',
            `${shortName(policySourceArn)} is a service-linked role: AWS defines its permissions and they cannot be edited. The service's own configuration (or the role it was given) must change.`,
          ),
        ],
        `A service-linked role was denied iam:PassRole on ${shortName(roleArn)}; its permissions cannot be edited.`,
      );
    }

    // Start the first simulation while the account data loads: on AWS they are independent calls.
    const scopePromise = accountReader.loadScope(policySourceArn, roleArn);
    scopePromise.catch(() => undefined);
    const requestService = denial.passedToService;
    const firstContext = withService(denial.context, requestService);
    const firstPromise = simulate(policySourceArn, roleArn, firstContext, scopePromise);
    firstPromise.catch(() => undefined);

    const scope = await scopePromise;
    const principal = scope.principal;
    if (!principal) throw new PrincipalNotFoundError(policySourceArn, scope.accountId);

    let service = requestService;
    const findings: Finding[] = [];
    let trust = analyzeTrustPolicy(scope.passedRole?.trustPolicy ?? null, service);
    let first: SimulationResult;
    if (service === null) {
      service = serviceFromTrust(trust);
      trust = analyzeTrustPolicy(scope.passedRole?.trustPolicy ?? null, service);
      if (service !== null) {
        findings.push(
          finding(
            'service-mismatch',
            `The record does not say which service receives the role; assuming ${service}, the only service its trust policy admits.`,
          ),
        );
        first = await simulate(policySourceArn, roleArn, withService(denial.context, service), scope);
      } else {
        first = await firstPromise;
      }
    } else {
      first = await firstPromise;
    }
    const context = withService(denial.context, service);
    findings.push(...scope.notes.map((note) => finding('not-found', note)));
    findings.push(...trustFindings(scope, roleArn, service, trust));

    const statements = principalStatements(principal);
    const roleName = roleNameFromArn(roleArn);
    const who = shortName(denial.principalArn);

    if (first.decision === 'allowed') {
      findings.unshift(
        finding(
          'already-allowed',
          `${principal.name} can pass ${roleName} now: the permission was granted after the event, or the request's context differed.`,
        ),
      );
      return {
        denial,
        verdict: 'allowed',
        summary: `${who} is allowed to pass ${roleName} now; nothing to fix.`,
        findings,
        proposal: null,
        reason: null,
      };
    }

    let relief: ContextRelief | null = null;
    let beneath: SimulationResult = first;
    let proposalContext = context;
    if (first.decision === 'explicitDeny') {
      findings.unshift(...denyFindings(first));
      const matchedDenies = locateMatched(first.matchedStatements, statements);
      relief = contextRelief(
        matchedDenies.length > 0 ? matchedDenies : statements.filter((s) => s.statement.Effect === 'Deny'),
        PASS_ROLE,
        roleArn,
        context,
      );
      if (
        relief === null ||
        first.matchedStatements.some((match) => match.policyType === 'scp' && match.effect === 'Deny')
      ) {
        const summary = `${who} was denied iam:PassRole on ${roleName} by an explicit deny that no Allow can override; the deny's owner must narrow it.`;
        return { denial, verdict: 'explicitDeny', summary, findings, proposal: null, reason: null };
      }
      proposalContext = { ...context, ...relief.overrides };
    }

    findings.push(...implicitBlockFindings(first, principal));

    if (service === null) {
      findings.push(
        finding(
          'service-mismatch',
          'The service that receives the role is unknown, so no minimal policy can be proposed.',
        ),
      );
      return {
        denial,
        verdict: first.decision,
        summary: `${who} was denied iam:PassRole on ${roleName}; the receiving service is unknown.`,
        findings,
        proposal: null,
        reason: null,
      };
    }

    // The proposal's verification runs alongside the re-simulation beneath the deny: one round trip, not two.
    const proposalPlan = planProposal(denial, scope, principal, roleArn, service, trust, proposalContext);
    const verificationPromise = simulate(principal.arn, roleArn, proposalContext, scope, [
      proposalPlan.document,
    ]);
    verificationPromise.catch(() => undefined);
    // Never rejects: a failed read or analysis is an `unknown` escalation, not a failed diagnosis.
    const assessment = assessGrant(roleArn, proposalPlan.proposal.target, escalation);
    if (relief !== null) {
      beneath = await simulate(principal.arn, roleArn, proposalContext, scope);
      const conditions = relief.descriptions.join(', ');
      if (beneath.decision === 'allowed') {
        findings.push(
          finding(
            'beneath-deny',
            `With ${conditions}, the request is allowed: no policy change is needed; make the call with ${conditions}.`,
          ),
        );
        const summary = `${who} was denied iam:PassRole on ${roleName} only because of the request's context: retry with ${conditions}.`;
        return { denial, verdict: first.decision, summary, findings, proposal: null, reason: null };
      }
      if (beneath.decision === 'explicitDeny') {
        findings.push(...denyFindings(beneath));
        findings.push(
          finding(
            'beneath-deny',
            `Even with ${conditions}, another explicit deny blocks the request; no Allow can override it.`,
          ),
        );
        const summary = `${who} was denied iam:PassRole on ${roleName} by explicit denies that no Allow can override.`;
        return { denial, verdict: first.decision, summary, findings, proposal: null, reason: null };
      }
      findings.push(
        finding(
          'beneath-deny',
          `With ${conditions}, the request is still denied: no policy allows iam:PassRole on ${roleName} for ${service} (implicit deny).`,
        ),
      );
      findings.push(
        ...implicitBlockFindings(beneath, principal).filter((f) => !findings.some((g) => g.kind === f.kind)),
      );
    }

    const nearMisses = findNearMisses(statements, roleArn, service);
    const nearMissList = nearMissFindings(nearMisses, roleArn, service);
    findings.push(...nearMissList, ...proposalPlan.findings);

    const verification = await verificationPromise;
    const { escalation: analysis, approval } = await assessment;
    const proposal: Proposal = {
      ...proposalPlan.proposal,
      verified: verification.decision === 'allowed',
      verificationContext: proposalContext,
      blockers: blockersOf(verification),
      escalation: analysis,
      approval,
    };
    const cause =
      first.decision === 'explicitDeny' && relief !== null
        ? `${
            first.matchedStatements
              .filter((m) => m.effect === 'Deny')
              .map(describeMatched)
              .join('; ') || 'an explicit deny'
          } denies it without ${relief.descriptions.join(', ')}, and even with it no policy allows it`
        : 'no policy allows it';
    const nearMissSentence = nearMissInsight(nearMisses, roleArn, service);
    const insight = nearMissSentence ? ` — ${nearMissSentence}` : '';
    const summary = `${who} may not pass ${roleName} to ${service}: ${cause}${insight}.`;
    return { denial, verdict: first.decision, summary, findings, proposal, reason: null };
  }

  return { diagnose };
}

function withService(context: RequestContext, service: string | null): RequestContext {
  return service === null ? { ...context } : { ...context, 'iam:PassedToService': service };
}
