import type { RenderedMessage } from '../../core/render/message/types';
import type { Notifier } from '../../ports/notifier';

/** Keeps what would have been published: for tests, the CLI preview and the bench. */
export class InMemoryNotifier implements Notifier {
  readonly messages: RenderedMessage[] = [];

  async publish(message: RenderedMessage): Promise<void> {
    this.messages.push(structuredClone(message));
  }
}
