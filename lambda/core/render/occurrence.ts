/**
 * When an incident's denial was last seen, as a reader means it: the last counted denial's own time
 * (CloudTrail's eventTime), not when this product processed it.
 */
export interface OccurrenceTimes {
  occurrenceCount: number;
  lastSeenAt: string;
  lastEventTime?: string | null;
  denial: { eventTime: string | null };
}

/** The last denial's eventTime; null when it is not known (no eventTime, or an older record of repeats). */
export function lastDeniedAt(record: OccurrenceTimes): string | null {
  if (record.lastEventTime !== undefined) return record.lastEventTime;
  // Records stored before lastEventTime was kept: with one occurrence, the denial is the last one.
  return record.occurrenceCount === 1 ? record.denial.eventTime : null;
}

/** `last seen 2026-06-17T02:00:00Z`, or, when the denial's time is unknown, when it was processed. */
export function lastSeenWords(record: OccurrenceTimes): string {
  const at = lastDeniedAt(record);
  return at === null ? `last processed ${record.lastSeenAt}` : `last seen ${at}`;
}
