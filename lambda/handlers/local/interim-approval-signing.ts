/**
 * INTERIM, until the approval function signs its decisions (the approval branch): signs a decision
 * for each proposal a store moves to `approved`, as the approval function will, and hands it out with
 * the record, so the in-process apply of `serve` (and the integration tests' loop) verifies a real
 * signature. Decisions are kept beside the store (the store's codec for `decision` is the approval
 * branch's). Remove it, and pass the signer to the approval handler, when that lands.
 */
import { randomUUID } from 'node:crypto';
import { checkMinimalDocument } from '../../core/approval/minimal-shape';
import { signDecision, type SignedDecision } from '../../core/approval/signed-decision';
import { escalationFingerprint } from '../../core/escalation/fingerprint';
import type { ProposalRecord } from '../../core/incident';
import type { ApprovalStore, TransitionOutcome, TransitionRequest } from '../../ports/approval-store';
import type { DecisionSigner } from '../../ports/decision-signer';
import type { EscalationReader } from '../../ports/escalation-reader';

/** How long an interim decision may be applied. */
export const INTERIM_DECISION_VALIDITY_MS = 24 * 3_600_000;

export class InterimApprovalSigning {
  /**
   * @param decisions where decisions are kept: share one map between the stores of several functions
   *   (the integration tests' approval, apply and reconciler functions each build their own store)
   */
  constructor(
    private readonly signer: DecisionSigner,
    private readonly reader: EscalationReader,
    private readonly decisions = new Map<string, SignedDecision>(),
  ) {}

  /** The decision signed when `record` was approved, if any. */
  decisionOf(proposalId: string): SignedDecision | undefined {
    return this.decisions.get(proposalId);
  }

  /**
   * `store`, signing on every move to `approved` and handing the decisions out with the records.
   * @param lookup where the pending record is read before it is signed (default `store`)
   */
  wrap(store: ApprovalStore, lookup: Pick<ApprovalStore, 'get'> = store): ApprovalStore {
    const withDecision = (record: ProposalRecord): ProposalRecord => {
      const decision = this.decisions.get(record.id);
      return decision === undefined ? record : { ...record, decision };
    };
    return {
      get: async (id) => {
        const record = await store.get(id);
        return record === null ? null : withDecision(record);
      },
      transition: async (id, request) => {
        // Signed before the move, as the approval function signs before it writes: a move whose
        // answer is lost (and is then met as a conflict by its retry) still has its decision.
        if (request.from === 'pending' && request.to === 'approved') {
          const current = await lookup.get(id);
          if (current?.status === 'pending') await this.sign(current, request);
        }
        return outcomeWithDecision(await store.transition(id, request), withDecision);
      },
      claimApply: (id, now, leaseUntil) => store.claimApply(id, now, leaseUntil),
      releaseApply: (id, leaseUntil) => store.releaseApply(id, leaseUntil),
      markResultPublished: (id, published) => store.markResultPublished(id, published),
      listByStatus: async (status, limit) => (await store.listByStatus(status, limit)).map(withDecision),
    };
  }

  private async sign(record: ProposalRecord, request: TransitionRequest): Promise<void> {
    const proposal = record.proposal;
    if (proposal === null || record.documentHash === null) return;
    const shape = checkMinimalDocument(proposal.document, record.denial.account);
    // What the apply step would refuse anyway is not signed.
    if (!shape.ok) return;
    const roleArn = shape.roleArn;
    const inputs = await this.reader.readEscalationInputs(roleArn, proposal.target);
    if (inputs.role === null) return;
    const fingerprint = escalationFingerprint(inputs.role, inputs.gainers);
    const { type, name, arn } = proposal.target;
    const level = proposal.escalation?.kind === 'analysed' ? proposal.escalation.level : 'contained';
    const decision = await signDecision(this.signer, {
      decisionId: randomUUID(),
      proposalId: record.id,
      account: record.denial.account,
      documentHash: record.documentHash,
      target: { type, name, arn },
      policyName: proposal.policyName,
      escalationLevel: level,
      rolePoliciesHash: fingerprint.rolePolicies,
      membershipHash: fingerprint.membership,
      approvers: [
        {
          kind: request.actor.kind,
          name: request.actor.name,
          identity: request.actor.kind === 'iam' ? request.actor.name : 'link holder',
        },
      ],
      decidedAt: request.at.toISOString(),
      expiresAt: new Date(request.at.getTime() + INTERIM_DECISION_VALIDITY_MS).toISOString(),
    });
    this.decisions.set(record.id, decision);
  }
}

function outcomeWithDecision(
  outcome: TransitionOutcome,
  withDecision: (record: ProposalRecord) => ProposalRecord,
): TransitionOutcome {
  return outcome.kind === 'not-found' ? outcome : { ...outcome, record: withDecision(outcome.record) };
}
