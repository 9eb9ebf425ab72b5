/**
 * Telling the outcome of an apply: the `Proposal Applied` event (proposal-applied-event.ts) and the
 * message in the proposal's channel thread, each sent once, and noted on the record as they go out so
 * that a later run sends only what did not.
 */
import type { IncidentRecord } from '../incident';
import { renderOutcomeMessage, type ApplyMessageOutcome } from '../render/message/outcome';
import type { ApprovalStore, ResultPublished } from '../../ports/approval-store';
import type { EventPublisher } from '../../ports/event-publisher';
import type { Notifier } from '../../ports/notifier';
import type { ApplyOutcome } from './outcome';
import { appliedEventDetail, PROPOSAL_APPLIED_DETAIL_TYPE } from './proposal-applied-event';

export interface PublishFailure {
  /** `record`: both went out, but noting so on the record failed. */
  channel: 'message' | 'event' | 'record';
  error: unknown;
}

export interface AnnounceDependencies {
  store: Pick<ApprovalStore, 'markResultPublished'>;
  notifier: Notifier;
  events: EventPublisher;
  clock: () => Date;
  /** Base URL of the review page, for the link in the outcome message. */
  settings: { reviewBaseUrl?: string | null };
}

/** What the message and event say of a stored outcome. */
export function messageOutcomeOf(outcome: ApplyOutcome): ApplyMessageOutcome {
  switch (outcome.kind) {
    case 'verified':
      return { kind: 'verified' };
    case 'not-verified':
      return { kind: 'not-verified', blockers: outcome.blockers };
    case 'refused':
    case 'failed':
      return { kind: outcome.kind, reason: outcome.reason ?? 'unknown reason' };
  }
}

/**
 * Sends what has not gone out yet of the outcome message and event, and notes on the record what did
 * (a note that fails is a failure too: the next run would send it again). Failures are returned.
 */
export async function announceOutcome(
  record: IncidentRecord,
  result: ApplyMessageOutcome,
  outcome: ApplyOutcome | null,
  deps: AnnounceDependencies,
): Promise<PublishFailure[]> {
  const failures: PublishFailure[] = [];
  const published: ResultPublished = {};
  // The event first: when a run dies before noting what went out, the next one sends it again, and an
  // event consumer copes with a repeat better than a person reading the channel twice.
  if (record.resultEventAt === null) {
    try {
      await deps.events.publish(PROPOSAL_APPLIED_DETAIL_TYPE, appliedEventDetail(record, result, outcome));
      published.eventAt = deps.clock();
    } catch (error) {
      failures.push({ channel: 'event', error });
    }
  }
  if (record.resultMessageAt === null) {
    try {
      const message = renderOutcomeMessage({
        record,
        result,
        outcome,
        reviewBaseUrl: deps.settings.reviewBaseUrl ?? null,
      });
      await deps.notifier.publish(message);
      published.messageAt = deps.clock();
    } catch (error) {
      failures.push({ channel: 'message', error });
    }
  }
  if (published.messageAt !== undefined || published.eventAt !== undefined) {
    try {
      await deps.store.markResultPublished(record.id, published);
    } catch (error) {
      failures.push({ channel: 'record', error });
    }
  }
  return failures;
}
