import { LocalLinkMac } from '../../../lambda/adapters/local/local-keys';
import { InMemoryNotifier } from '../../../lambda/adapters/memory/in-memory-notifier';
import { InMemoryIncidentStore } from '../../../lambda/adapters/memory/in-memory-incident-store';
import type { Denial, Diagnosis } from '../../../lambda/core/model';
import { openIncidents } from '../../../lambda/handlers/local/open-incidents';
import { proposalRecord, SEED_DENIAL } from '../../adapters/support/proposal-records';

const PROPOSING: Diagnosis = proposalRecord().diagnosis;
const BASE_URL = 'http://127.0.0.1:8787';

function denial(eventId: string, roleArn = SEED_DENIAL.roleArn): Denial {
  return { ...SEED_DENIAL, eventId, roleArn };
}

describe('openIncidents', () => {
  it('stores one record per incident through the workflow and sends each message once, in order', async () => {
    const store = new InMemoryIncidentStore();
    const notifier = new InMemoryNotifier();
    const other = 'arn:aws:iam::123456789012:role/other-runtime';
    const denials = [denial('evt-1'), denial('evt-2', other), denial('evt-3')];

    const opened = await openIncidents(
      { store, notifier, linkMac: new LocalLinkMac(), reviewBaseUrl: BASE_URL },
      denials.map((d) => ({ denial: d, diagnosis: PROPOSING })),
    );

    expect(opened.map((proposal) => proposal.record.denial.eventId)).toEqual(['evt-1', 'evt-2']);
    expect(opened.map((proposal) => proposal.record.occurrenceCount)).toEqual([2, 1]);
    for (const proposal of opened) {
      expect(proposal.reviewUrl).toMatch(new RegExp(`^${BASE_URL}/proposals/${proposal.id}\\?token=`));
    }
    // The workflow's claim and mark: each record told once, as the diagnose function tells it.
    expect(store.all().map((record) => [record.notificationCount, record.notifiedAt !== null])).toEqual([
      [1, true],
      [1, true],
    ]);
    expect(notifier.messages.map((message) => message.email.includes(opened[0]?.reviewUrl ?? '?'))).toEqual([
      true,
      false,
    ]);
    expect(notifier.messages[0]?.email).toContain('Seen 2 times');
  });
});
