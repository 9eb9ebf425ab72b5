/** The incident workflow hands a new `none` proposal to the approval function's auto-approval rule. */
import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../../lambda/adapters/memory/in-memory-incident-store';
import { NO_APPROVAL_LINKS } from '../../lambda/core/approval/links';
import type { AutoApprove } from '../../lambda/core/approval/requirement';
import { TransientAwsError } from '../../lambda/core/errors';
import type { EscalationLevel } from '../../lambda/core/escalation/model';
import {
  processDenial,
  type IncidentProgress,
  type IncidentWorkflowDependencies,
} from '../../lambda/core/incident-workflow';
import type { Diagnosis } from '../../lambda/core/model';
import { SEED_DENIAL, SEED_DIAGNOSIS, SEED_PROPOSAL } from '../adapters/support/proposal-records';
import { analysed } from '../support/escalation';

function setup(level: EscalationLevel | null, autoApprove: AutoApprove, fails = false) {
  const requested: string[] = [];
  const steps: IncidentProgress[] = [];
  const notifier = new InMemoryNotifier();
  const escalation = level === null ? undefined : analysed(level);
  const proposal = { ...SEED_PROPOSAL, ...(escalation ? { escalation } : {}) };
  const diagnosis: Diagnosis = { ...SEED_DIAGNOSIS, proposal };
  const deps: IncidentWorkflowDependencies = {
    store: new InMemoryIncidentStore(),
    notifier,
    diagnose: async () => diagnosis,
    clock: () => new Date('2026-06-17T02:05:00Z'),
    newProposalId: () => 'p-1',
    approvalLinks: async () => NO_APPROVAL_LINKS,
    leaseUntil: (from) => new Date(from.getTime() + 60_000),
    settings: { proposalTtlHours: 72, renotifyAfterHours: 24, autoApprove },
    autoApproveTrigger: {
      requestAutoApproval: async (id) => {
        if (fails) throw new TransientAwsError('lambda:InvokeFunction throttled');
        requested.push(id);
      },
    },
    onProgress: (step) => steps.push(step),
  };
  return { deps, requested, steps, notifier };
}

describe('processDenial: auto-approval', () => {
  it('asks for auto-approval of a new none proposal when the setting is on, then publishes', async () => {
    const s = setup('none', 'no-new-access');
    expect((await processDenial(s.deps, SEED_DENIAL)).kind).toBe('created');
    expect(s.requested).toEqual(['p-1']);
    expect(s.steps.map((step) => step.kind)).toEqual([
      'record-created',
      'auto-approval-requested',
      'message-published',
    ]);
  });

  it.each([
    ['the setting is off', 'none', 'off'],
    ['the level is contained', 'contained', 'no-new-access'],
    ['the proposal has no analysis', null, 'no-new-access'],
  ] as const)('asks nothing when %s', async (_label, level, autoApprove) => {
    const s = setup(level, autoApprove);
    await processDenial(s.deps, SEED_DENIAL);
    expect(s.requested).toEqual([]);
  });

  it('keeps the proposal pending for a person, and still publishes, when the request fails', async () => {
    const s = setup('none', 'no-new-access', true);
    expect((await processDenial(s.deps, SEED_DENIAL)).kind).toBe('created');
    expect(s.steps.map((step) => step.kind)).toContain('auto-approval-not-requested');
    expect(s.notifier.messages).toHaveLength(1);
  });
});
