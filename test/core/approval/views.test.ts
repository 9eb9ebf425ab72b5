import type { Actor } from '../../../lambda/core/approval/status';
import {
  decidedSentence,
  permissionSetSentence,
  proposalSummary,
  proposalView,
  reviewHistory,
} from '../../../lambda/core/approval/views';
import type { IncidentEvent } from '../../../lambda/core/incident';
import { proposalRecord, SEED_PROPOSAL } from '../../adapters/support/proposal-records';

const HOLDER: Actor = { kind: 'link-holder', name: 'link holder', sourceIp: '198.51.100.7', userAgent: 'x' };
const APPLIER: Actor = {
  kind: 'iam',
  name: 'passrole-doctor apply function',
  sourceIp: null,
  userAgent: null,
};

function step(status: IncidentEvent['status'], actor: Actor, at: string, detail: string | null = null) {
  return { status, actor, at, detail };
}

describe('decidedSentence', () => {
  it('names who decided, from where and when, and where the proposal stands now', () => {
    const approved = step('approved', HOLDER, '2026-06-18T00:00:00.000Z');
    expect(decidedSentence(proposalRecord({ status: 'approved', history: [approved] }))).toBe(
      'It was already approved by link holder from 198.51.100.7 at 2026-06-18T00:00:00.000Z.',
    );
    const verified = proposalRecord({
      status: 'verified',
      history: [approved, step('applied', APPLIER, '2026-06-18T00:00:01.000Z')],
    });
    expect(decidedSentence(verified)).toBe(
      'It was already approved by link holder from 198.51.100.7 at 2026-06-18T00:00:00.000Z; it is now verified.',
    );
  });

  it('says there is nothing to decide when nobody decided it', () => {
    expect(decidedSentence(proposalRecord({ status: 'reported', proposal: null }))).toBe(
      'It is reported: there is nothing to decide.',
    );
  });
});

describe('permissionSetSentence', () => {
  it('names the permission set and the account to re-provision', () => {
    const record = proposalRecord({
      proposal: {
        ...SEED_PROPOSAL,
        target: { type: 'permission-set', name: 'DataEngineers', arn: null, memberCount: null },
      },
    });
    const sentence = permissionSetSentence(record);
    expect(sentence).toContain('permission set DataEngineers');
    expect(sentence).toContain('account 123456789012');
  });
});

describe('reviewHistory', () => {
  it('lists each step by the actor name and source address, with its detail', () => {
    const record = proposalRecord({
      status: 'failed',
      history: [
        step('approved', HOLDER, '2026-06-18T00:00:00.000Z'),
        step('failed', APPLIER, '2026-06-18T00:00:02.000Z', 'the apply step could not be started'),
      ],
    });
    expect(reviewHistory(record)).toEqual([
      {
        status: 'approved',
        actor: 'link holder',
        at: '2026-06-18T00:00:00.000Z',
        sourceIp: '198.51.100.7',
        detail: null,
      },
      {
        status: 'failed',
        actor: 'passrole-doctor apply function',
        at: '2026-06-18T00:00:02.000Z',
        sourceIp: null,
        detail: 'the apply step could not be started',
      },
    ]);
  });
});

describe('proposalSummary and proposalView', () => {
  it('summarises a proposal without its document, and a report with a null target', () => {
    expect(proposalSummary(proposalRecord())).toEqual({
      id: 'p-1',
      status: 'pending',
      createdAt: '2026-06-17T02:05:00.000Z',
      expiresAt: '2026-06-20T02:05:00.000Z',
      summary: 'mei.tanaka may not pass etl-nightly-runtime to glue.amazonaws.com.',
      target: SEED_PROPOSAL.target,
      policyName: 'AllowPassEtlNightlyRuntimeToGlue',
    });
    expect(proposalSummary(proposalRecord({ proposal: null }))).toMatchObject({
      target: null,
      policyName: null,
    });
  });

  it('views the document with its hash, whether it expired at that instant, and the history', () => {
    const record = proposalRecord({ history: [step('approved', HOLDER, '2026-06-18T00:00:00.000Z')] });
    const view = proposalView(record, new Date('2026-06-18T00:00:00Z'));
    expect(view.expired).toBe(false);
    expect(proposalView(record, new Date(record.expiresAt)).expired).toBe(true);
    expect(view.proposal).toMatchObject({
      document: SEED_PROPOSAL.document,
      documentHash: record.documentHash,
    });
    expect(view.history).toEqual([
      { status: 'approved', actor: HOLDER, at: '2026-06-18T00:00:00.000Z', detail: null },
    ]);
    expect(view.findings).toEqual([{ kind: 'near-miss', message: 'AWSGlueConsoleFullAccess ...' }]);
    expect(proposalView(proposalRecord({ proposal: null }), new Date(0)).proposal).toBeNull();
  });
});

describe('organization mode', () => {
  const organizationAccount = {
    id: '123456789012',
    name: 'data-prod',
    ouPath: [
      { id: 'r-ab12', name: 'Root' },
      { id: 'ou-ab12-aaaaaaaa', name: 'Workloads' },
    ],
  };

  it('gives the list and get routes the account by name, id and OU path', () => {
    const record = proposalRecord({ organizationAccount });
    expect(proposalSummary(record).organizationAccount).toEqual(organizationAccount);
    expect(proposalView(record, new Date('2026-06-18T00:00:00Z')).organizationAccount).toEqual(
      organizationAccount,
    );
  });

  it('adds no account field in single-account mode', () => {
    expect(proposalSummary(proposalRecord())).not.toHaveProperty('organizationAccount');
  });

  it('names the account in the permission-set sentence', () => {
    const permissionSet = {
      ...SEED_PROPOSAL,
      target: { type: 'permission-set' as const, name: 'DataEngineers', arn: null, memberCount: null },
    };
    expect(permissionSetSentence(proposalRecord({ proposal: permissionSet, organizationAccount }))).toContain(
      're-provision the permission set to account data-prod (123456789012).',
    );
  });
});
