import { InMemoryNotifier } from '../../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../../lambda/adapters/memory/in-memory-incident-store';
import { NO_APPROVAL_LINKS } from '../../lambda/core/approval/links';
import { ConcurrentChangeError, InvalidInputError, TransientAwsError } from '../../lambda/core/errors';
import { incidentKeyOf, type IncidentRecord } from '../../lambda/core/incident';
import {
  dueMessage,
  processDenial,
  type IncidentProgress,
  type IncidentWorkflowDependencies,
} from '../../lambda/core/incident-workflow';
import type { Denial, Diagnosis } from '../../lambda/core/model';
import type { IncidentStore } from '../../lambda/ports/incident-store';
import { proposalRecord, SEED_DENIAL, SEED_DIAGNOSIS } from '../adapters/support/proposal-records';

const START = Date.parse('2026-06-17T02:05:00Z');
const HOUR = 3_600_000;
const INCIDENT = incidentKeyOf(SEED_DENIAL);
/** The seed diagnosis: a verified proposal for group GlueAccess. */
const PROPOSING: Diagnosis = SEED_DIAGNOSIS;
/** A diagnosis without a proposal (the role is in another account, say). */
const REPORTING: Diagnosis = {
  ...SEED_DIAGNOSIS,
  verdict: 'implicitDeny',
  summary: 'another account',
  proposal: null,
};

function denial(eventId: string): Denial {
  return { ...SEED_DENIAL, eventId };
}

interface Setup {
  deps: IncidentWorkflowDependencies;
  store: InMemoryIncidentStore;
  notifier: InMemoryNotifier;
  steps: IncidentProgress[];
  diagnosed: string[];
  advanceHours(hours: number): void;
}

interface SetupOptions {
  diagnose?: (denial: Denial) => Promise<Diagnosis>;
  /** Wraps the store, to stage what a concurrent invocation does between two calls. */
  store?: (inner: InMemoryIncidentStore) => IncidentStore;
}

function setup(options: SetupOptions = {}): Setup {
  let now = START;
  let ids = 0;
  const store = new InMemoryIncidentStore();
  const notifier = new InMemoryNotifier();
  const result: Setup = {
    store,
    notifier,
    steps: [],
    diagnosed: [],
    advanceHours: (hours) => {
      now += hours * HOUR;
    },
    deps: {
      store: options.store ? options.store(store) : store,
      notifier,
      diagnose: async (denial) => {
        result.diagnosed.push(denial.eventId);
        return options.diagnose ? options.diagnose(denial) : PROPOSING;
      },
      clock: () => new Date(now),
      newProposalId: () => `p-${++ids}`,
      approvalLinks: async () => NO_APPROVAL_LINKS,
      leaseUntil: (from) => new Date(from.getTime() + 60_000),
      settings: { proposalTtlHours: 72, renotifyAfterHours: 24 },
      onProgress: (step) => result.steps.push(step),
    },
  };
  return result;
}

/** The store with some methods replaced; the others reach the in-memory store. */
function storeWith(inner: InMemoryIncidentStore, overrides: Partial<IncidentStore>): IncidentStore {
  return {
    findOpenIncident: (key, now) => inner.findOpenIncident(key, now),
    claimDiagnosis: (key, now, until) => inner.claimDiagnosis(key, now, until),
    releaseDiagnosis: (key) => inner.releaseDiagnosis(key),
    create: (record, now) => inner.create(record, now),
    recordOccurrence: (id, occurrence) => inner.recordOccurrence(id, occurrence),
    claimNotification: (id, claim, now, until) => inner.claimNotification(id, claim, now, until),
    markNotified: (id, at) => inner.markNotified(id, at),
    releaseNotification: (id) => inner.releaseNotification(id),
    get: (id) => inner.get(id),
    ...overrides,
  };
}

const kinds = (steps: IncidentProgress[]) =>
  steps.map((step) => (step.kind === 'message-published' ? `${step.kind}:${step.claim}` : step.kind));

describe('processDenial: a new incident', () => {
  it('diagnoses it, stores a pending proposal and publishes its first message', async () => {
    const s = setup();
    const outcome = await processDenial(s.deps, denial('evt-1'));

    expect(outcome).toMatchObject({ kind: 'created', record: { id: 'p-1', status: 'pending' } });
    expect(s.store.all()).toEqual([
      expect.objectContaining({
        id: 'p-1',
        incidentKey: INCIDENT,
        notificationCount: 1,
        notifiedAt: expect.any(String),
      }),
    ]);
    expect(s.notifier.messages).toHaveLength(1);
    expect(kinds(s.steps)).toEqual(['record-created', 'message-published:first']);
  });

  it('stores the denial with the role its instance profile was found to hold', async () => {
    const profileRole = 'arn:aws:iam::123456789012:role/web-tier-instance';
    const byProfile: Denial = { ...denial('evt-1'), roleArn: null, instanceProfile: 'web-tier' };
    const s = setup({
      diagnose: async (read) => ({ ...SEED_DIAGNOSIS, denial: { ...read, roleArn: profileRole } }),
    });
    await processDenial(s.deps, byProfile);

    const [record] = s.store.all();
    expect(record?.denial).toEqual({ ...byProfile, roleArn: profileRole });
    expect(record?.diagnosis.denial).toEqual({ ...byProfile, roleArn: profileRole });
    // Keyed by the profile the record names: the lookup comes after the key.
    expect(record?.incidentKey).toBe(incidentKeyOf(byProfile));
  });

  it('reports a diagnosis without a proposal, and publishes it', async () => {
    const s = setup({ diagnose: async () => REPORTING });
    const outcome = await processDenial(s.deps, denial('evt-1'));

    expect(outcome).toMatchObject({ kind: 'reported', record: { status: 'reported', proposal: null } });
    expect(s.notifier.messages).toHaveLength(1);
  });

  it('stores nothing for a diagnosis that is not applicable, and gives the claim back', async () => {
    const notApplicable: Diagnosis = {
      outcome: 'not-applicable',
      denial: SEED_DENIAL,
      why: { code: 'role-not-named' },
    };
    const s = setup({ diagnose: async () => notApplicable });

    expect(await processDenial(s.deps, denial('evt-1'))).toEqual({
      kind: 'not-applicable',
      code: 'role-not-named',
      reason:
        'The record does not say which role was passed (neither the message nor the request parameters name it).',
    });
    expect(await processDenial(s.deps, denial('evt-2'))).toMatchObject({ kind: 'not-applicable' });
    expect(s.diagnosed).toEqual(['evt-1', 'evt-2']);
    expect(s.store.all()).toEqual([]);
    expect(s.steps).toEqual([]);
  });

  it('acknowledges a denial that can never be diagnosed as unprocessable, and gives the claim back', async () => {
    const s = setup({
      diagnose: async () => {
        throw new InvalidInputError('the account data has no IAM entity ghost', 'ghost');
      },
    });

    expect(await processDenial(s.deps, denial('evt-1'))).toEqual({
      kind: 'unprocessable',
      reason: 'the account data has no IAM entity ghost',
    });
    expect(await processDenial(s.deps, denial('evt-2'))).toMatchObject({ kind: 'unprocessable' });
    expect(s.diagnosed).toEqual(['evt-1', 'evt-2']);
  });

  it('lets any other diagnosis failure through, after giving the claim back', async () => {
    let failing = true;
    const s = setup({
      diagnose: async () => {
        if (failing) throw new TransientAwsError('iam:GetAccountAuthorizationDetails failed (Throttling)');
        return PROPOSING;
      },
    });
    await expect(processDenial(s.deps, denial('evt-1'))).rejects.toThrow(TransientAwsError);
    failing = false;
    expect(await processDenial(s.deps, denial('evt-1'))).toMatchObject({ kind: 'created' });
  });

  it('defers a new incident another invocation is diagnosing, without diagnosing it', async () => {
    const s = setup();
    await s.store.claimDiagnosis(INCIDENT, new Date(START), new Date(START + 60_000));

    expect(await processDenial(s.deps, denial('evt-1'))).toEqual({ kind: 'deferred', incidentKey: INCIDENT });
    expect(s.diagnosed).toEqual([]);
  });

  it('counts a repeat when the incident was opened while this call waited for the claim', async () => {
    const s = setup({
      store: (inner) =>
        storeWith(inner, {
          claimDiagnosis: async () => {
            // The other invocation finishes first: its record is stored and published.
            await inner.create(
              proposalRecord({ id: 'other-1', notifiedAt: new Date(START).toISOString() }),
              new Date(START),
            );
            return { kind: 'not-claimed' };
          },
        }),
    });

    expect(await processDenial(s.deps, denial('evt-2'))).toMatchObject({
      kind: 'repeat',
      record: { id: 'other-1' },
    });
    expect(s.diagnosed).toEqual([]);
  });

  it('counts a repeat of the winner when another invocation created the incident first', async () => {
    const s = setup();
    s.deps.diagnose = async () => {
      await s.store.create(
        proposalRecord({ id: 'winner', notifiedAt: new Date(START).toISOString() }),
        new Date(START),
      );
      return PROPOSING;
    };

    const outcome = await processDenial(s.deps, denial('evt-2'));

    expect(outcome).toMatchObject({ kind: 'repeat', record: { id: 'winner', occurrenceCount: 2 } });
    expect(s.store.all().map((record) => record.id)).toEqual(['winner']);
    expect(s.steps[0]).toEqual({ kind: 'incident-opened-elsewhere', proposalId: 'winner' });
    expect(kinds(s.steps)).toEqual(['incident-opened-elsewhere', 'occurrence-counted']);
  });

  it('tells a message another invocation is publishing as not due', async () => {
    const s = setup({
      store: (inner) => storeWith(inner, { claimNotification: async () => ({ kind: 'not-claimed' }) }),
    });
    expect(await processDenial(s.deps, denial('evt-1'))).toMatchObject({ kind: 'created' });
    expect(s.notifier.messages).toEqual([]);
    expect(s.steps.at(-1)).toEqual({ kind: 'message-not-due', proposalId: 'p-1', claim: 'first' });
  });
});

describe('processDenial: an open incident', () => {
  it('counts a repeat without diagnosing it or sending another message', async () => {
    const s = setup();
    await processDenial(s.deps, denial('evt-1'));
    s.steps.length = 0;
    s.advanceHours(1);

    const outcome = await processDenial(s.deps, denial('evt-2'));

    expect(outcome).toMatchObject({ kind: 'repeat', record: { id: 'p-1', occurrenceCount: 2 } });
    expect(s.diagnosed).toEqual(['evt-1']);
    expect(s.notifier.messages).toHaveLength(1);
    expect(s.steps).toEqual([expect.objectContaining({ kind: 'occurrence-counted', alreadyCounted: false })]);
  });

  it('sends a reminder once the last message is older than renotifyAfterHours', async () => {
    const s = setup();
    await processDenial(s.deps, denial('evt-1'));
    s.advanceHours(25);

    const outcome = await processDenial(s.deps, denial('evt-2'));

    expect(outcome).toMatchObject({ kind: 'reminder-sent', record: { id: 'p-1' } });
    expect(s.notifier.messages.map((message) => message.chatbot.metadata.eventType)).toEqual([
      'PassRoleProposal',
      'PassRoleReminder',
    ]);
    expect(kinds(s.steps).slice(-2)).toEqual(['occurrence-counted', 'message-published:reminder']);
  });

  it('heals a first message that never went out: the next delivery sends it, once', async () => {
    let failures = 1;
    const s = setup();
    s.deps.notifier = {
      publish: async (message) => {
        if (failures-- > 0) throw new TransientAwsError('sns:Publish failed (Throttling)');
        await s.notifier.publish(message);
      },
    };
    await expect(processDenial(s.deps, denial('evt-1'))).rejects.toThrow('sns:Publish failed');
    expect(s.store.all()[0]).toMatchObject({ notifiedAt: null, notificationLeaseUntil: null });
    expect(kinds(s.steps)).toEqual(['record-created']);

    const redelivered = await processDenial(s.deps, denial('evt-1'));

    expect(redelivered).toMatchObject({
      kind: 'first-message-sent',
      record: { id: 'p-1', occurrenceCount: 1 },
    });
    expect(s.steps.at(-2)).toMatchObject({ kind: 'occurrence-counted', alreadyCounted: true });
    expect(s.notifier.messages).toHaveLength(1);
    expect(s.diagnosed).toEqual(['evt-1']);
  });

  it('holds every message while holdMessages is set; the first denial again sends one, counting all', async () => {
    const s = setup();
    const held = { ...s.deps, holdMessages: true };
    expect(await processDenial(held, denial('evt-1'))).toMatchObject({ kind: 'created' });
    expect(await processDenial(held, denial('evt-2'))).toMatchObject({ kind: 'repeat' });
    expect(s.notifier.messages).toEqual([]);
    expect(s.store.all()[0]).toMatchObject({ notifiedAt: null, occurrenceCount: 2 });

    const released = await processDenial(s.deps, denial('evt-1'));

    expect(released).toMatchObject({ kind: 'first-message-sent', record: { occurrenceCount: 2 } });
    expect(s.notifier.messages).toHaveLength(1);
    expect(s.notifier.messages[0]?.email).toContain('Seen 2 times');
    expect(s.diagnosed).toEqual(['evt-1']);
  });

  it('fails a repeat whose incident closed between the lookup and the count, for a retry', async () => {
    const s = setup({
      store: (inner) => storeWith(inner, { recordOccurrence: async () => ({ kind: 'closed' }) }),
    });
    await processDenial(s.deps, denial('evt-1'));
    await expect(processDenial(s.deps, denial('evt-2'))).rejects.toThrow(ConcurrentChangeError);
  });
});

describe('dueMessage', () => {
  const now = new Date('2026-06-18T12:00:00Z');
  const record = (overrides: Partial<IncidentRecord>) => proposalRecord(overrides);

  it('is the first message while none went out, whatever the status', () => {
    expect(dueMessage(record({ notifiedAt: null }), now, 24)).toEqual({ kind: 'first' });
    expect(dueMessage(record({ notifiedAt: null, status: 'reported' }), now, 24)).toEqual({ kind: 'first' });
  });

  it('is a reminder of a pending proposal last told more than renotifyAfterHours ago', () => {
    expect(dueMessage(record({ notifiedAt: '2026-06-17T11:59:59.000Z' }), now, 24)).toEqual({
      kind: 'reminder',
      notifiedBefore: new Date('2026-06-17T12:00:00Z'),
    });
    expect(dueMessage(record({ notifiedAt: '2026-06-17T12:00:00.000Z' }), now, 24)).toBeNull();
  });

  it('never reminds of a report or a decided proposal', () => {
    const long = '2026-06-01T00:00:00.000Z';
    expect(dueMessage(record({ notifiedAt: long, status: 'reported' }), now, 24)).toBeNull();
    expect(dueMessage(record({ notifiedAt: long, status: 'approved' }), now, 24)).toBeNull();
  });
});
