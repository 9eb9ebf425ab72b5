/**
 * The `Proposal Applied` event's detail is a published contract: automation filters on it. These pin
 * its fields, their names and their values for each outcome, so a change to them fails here first.
 */
import {
  appliedEventDetail,
  PROPOSAL_APPLIED_DETAIL_TYPE,
  type ProposalAppliedDetail,
} from '../../../lambda/core/apply/proposal-applied-event';
import { unsuccessfulOutcome, type ApplyOutcome } from '../../../lambda/core/apply/outcome';
import type { IncidentRecord } from '../../../lambda/core/incident';
import { ACCOUNT, diagnosedSeedRecord, PROPOSAL_ID } from './seed-apply';

const WRITTEN_AT = '2026-06-17T03:00:01.000Z';
const FINISHED_AT = new Date('2026-06-17T03:00:09.000Z');

let seed: IncidentRecord;
beforeAll(async () => {
  seed = await diagnosedSeedRecord();
});

/** The fields every outcome's detail has from the record. */
function recordFields(): Omit<ProposalAppliedDetail, 'status' | 'policyWritten' | 'reason' | 'verification'> {
  return {
    proposalId: PROPOSAL_ID,
    incidentKey: seed.incidentKey,
    account: ACCOUNT,
    target: { type: 'group', name: 'GlueAccess', arn: `arn:aws:iam::${ACCOUNT}:group/GlueAccess` },
    policyName: 'AllowPassEtlNightlyRuntimeToGlue',
    principalArn: `arn:aws:iam::${ACCOUNT}:user/mei.tanaka`,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/etl-nightly-runtime`,
    service: 'glue.amazonaws.com',
    documentSha256: seed.documentHash,
  };
}

function written(kind: 'verified' | 'not-verified', blockers: string[]): ApplyOutcome {
  return {
    kind,
    reason: null,
    readBackMatches: true,
    verification: kind === 'verified' ? 'allowed' : 'implicitDeny',
    blockers,
    attempts: 3,
    appliedAt: WRITTEN_AT,
    finishedAt: FINISHED_AT.toISOString(),
  };
}

describe('the Proposal Applied event', () => {
  it('has the detail-type downstream rules match', () => {
    expect(PROPOSAL_APPLIED_DETAIL_TYPE).toBe('Proposal Applied');
  });

  it('has exactly these fields, whatever the outcome', () => {
    const detail = appliedEventDetail(seed, { kind: 'verified' }, written('verified', []));
    expect(Object.keys(detail).sort()).toEqual([
      'account',
      'documentSha256',
      'incidentKey',
      'policyName',
      'policyWritten',
      'principalArn',
      'proposalId',
      'reason',
      'roleArn',
      'service',
      'status',
      'target',
      'verification',
    ]);
    const refused = appliedEventDetail(seed, { kind: 'refused', reason: 'no' }, null);
    expect(Object.keys(refused).sort()).toEqual(Object.keys(detail).sort());
  });

  it('verified: written, the verification told, no reason', () => {
    expect(appliedEventDetail(seed, { kind: 'verified' }, written('verified', []))).toEqual({
      ...recordFields(),
      status: 'verified',
      policyWritten: true,
      reason: null,
      verification: { decision: 'allowed', blockers: [], attempts: 3 },
    });
  });

  it('not verified: written, with what still blocks', () => {
    const blockers = ['a service control policy does not allow it'];
    expect(
      appliedEventDetail(seed, { kind: 'not-verified', blockers }, written('not-verified', blockers)),
    ).toEqual({
      ...recordFields(),
      status: 'not-verified',
      policyWritten: true,
      reason: null,
      verification: { decision: 'implicitDeny', blockers, attempts: 3 },
    });
  });

  it('refused: status failed, nothing written, the reason without any prefix', () => {
    const reason = 'the role is not in account 123456789012';
    const expected = {
      ...recordFields(),
      status: 'failed',
      policyWritten: false,
      reason,
      verification: null,
    };
    // As decided (no outcome passed) and as announced later from the stored outcome: the same detail.
    expect(appliedEventDetail(seed, { kind: 'refused', reason }, null)).toEqual(expected);
    const stored = unsuccessfulOutcome('refused', reason, FINISHED_AT);
    expect(appliedEventDetail(seed, { kind: 'refused', reason }, stored)).toEqual(expected);
  });

  it('failed after the write: status failed, written, the verification as far as it went', () => {
    const reason = 'gave up after 6 attempts that did not finish (see the apply function\u2019s logs)';
    const outcome = unsuccessfulOutcome('failed', reason, FINISHED_AT, {
      readBackMatches: true,
      appliedAt: new Date(WRITTEN_AT),
    });
    expect(appliedEventDetail(seed, { kind: 'failed', reason }, outcome)).toEqual({
      ...recordFields(),
      status: 'failed',
      policyWritten: true,
      reason,
      verification: { decision: null, blockers: [], attempts: 0 },
    });
  });

  it('a record without a proposal has no target, policy name or document', () => {
    const bare: IncidentRecord = { ...seed, proposal: null, documentHash: null };
    expect(appliedEventDetail(bare, { kind: 'failed', reason: 'x' }, null)).toMatchObject({
      target: null,
      policyName: null,
      documentSha256: null,
    });
  });
});
