import type { EventDetailValue, EventPublisher } from '../../ports/event-publisher';

export interface PublishedEvent {
  detailType: string;
  detail: Record<string, EventDetailValue>;
}

/** Keeps what would have been emitted: for tests, the local server and the bench. */
export class InMemoryEventPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];

  async publish(detailType: string, detail: Record<string, EventDetailValue>): Promise<void> {
    this.events.push({ detailType, detail: structuredClone(detail) });
  }
}
