/** A JSON value, as an event's detail carries it. */
export type EventDetailValue =
  string | number | boolean | null | EventDetailValue[] | { [key: string]: EventDetailValue };

/** Emits an event for downstream automation: EventBridge on AWS, a list in memory. */
export interface EventPublisher {
  /** @param detailType e.g. 'Proposal Applied'; the source is the publisher's own ('passrole-doctor'). */
  publish(detailType: string, detail: Record<string, EventDetailValue>): Promise<void>;
}
