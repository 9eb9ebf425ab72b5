/**
 * The apply outcome on a proposal item: this release stores whether a `failed` record was refused or
 * failed (kind, reason); items of the previous release have only their history entry's words, and
 * still read as the refusal or failure they were.
 */
import { fromProposalItem, toProposalItem } from '../../../lambda/adapters/aws/proposals-table/item-codec';
import { historyDetailOf, unsuccessfulOutcome } from '../../../lambda/core/apply/outcome';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { APPLIER, hours, OUTCOME } from '../support/approval-store-contract';
import { proposalRecord } from '../support/proposal-records';

/** The item as DynamoDB keeps it (JSON round trip: no undefined). */
function item(record: IncidentRecord): Record<string, unknown> {
  return JSON.parse(JSON.stringify(toProposalItem(record))) as Record<string, unknown>;
}

/** The item as the previous release wrote it: the outcome without kind and reason. */
function itemBefore(record: IncidentRecord): Record<string, unknown> {
  const written = item(record);
  const { kind: _kind, reason: _reason, ...outcome } = written['outcome'] as Record<string, unknown>;
  return { ...written, outcome };
}

function decidedFailed(kind: 'refused' | 'failed', reason: string): IncidentRecord {
  const at = hours(1);
  return proposalRecord({
    status: 'failed',
    history: [
      { status: 'failed', actor: APPLIER, at: at.toISOString(), detail: historyDetailOf(kind, reason) },
    ],
    outcome: unsuccessfulOutcome(kind, reason, at),
  });
}

describe('DynamoDbIncidentStore: the apply outcome', () => {
  it('stores and reads back whether it was refused, and why', () => {
    const refused = decidedFailed('refused', 'the role is protected');
    expect(item(refused)['outcome']).toMatchObject({ kind: 'refused', reason: 'the role is protected' });
    expect(fromProposalItem(item(refused))).toEqual(refused);
    const verified = proposalRecord({ status: 'verified', outcome: OUTCOME });
    expect(fromProposalItem(item(verified))).toEqual(verified);
  });

  it('reads an item of the previous release as the refusal or the failure it was', () => {
    const refused = decidedFailed('refused', 'the role is protected');
    expect(itemBefore(refused)['outcome']).not.toHaveProperty('kind');
    expect(fromProposalItem(itemBefore(refused))).toEqual(refused);
    const failed = decidedFailed('failed', 'could not write the policy: Access denied');
    expect(fromProposalItem(itemBefore(failed))).toEqual(failed);
    const verified = proposalRecord({ status: 'verified', outcome: OUTCOME });
    expect(fromProposalItem(itemBefore(verified))).toEqual(verified);
  });
});
