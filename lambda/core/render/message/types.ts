import type { ApprovalLinks } from '../../approval/links';
import type { IncidentRecord } from '../../incident';

/**
 * An AWS Chatbot (Amazon Q Developer in chat applications) custom notification: what Slack and Teams
 * channels render when it reaches them through the SNS topic.
 */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    /** Notifications with one threadId are threaded together: one incident, one thread. */
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/** One message, in each form its subscribers read. */
export interface RenderedMessage {
  /** SNS Subject (email subject line): ASCII, under 100 characters. */
  subject: string;
  /** The plain-text report email subscribers get. */
  email: string;
  /** What AWS Chatbot subscriptions (https) get. */
  chatbot: ChatbotNotification;
  /** A short text for every other protocol (SQS, Lambda, ...). */
  text: string;
}

/** `new`: the incident's first message. `reminder`: a pending proposal nobody has acted on yet. */
export type MessageKind = 'new' | 'reminder';

export interface MessageInput {
  kind: MessageKind;
  record: IncidentRecord;
  /**
   * Base URL of the review page (REVIEW_BASE_URL): without `links`, the message links to the page
   * without a token (it reads as the proposal's address; opening it needs the token).
   */
  reviewBaseUrl: string | null;
  /**
   * How to review and decide (core/approval/links.ts): the review link with its token and the CLI
   * commands, as the approval mode allows. When given, it replaces the link `reviewBaseUrl` makes.
   */
  links?: ApprovalLinks;
}
