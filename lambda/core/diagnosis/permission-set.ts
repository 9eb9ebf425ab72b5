/**
 * An Identity Center denial's proposal on the permission set itself: resolve the set named by the
 * reserved role, read its whole definition and who it reaches, merge the minimal statement into its
 * inline policy, and verify the set AS IT WOULD BE PROVISIONED to the denial's account. Any state
 * other than a merge keeps today's advice (change the set in Identity Center) and says why.
 */
import type { IdentityCenterReader } from '../../ports/identity-center';
import type { ManagedPolicyReader } from '../../ports/managed-policy-reader';
import type { PolicySimulator } from '../../ports/policy-simulator';
import { blastRadiusOf } from '../identity-center/blast-radius';
import { definitionHash } from '../identity-center/definition-hash';
import { mergeIntoInlinePolicy, proposedStatement } from '../identity-center/merge';
import type {
  IdentityCenterAdministration,
  InlineMerge,
  PermissionSetDefinition,
} from '../identity-center/model';
import { provisionedPolicyArns, provisionedRole } from '../identity-center/provisioned-role';
import { parseIamArn } from '../iam/arn';
import type {
  AccountScope,
  DiagnosisFinding,
  ManagedPolicy,
  PolicyDocument,
  ProposalTarget,
  RequestContext,
  RoleDetails,
  SimulationResult,
} from '../model';
import { permissionSetApplyCommand } from '../proposal/commands';
import type { PermissionSetState } from './types';

export interface IdentityCenterDependencies {
  reader: IdentityCenterReader;
  /**
   * Evaluates the set as provisioned. It must evaluate the principal in the request's scope (the
   * offline engine does; IAM's SimulatePrincipalPolicy would evaluate the reserved role as it is now),
   * and hold the SCPs in force for the account.
   */
  simulator: PolicySimulator;
  /** Documents of the set's managed policies the role does not carry now; absent: those are unknown. */
  managedPolicies?: ManagedPolicyReader;
  /**
   * Where Identity Center is administered from (a value, or read when needed: the hub asks
   * Organizations once per container); absent: not known, not checked.
   */
  administration?: IdentityCenterAdministration | (() => Promise<IdentityCenterAdministration>);
  /** false when the simulator holds no SCPs because those in force are unknown: then never verified. */
  serviceControlPoliciesKnown?: boolean;
}

export interface PermissionSetInput {
  target: ProposalTarget;
  /** The reserved role as read now: its ARN names the account, its managed documents are reused. */
  principal: RoleDetails;
  scope: AccountScope;
  roleArn: string;
  /** planProposal's minimal document (one statement). */
  document: PolicyDocument;
  context: RequestContext;
}

export type PermissionSetPlan =
  /** No automatic proposal: the advice stays, `finding` says why (the target carries what was read). */
  | { kind: 'advice'; target: ProposalTarget; finding: DiagnosisFinding }
  | {
      kind: 'merged';
      target: ProposalTarget;
      finding: DiagnosisFinding;
      merge: Extract<InlineMerge, { kind: 'merged' }>;
      verification: SimulationResult;
      /** Managed policies of the set whose documents could not be had: the verification is incomplete. */
      missing: string[];
      /** The SCPs in force were unknown, so left out of the verification. */
      scpsUnknown: boolean;
      apply: string;
    };

function messageOf(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return (typeof message === 'string' ? message : String(error)).replace(/\s+/g, ' ').trim();
}

/** Why the merge is not proposed. */
function mergeState(merge: Exclude<InlineMerge, { kind: 'merged' }>): PermissionSetState {
  switch (merge.kind) {
    case 'unreadable':
      return { kind: 'inline-unreadable', problem: merge.problem };
    case 'too-large':
      return { kind: 'too-large', limit: merge.limit, size: merge.size, max: merge.max };
  }
}

/** The set's managed documents: the role's own where it carries them now, else read. */
async function documentsFor(
  deps: IdentityCenterDependencies,
  principal: RoleDetails,
  definition: PermissionSetDefinition,
): Promise<Map<string, ManagedPolicy>> {
  const parsed = parseIamArn(principal.arn);
  const arns = provisionedPolicyArns(definition, parsed?.partition ?? 'aws', parsed?.accountId ?? '');
  const documents = new Map<string, ManagedPolicy>();
  for (const policy of [...principal.attachedPolicies, principal.permissionsBoundary ?? []].flat()) {
    documents.set(policy.arn, policy);
  }
  const wanted = [...arns.attached, ...(arns.boundary === null ? [] : [arns.boundary])];
  const reader = deps.managedPolicies;
  if (reader === undefined) return documents;
  // A managed policy's default version can change at any time: read every one the set names.
  const read = await Promise.all(
    wanted.map(async (arn) => [arn, await reader.managedPolicy(arn).catch(() => null)] as const),
  );
  for (const [arn, policy] of read) if (policy !== null) documents.set(arn, policy);
  return documents;
}

export async function planPermissionSet(
  deps: IdentityCenterDependencies,
  input: PermissionSetInput,
): Promise<PermissionSetPlan> {
  const { principal, scope, roleArn } = input;
  const name = input.target.name;
  const account = scope.accountId;
  const finding = (state: PermissionSetState): DiagnosisFinding => ({
    kind: 'permission-set',
    permissionSet: name,
    account,
    state,
  });
  const advice = (state: PermissionSetState, target = input.target): PermissionSetPlan => ({
    kind: 'advice',
    target,
    finding: finding(state),
  });

  let read;
  try {
    const ref = await deps.reader.permissionSet(name);
    if (ref === null) return advice({ kind: 'not-found' });
    const [definition, provisionedAccounts, assignments] = await Promise.all([
      deps.reader.definition(ref),
      deps.reader.provisionedAccounts(ref),
      deps.reader.assignments(ref, account),
    ]);
    read = { definition, provisionedAccounts, assignments };
  } catch (error) {
    return advice({ kind: 'read-failed', problem: messageOf(error) });
  }
  const { definition, provisionedAccounts, assignments } = read;
  const blastRadius = blastRadiusOf(assignments, provisionedAccounts);
  const target: ProposalTarget = {
    ...input.target,
    memberCount: blastRadius.people,
    instanceArn: definition.instanceArn,
    permissionSetArn: definition.permissionSetArn,
    blastRadius,
    provisionedAccounts: [...provisionedAccounts],
  };

  const administration =
    typeof deps.administration === 'function' ? await deps.administration() : deps.administration;
  if (
    administration?.kind === 'delegated' &&
    provisionedAccounts.includes(administration.managementAccountId)
  ) {
    return advice(
      {
        kind: 'management-account',
        managementAccountId: administration.managementAccountId,
        administratorAccountId: administration.accountId,
      },
      target,
    );
  }

  const merge = mergeIntoInlinePolicy(definition.inlinePolicy, proposedStatement(input.document));
  if (merge.kind !== 'merged') return advice(mergeState(merge), target);

  const documents = await documentsFor(deps, principal, definition);
  const provisioned = provisionedRole(principal.arn, definition, merge.policy, documents);
  const verification = await deps.simulator.simulate({
    policySourceArn: principal.arn,
    action: 'iam:PassRole',
    resourceArn: roleArn,
    context: input.context,
    additionalPolicies: [],
    scope: { ...scope, principal: provisioned.role },
  });
  return {
    kind: 'merged',
    target: { ...target, definitionHash: definitionHash(definition) },
    finding: finding({
      kind: 'merged',
      alreadyPresent: merge.alreadyPresent,
      provisionedAccounts: blastRadius.accounts,
    }),
    merge,
    verification,
    missing: provisioned.missing,
    scpsUnknown: deps.serviceControlPoliciesKnown === false,
    apply: permissionSetApplyCommand(definition, merge, account),
  };
}

/**
 * planProposal's plan with what the set's reading gave: a merge replaces the advice finding and
 * carries the sso-admin commands; any other state keeps the advice and adds why.
 */
export function withPermissionSet<P extends ProposalPlanLike>(plan: P, set: PermissionSetPlan): P {
  const merged = set.kind === 'merged';
  return {
    ...plan,
    findings: [
      ...plan.findings.filter((finding) => !merged || finding.kind !== 'identity-center'),
      set.finding,
    ],
    proposal: {
      ...plan.proposal,
      target: set.target,
      commands: { ...plan.proposal.commands, apply: merged ? set.apply : plan.proposal.commands.apply },
    },
  };
}

interface ProposalPlanLike {
  findings: DiagnosisFinding[];
  proposal: { target: ProposalTarget; commands: { apply: string | null; verify: string } };
}
