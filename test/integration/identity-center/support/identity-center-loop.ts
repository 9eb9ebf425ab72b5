/**
 * The Identity Center loop as the scenarios drive it: propose (resolve the set, blast radius, merge,
 * verify the set as it would be provisioned), approve (claims: set, account, definition hash), apply
 * (re-read and compare, refuse what must be refused, write, provision to the denial's account only,
 * poll bounded and resumable, read back in the member, verify, roll back on failure).
 *
 * `IdentityCenterLoop` is the seam: the scenarios assert only what moto, the fake and the accounts
 * proxy show, and the results below. `standInLoop` is a CONTRACT STAND-IN, NOT THE PRODUCT, written
 * after the team's contract until the `icpropose` and `icapply` work is on main; then
 * `standInLoop` gives way to the diagnose, approval and apply handlers wired with the real
 * Identity Center reader and writer, and the scenarios stay as they are.
 */
import { randomUUID } from 'node:crypto';
import { readDenials } from '../../../../lambda/core/denial';
import { withService } from '../../../../lambda/core/diagnosis/plan';
import { canonicalJson } from '../../../../lambda/core/incident';
import { definitionHash } from '../../../../lambda/core/identity-center/definition-hash';
import type {
  BlastRadius,
  IdentityCenterAdministration,
  InlineMerge,
  PermissionSetAssignment,
  PermissionSetRef,
} from '../../../../lambda/core/identity-center/model';
import type {
  Decision,
  Denial,
  PolicyDocument,
  PolicyStatement,
  ProposalTarget,
} from '../../../../lambda/core/model';
import {
  minimalPassRoleDocument,
  policySize,
  proposalPolicyName,
} from '../../../../lambda/core/proposal/document';
import type { AccountAccess } from '../../../../lambda/ports/account-access';
import type { IdentityCenterReader, IdentityCenterWriter } from '../../../../lambda/ports/identity-center';
import {
  IDENTITY_CENTER_MANAGED_TAG,
  IDENTITY_CENTER_MANAGED_TAG_VALUE,
} from '../../../../lambda/settings/identity-center';
import { RESERVED_INLINE_POLICY_NAME } from '../../support/identity-center-provisioning-fake';

export interface LoopProposal {
  proposalId: string;
  denial: Denial;
  target: ProposalTarget;
  blastRadius: BlastRadius;
  /** The minimal statement, as planProposal builds it. */
  document: PolicyDocument;
  /** The set's inline policy with the statement merged: what the apply writes. */
  merge: Extract<InlineMerge, { kind: 'merged' }>;
  /** The set as it would be provisioned to the denial's account, simulated with the change. */
  verification: Decision;
}

export type LoopProposalOutcome =
  { kind: 'proposed'; proposal: LoopProposal } | { kind: 'no-proposal'; reason: string };

/** One apply run's result; `in-progress`: provisioning still running, the next run resumes it. */
export interface LoopApplyResult {
  kind: 'verified' | 'not-verified' | 'refused' | 'failed' | 'in-progress';
  reason: string | null;
}

export interface IdentityCenterLoop {
  propose(record: unknown): Promise<LoopProposalOutcome>;
  approve(proposalId: string, approver: string): Promise<void>;
  /** One run of the apply function (the reconciler asks for another while in progress). */
  apply(proposalId: string): Promise<LoopApplyResult>;
}

export interface StandInLoopDependencies {
  /** The diagnose function's reader (Identity Center read role). */
  reader: IdentityCenterReader;
  /** The apply function's reader and writer (read role; apply role with the approver). */
  applyReader: IdentityCenterReader;
  writer: IdentityCenterWriter;
  administration: IdentityCenterAdministration;
  /** Member access with the local simulator (moto has no SimulatePrincipalPolicy). */
  diagnoseAccess: AccountAccess;
  applyAccess: AccountAccess;
  /** Status reads per apply run before it hands over to the next run. */
  pollsPerRun: number;
}

const PERMISSION_SET_INLINE_MAX = 32_768;
const IAM_ROLE_INLINE_MAX = 10_240;

type ApplyState =
  | { step: 'approved' }
  | { step: 'written' }
  | { step: 'provisioning'; requestId: string }
  | { step: 'rolling-back'; requestId: string | null; cause: string }
  | { step: 'done'; result: LoopApplyResult };

interface Held {
  proposal: LoopProposal;
  ref: PermissionSetRef;
  previousInline: string | null;
  claims: { permissionSetArn: string; account: string; definitionHash: string; approver: string } | null;
  state: ApplyState;
}

/** The minimal statement merged into the set's inline policy, or why it cannot be. */
export function mergeStandIn(inline: string | null, statement: PolicyStatement): InlineMerge {
  let existing: PolicyDocument;
  try {
    existing =
      inline === null ? { Version: '2012-10-17', Statement: [] } : (JSON.parse(inline) as PolicyDocument);
  } catch (error) {
    return { kind: 'unreadable', problem: String(error) };
  }
  const statements = Array.isArray(existing.Statement) ? existing.Statement : [existing.Statement];
  const alreadyPresent = statements.some((held) => canonicalJson(held) === canonicalJson(statement));
  const policy = alreadyPresent ? existing : { ...existing, Statement: [...statements, statement] };
  const text = JSON.stringify(policy);
  if (text.length > PERMISSION_SET_INLINE_MAX) {
    return {
      kind: 'too-large',
      limit: 'permission-set-inline',
      size: text.length,
      max: PERMISSION_SET_INLINE_MAX,
    };
  }
  if (policySize(policy) > IAM_ROLE_INLINE_MAX) {
    return {
      kind: 'too-large',
      limit: 'iam-role-inline',
      size: policySize(policy),
      max: IAM_ROLE_INLINE_MAX,
    };
  }
  return { kind: 'merged', policy, text, alreadyPresent };
}

export function blastRadiusOf(assignments: PermissionSetAssignment[], accounts: string[]): BlastRadius {
  let people: number | null = 0;
  const names = new Set<string>();
  let unnamed = 0;
  for (const assignment of assignments) {
    if (assignment.memberCount === null) people = null;
    if (assignment.principalType === 'USER') {
      if (assignment.displayName === null) unnamed++;
      else names.add(assignment.displayName);
    } else {
      for (const name of assignment.memberNames) names.add(name);
      unnamed += Math.max(0, (assignment.memberCount ?? 0) - assignment.memberNames.length);
    }
  }
  if (people !== null) people = names.size + unnamed;
  return { people, accounts: accounts.length, assignments };
}

export function standInLoop(deps: StandInLoopDependencies): IdentityCenterLoop {
  const held = new Map<string, Held>();

  async function simulateReserved(
    access: AccountAccess,
    denial: Denial,
    reservedRoleArn: string,
    inline: PolicyDocument | null,
  ): Promise<Decision> {
    const read = await access.read(denial.account);
    const scope = await read.accountReader.loadScope(reservedRoleArn, denial.roleArn ?? '');
    const principal = scope.principal;
    // The set as it would be provisioned: its inline policy as merged (the managed policies as the
    // role holds them: a stand-in simplification; the product reads them from the definition).
    const asProvisioned =
      inline === null || principal === null
        ? scope
        : {
            ...scope,
            principal: {
              ...principal,
              inlinePolicies: [{ name: RESERVED_INLINE_POLICY_NAME, document: inline }],
            },
          };
    const result = await read.simulator.simulate({
      policySourceArn: reservedRoleArn,
      action: 'iam:PassRole',
      resourceArn: denial.roleArn ?? '',
      context: withService(denial.context, denial.passedToService),
      additionalPolicies: [],
      scope: asProvisioned,
    });
    return result.decision;
  }

  async function poll(
    entry: Held,
    requestId: string,
  ): Promise<'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' | string> {
    for (let read = 0; read < deps.pollsPerRun; read++) {
      const status = await deps.applyReader.provisioningStatus(entry.ref, requestId);
      if (status.state === 'SUCCEEDED') return 'SUCCEEDED';
      if (status.state === 'FAILED') return `FAILED: ${status.failureReason ?? 'no reason given'}`;
    }
    return 'IN_PROGRESS';
  }

  async function run(entry: Held): Promise<LoopApplyResult> {
    const { proposal, ref } = entry;
    const account = proposal.denial.account;
    for (;;) {
      const state = entry.state;
      switch (state.step) {
        case 'done':
          return state.result;
        case 'approved': {
          const claims = entry.claims;
          if (claims === null) return { kind: 'refused', reason: 'not approved' };
          const now = await deps.applyReader.definition(ref);
          if (definitionHash(now) !== claims.definitionHash) {
            return finish(
              entry,
              'refused',
              "the permission set changed since it was analysed (someone else's edit would be provisioned too)",
            );
          }
          const accounts = await deps.applyReader.provisionedAccounts(ref);
          const { administration } = deps;
          if (administration.kind === 'delegated' && accounts.includes(administration.managementAccountId)) {
            return finish(
              entry,
              'refused',
              `the permission set is provisioned to the management account ${administration.managementAccountId}; a delegated administrator cannot change it`,
            );
          }
          if (now.tags[IDENTITY_CENTER_MANAGED_TAG] !== IDENTITY_CENTER_MANAGED_TAG_VALUE) {
            return finish(
              entry,
              'refused',
              `the permission set does not carry the tag ${IDENTITY_CENTER_MANAGED_TAG}=${IDENTITY_CENTER_MANAGED_TAG_VALUE}`,
            );
          }
          entry.previousInline = now.inlinePolicy;
          await deps.writer.putInlinePolicy(ref, proposal.merge.text);
          entry.state = { step: 'written' };
          break;
        }
        case 'written': {
          const status = await deps.writer.provision(ref, account);
          entry.state = { step: 'provisioning', requestId: status.requestId };
          break;
        }
        case 'provisioning': {
          const outcome = await poll(entry, state.requestId);
          if (outcome === 'IN_PROGRESS') return { kind: 'in-progress', reason: null };
          if (outcome !== 'SUCCEEDED') {
            entry.state = { step: 'rolling-back', requestId: null, cause: `provisioning ${outcome}` };
            break;
          }
          const decision = await simulateReserved(
            deps.applyAccess,
            proposal.denial,
            proposal.denial.policySourceArn ?? '',
            null,
          );
          if (decision === 'allowed') return finish(entry, 'verified', null);
          entry.state = {
            step: 'rolling-back',
            requestId: null,
            cause: `verification in ${account} found ${decision}`,
          };
          break;
        }
        case 'rolling-back': {
          if (state.requestId === null) {
            if (entry.previousInline === null) {
              return finish(
                entry,
                'failed',
                `${state.cause}; the set's inline policy was empty and the writer cannot delete it: the change stays in place`,
              );
            }
            await deps.writer.putInlinePolicy(ref, entry.previousInline);
            const status = await deps.writer.provision(ref, account);
            entry.state = { step: 'rolling-back', requestId: status.requestId, cause: state.cause };
            break;
          }
          const outcome = await poll(entry, state.requestId);
          if (outcome === 'IN_PROGRESS') return { kind: 'in-progress', reason: null };
          const restored =
            outcome === 'SUCCEEDED' ? 'restored and provisioned' : `restored, its provisioning ${outcome}`;
          return finish(
            entry,
            'failed',
            `${state.cause}; the previous inline policy was ${restored} to ${account}`,
          );
        }
      }
    }
  }

  function finish(entry: Held, kind: LoopApplyResult['kind'], reason: string | null): LoopApplyResult {
    const result = { kind, reason };
    entry.state = { step: 'done', result };
    return result;
  }

  return {
    propose: async (record) => {
      const [read] = readDenials(record, 'identity-center-loop');
      if (read?.kind !== 'denial') throw new Error(`not a denial: ${JSON.stringify(read)}`);
      const { denial } = read;
      if (denial.permissionSetName === null || denial.roleArn === null || denial.passedToService === null) {
        return { kind: 'no-proposal', reason: 'not an Identity Center denial with a role and a service' };
      }
      const ref = await deps.reader.permissionSet(denial.permissionSetName);
      if (ref === null)
        return { kind: 'no-proposal', reason: `no permission set named ${denial.permissionSetName}` };
      const definition = await deps.reader.definition(ref);
      const accounts = await deps.reader.provisionedAccounts(ref);
      const blastRadius = blastRadiusOf(await deps.reader.assignments(ref, denial.account), accounts);
      const policyName = proposalPolicyName(denial.roleArn, denial.passedToService);
      const document = minimalPassRoleDocument(denial.roleArn, denial.passedToService, policyName);
      const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
      const merge = mergeStandIn(definition.inlinePolicy, statements[0] as PolicyStatement);
      if (merge.kind !== 'merged')
        return { kind: 'no-proposal', reason: `inline merge: ${JSON.stringify(merge)}` };
      const verification = await simulateReserved(
        deps.diagnoseAccess,
        denial,
        denial.policySourceArn ?? '',
        merge.policy,
      );
      const proposal: LoopProposal = {
        proposalId: randomUUID(),
        denial,
        target: {
          type: 'permission-set',
          name: ref.name,
          arn: null,
          memberCount: blastRadius.people,
          instanceArn: ref.instanceArn,
          permissionSetArn: ref.permissionSetArn,
          blastRadius,
          provisionedAccounts: accounts,
          definitionHash: definitionHash(definition),
        },
        blastRadius,
        document,
        merge,
        verification,
      };
      held.set(proposal.proposalId, {
        proposal,
        ref,
        previousInline: null,
        claims: null,
        state: { step: 'approved' },
      });
      return { kind: 'proposed', proposal };
    },
    approve: async (proposalId, approver) => {
      const entry = held.get(proposalId);
      if (entry === undefined) throw new Error(`no proposal ${proposalId}`);
      entry.claims = {
        permissionSetArn: entry.ref.permissionSetArn,
        account: entry.proposal.denial.account,
        definitionHash: entry.proposal.target.definitionHash ?? '',
        approver,
      };
    },
    apply: async (proposalId) => {
      const entry = held.get(proposalId);
      if (entry === undefined) throw new Error(`no proposal ${proposalId}`);
      return run(entry);
    },
  };
}
