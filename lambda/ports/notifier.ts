import type { RenderedMessage } from '../core/render/message/types';

/** Sends a rendered message to the team (an SNS topic: email, Slack and Teams through AWS Chatbot). */
export interface Notifier {
  publish(message: RenderedMessage): Promise<void>;
}
