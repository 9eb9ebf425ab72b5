/**
 * Emits the product's events on an EventBridge bus (PutEvents, source `passrole-doctor`), for
 * downstream automation. PutEvents can succeed as a call while failing an entry, so the answer's
 * FailedEntryCount is checked too.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AwsCallError, TransientAwsError } from '../../core/errors';
import type { EventDetailValue, EventPublisher } from '../../ports/event-publisher';
import { isTransientAwsFailure } from './aws-errors';

export const EVENT_SOURCE = 'passrole-doctor';

/** Entry error codes PutEvents reports for failures that a later attempt may not meet. */
const TRANSIENT_ENTRY_ERRORS = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

export class EventBridgePublisher implements EventPublisher {
  /** @param eventBusName a bus name or ARN; 'default' is the account's default bus. */
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(detailType: string, detail: Record<string, EventDetailValue>): Promise<void> {
    let failedEntryCount: number | undefined;
    let errorCode: string | undefined;
    let errorMessage: string | undefined;
    try {
      const output = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: EVENT_SOURCE,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
              EventBusName: this.eventBusName,
            },
          ],
        }),
      );
      failedEntryCount = output.FailedEntryCount;
      const entry = output.Entries?.[0];
      errorCode = entry?.ErrorCode;
      errorMessage = entry?.ErrorMessage;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const detailText = error instanceof Error && error.message !== '' ? `: ${error.message}` : '';
      if (isTransientAwsFailure(error)) {
        throw new TransientAwsError(`events:PutEvents failed, worth retrying later (${name}${detailText})`, {
          cause: error,
        });
      }
      throw new AwsCallError(`events:PutEvents failed (${name}${detailText})`, { cause: error });
    }
    if ((failedEntryCount ?? 0) > 0 || errorCode !== undefined) {
      const text = `events:PutEvents rejected the ${detailType} event on ${this.eventBusName} (${errorCode ?? 'no error code'}${errorMessage ? `: ${errorMessage}` : ''})`;
      throw errorCode !== undefined && TRANSIENT_ENTRY_ERRORS.has(errorCode)
        ? new TransientAwsError(text)
        : new AwsCallError(text);
    }
  }
}
