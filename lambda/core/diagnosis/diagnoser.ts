/**
 * The diagnosis of one denial: triage (the denial alone), then the simulations the plan calls for
 * over the account data, then the outcome. Every return is a variant of Diagnosis; no words here.
 */
import type { AccountReader } from '../../ports/account-reader';
import type { AuthorizationRecordReader } from '../../ports/authorization-record-reader';
import type { InstanceProfileResolver } from '../../ports/instance-profile-resolver';
import type { PolicySimulator } from '../../ports/policy-simulator';
import { findNearMisses } from '../analysis/near-miss';
import { analyzeTrustPolicy } from '../analysis/trust-policy';
import { PrincipalNotFoundError } from '../errors';
import { blockersOf, unseenDenyBlocker } from '../iam/blockers';
import type {
  AccountScope,
  Denial,
  Diagnosis,
  DiagnosisFinding,
  PolicyDocument,
  Proposal,
  RequestContext,
  SimulationResult,
} from '../model';
import { principalStatements } from '../policy/statements';
import { assessGrant, type EscalationDependencies } from '../proposal/assess-escalation';
import { roleNameOf } from '../iam/arn';
import { throughInstanceProfile, withProfileFinding } from './instance-profile';
import { firstStep, proposedCause } from './outcome';
import { PASS_ROLE, planProposal, serviceFromTrust, withService } from './plan';
import { denyFindings, implicitBlockFindings, trustFindings } from './simulation-findings';
import { triage } from './triage';
import { unseenDeny } from './unseen-deny';
import { assessRecord, awsFindingsFirst, evidenceFindings, readRecord, unseenDenies } from './aws-record';
import { awsDenyBlocker } from '../render/aws-record';
import { missingPolicyBlocker, unknownScpsBlocker } from '../render/identity-center';
import { planPermissionSet, withPermissionSet, type IdentityCenterDependencies } from './permission-set';

export interface DiagnoserDependencies {
  accountReader: AccountReader;
  simulator: PolicySimulator;
  /** What a proposal really grants and who may approve it (proposal.escalation, proposal.approval). */
  escalation: EscalationDependencies;
  /** AWS's evaluation record of the denial (IAM Toolbox), read when the message carries its ID. */
  authorizationRecords: AuthorizationRecordReader;
  /** The role an instance profile holds, for EC2 denials that name only the profile. */
  instanceProfiles: InstanceProfileResolver;
  /**
   * Identity Center (organization mode, or the offline CLI's --identity-center file): a permission
   * set's proposal merges into the set and is verified as the set would be provisioned. Absent: the
   * advice to change the set in Identity Center, as before.
   */
  identityCenter?: IdentityCenterDependencies;
}

export interface Diagnoser {
  diagnose(denial: Denial): Promise<Diagnosis>;
}

export function createDiagnoser({
  accountReader,
  simulator,
  escalation,
  authorizationRecords,
  instanceProfiles,
  identityCenter,
}: DiagnoserDependencies): Diagnoser {
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

  async function diagnose(input: Denial): Promise<Diagnosis> {
    return awsFindingsFirst(await diagnoseDenial(input));
  }

  async function diagnoseDenial(input: Denial): Promise<Diagnosis> {
    const triaged = triage(input);
    if (triaged.kind === 'decided') return triaged.diagnosis;
    const { denial, roleArn, policySourceArn } = triaged;
    // AWS's record is read alongside the account data; it never fails the diagnosis.
    const recordPromise = readRecord(authorizationRecords, denial);

    // Start the first simulation while the account data loads: on AWS they are independent calls.
    const scopePromise = accountReader.loadScope(policySourceArn, roleArn);
    scopePromise.catch(() => undefined);
    const requestService = denial.passedToService;
    const firstPromise = simulate(
      policySourceArn,
      roleArn,
      withService(denial.context, requestService),
      scopePromise,
    );
    firstPromise.catch(() => undefined);

    const scope = await scopePromise;
    const principal = scope.principal;
    if (!principal) throw new PrincipalNotFoundError(policySourceArn, scope.accountId);
    const assessed = assessRecord(await recordPromise, denial, roleArn, policySourceArn);
    const evidence = assessed.evidence;
    // The request as AWS evaluated it, where its record says otherwise than the CloudTrail record.
    const recorded = evidence?.request ?? null;
    const requestContext = recorded?.context ?? denial.context;
    const recordedService = recorded ? recorded.passedToService : requestService;

    let service = recordedService;
    const findings: DiagnosisFinding[] = [...assessed.findings];
    let trust = analyzeTrustPolicy(scope.passedRole?.trustPolicy ?? null, service);
    let first: SimulationResult;
    if (service === null) {
      service = serviceFromTrust(trust);
      trust = analyzeTrustPolicy(scope.passedRole?.trustPolicy ?? null, service);
    }
    if (recordedService === null && service !== null) {
      findings.push({ kind: 'service-assumed', service });
      first = await simulate(policySourceArn, roleArn, withService(requestContext, service), scope);
    } else if (recorded !== null && recorded.differences.length > 0) {
      first = await simulate(policySourceArn, roleArn, withService(requestContext, service), scope);
    } else {
      first = await firstPromise;
    }
    const context = withService(requestContext, service);
    findings.push(...scope.notes.map((note): DiagnosisFinding => ({ kind: 'account-note', note })));
    findings.push(...trustFindings(scope, roleArn, service, trust));

    const statements = principalStatements(principal);
    const roleName = roleNameOf(roleArn);
    const aws = evidence ? evidenceFindings(evidence, roleArn, principal, first) : null;
    findings.push(...(aws?.findings ?? []));

    const step = firstStep(first, statements, roleArn, context);
    // The message's explicit deny, when the policies read here do not reproduce it: first in the findings.
    const unseen = unseenDeny(denial.messageCause, first);
    if (unseen !== null) findings.unshift(unseen);
    if (step.kind === 'allowed') {
      // With the message's deny not visible here, that it is allowed now is not known: not said.
      if (unseen === null) {
        findings.unshift({ kind: 'already-allowed', principal: principal.name, role: roleName });
      }
      return { outcome: 'already-allowed', denial, findings };
    }
    if (first.decision === 'explicitDeny') findings.unshift(...denyFindings(first));
    if (step.kind === 'explicit-deny') {
      return { outcome: 'explicit-deny', denial, findings, beneathContext: false };
    }
    const { relief } = step;
    const decision = unseen !== null ? 'explicitDeny' : step.decision;
    const proposalContext = relief === null ? context : { ...context, ...relief.overrides };

    findings.push(...implicitBlockFindings(first, principal));

    if (service === null) {
      findings.push({ kind: 'service-unknown' });
      return { outcome: 'service-unknown', denial, findings, decision };
    }

    // The proposal's verification runs alongside the re-simulation beneath the deny: one round trip, not two.
    const planned = planProposal(denial, scope, principal, roleArn, service, trust, proposalContext);
    // An Identity Center role's fix is the set's: read it, merge, and verify it as it would be provisioned.
    const set =
      identityCenter !== undefined &&
      planned.proposal.target.type === 'permission-set' &&
      principal.kind === 'role'
        ? await planPermissionSet(identityCenter, {
            target: planned.proposal.target,
            principal,
            scope,
            roleArn,
            document: planned.document,
            context: proposalContext,
          })
        : null;
    const proposalPlan = set === null ? planned : withPermissionSet(planned, set);
    const verificationPromise =
      set?.kind === 'merged'
        ? Promise.resolve(set.verification)
        : simulate(principal.arn, roleArn, proposalContext, scope, [proposalPlan.document]);
    verificationPromise.catch(() => undefined);
    // Never rejects: a failed read or analysis is an `unknown` escalation, not a failed diagnosis.
    const assessment = assessGrant(roleArn, proposalPlan.proposal.target, escalation, principal.arn);
    if (relief !== null) {
      const beneath = await simulate(principal.arn, roleArn, proposalContext, scope);
      const conditions = relief.descriptions;
      if (beneath.decision === 'allowed') {
        // 'No policy change is needed' is not known while the message's deny is not visible here.
        if (unseen === null) findings.push({ kind: 'context-allows', conditions });
        return { outcome: 'context-only', denial, findings, conditions };
      }
      if (beneath.decision === 'explicitDeny') {
        findings.push(...denyFindings(beneath));
        findings.push({ kind: 'context-deny-remains', conditions });
        return { outcome: 'explicit-deny', denial, findings, beneathContext: true };
      }
      findings.push({ kind: 'context-no-allow', conditions, role: roleName, service });
      const beneathBlocks = implicitBlockFindings(beneath, principal);
      findings.push(...beneathBlocks.filter((f) => !findings.some((g) => g.kind === f.kind)));
    }

    const nearMisses = findNearMisses(statements, roleArn, service);
    findings.push(
      ...nearMisses.map((miss): DiagnosisFinding => ({ kind: 'near-miss', miss, roleArn, service })),
      ...proposalPlan.findings,
    );

    const verification = await verificationPromise;
    const { escalation: analysis, approval } = await assessment;
    const awsBlockers = unseenDenies(evidence, aws?.statements ?? [], first).map(awsDenyBlocker);
    const unverifiable = [
      ...new Set([...(unseen === null ? [] : [unseenDenyBlocker(unseen)]), ...awsBlockers]),
    ];
    // A managed policy of the set whose document was not had: the set's simulation is incomplete.
    const incomplete =
      set?.kind === 'merged'
        ? [
            ...set.missing.map(missingPolicyBlocker),
            ...(set.scpsUnknown ? [unknownScpsBlocker(scope.accountId)] : []),
          ]
        : [];
    const proposal: Proposal = {
      ...proposalPlan.proposal,
      // A deny not visible here is not in the verification either: the proposal cannot be known to work.
      verified: unverifiable.length === 0 && incomplete.length === 0 && verification.decision === 'allowed',
      verificationContext: proposalContext,
      blockers: [...new Set([...unverifiable, ...incomplete, ...blockersOf(verification)])],
      ...(unverifiable.length > 0 ? { unverifiable } : {}),
      escalation: analysis,
      approval,
    };
    const cause = proposedCause(first, relief, unseen);
    return { outcome: 'proposed', denial, findings, decision, service, cause, proposal };
  }

  /** A denial that names only an instance profile is diagnosed for the role the profile holds. */
  async function diagnoseThroughProfile(input: Denial): Promise<Diagnosis> {
    const resolved = await throughInstanceProfile(input, instanceProfiles);
    if (resolved.kind === 'decided') return resolved.diagnosis;
    const diagnosis = await diagnose(resolved.denial);
    return resolved.kind === 'resolved' ? withProfileFinding(diagnosis, resolved.finding) : diagnosis;
  }

  return { diagnose: diagnoseThroughProfile };
}
