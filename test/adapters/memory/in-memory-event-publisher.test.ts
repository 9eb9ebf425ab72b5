import { InMemoryEventPublisher } from '../../../lambda/adapters/memory/in-memory-event-publisher';

describe('InMemoryEventPublisher', () => {
  it('keeps each event as published, unaffected by later changes to the caller’s detail', async () => {
    const publisher = new InMemoryEventPublisher();
    const detail = { proposalId: 'p-1', blockers: ['an explicit deny'] };
    await publisher.publish('Proposal Applied', detail);
    detail.blockers.push('changed later');
    expect(publisher.events).toEqual([
      { detailType: 'Proposal Applied', detail: { proposalId: 'p-1', blockers: ['an explicit deny'] } },
    ]);
  });
});
