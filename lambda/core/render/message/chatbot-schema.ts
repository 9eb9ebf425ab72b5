/**
 * The contract a Chatbot custom notification of this product keeps (chatbot.ts writes them): the
 * schema's keys, its types and this product's limits, with no control characters. The tests hold
 * every rendered notification to it.
 */
import { CHATBOT_LIMITS, isRelatedResourceArn } from './chatbot';

// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  problems: string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${where}.${key} is not part of the schema`);
  }
}

function checkString(
  value: unknown,
  where: string,
  max: number,
  problems: string[],
  options: { required?: boolean; multiline?: boolean } = {},
): void {
  if (value === undefined) {
    if (options.required) problems.push(`${where} is required`);
    return;
  }
  if (typeof value !== 'string') {
    problems.push(`${where} must be a string`);
    return;
  }
  if (options.required && value.trim() === '') problems.push(`${where} must not be empty`);
  if (value.length > max) problems.push(`${where} is ${value.length} characters, over ${max}`);
  if ((options.multiline ? CONTROL_EXCEPT_NEWLINE : ANY_CONTROL).test(value)) {
    problems.push(`${where} holds a control character`);
  }
}

function checkStringArray(
  value: unknown,
  where: string,
  maxItems: number,
  maxLength: number,
  problems: string[],
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${where} must be an array of strings`);
    return;
  }
  if (value.length > maxItems) problems.push(`${where} has ${value.length} items, over ${maxItems}`);
  value.forEach((item, index) =>
    checkString(item, `${where}[${index}]`, maxLength, problems, { multiline: true }),
  );
}

/** What is wrong with `value` as a custom notification of this product; empty when it conforms. */
export function chatbotNotificationProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return ['the notification must be a JSON object'];
  checkKeys(value, ['version', 'source', 'id', 'content', 'metadata'], '$', problems);
  if (value['version'] !== '1.0') problems.push('$.version must be "1.0"');
  if (value['source'] !== 'custom') problems.push('$.source must be "custom"');
  checkString(value['id'], '$.id', 256, problems);

  const content = value['content'];
  if (!isRecord(content)) {
    problems.push('$.content must be an object');
  } else {
    checkKeys(content, ['textType', 'title', 'description', 'nextSteps', 'keywords'], '$.content', problems);
    if (content['textType'] !== undefined && content['textType'] !== 'client-markdown') {
      problems.push('$.content.textType must be "client-markdown"');
    }
    checkString(content['title'], '$.content.title', CHATBOT_LIMITS.title, problems);
    checkString(content['description'], '$.content.description', CHATBOT_LIMITS.description, problems, {
      required: true,
      multiline: true,
    });
    checkStringArray(
      content['nextSteps'],
      '$.content.nextSteps',
      CHATBOT_LIMITS.nextSteps,
      CHATBOT_LIMITS.nextStep,
      problems,
    );
    checkStringArray(
      content['keywords'],
      '$.content.keywords',
      CHATBOT_LIMITS.keywords,
      CHATBOT_LIMITS.keyword,
      problems,
    );
  }

  const metadata = value['metadata'];
  if (metadata === undefined) return problems;
  if (!isRecord(metadata)) {
    problems.push('$.metadata must be an object');
    return problems;
  }
  checkKeys(
    metadata,
    ['threadId', 'summary', 'eventType', 'relatedResources', 'additionalContext'],
    '$.metadata',
    problems,
  );
  checkString(metadata['threadId'], '$.metadata.threadId', CHATBOT_LIMITS.threadId, problems);
  checkString(metadata['summary'], '$.metadata.summary', CHATBOT_LIMITS.summary, problems);
  checkString(metadata['eventType'], '$.metadata.eventType', CHATBOT_LIMITS.eventType, problems);
  checkStringArray(
    metadata['relatedResources'],
    '$.metadata.relatedResources',
    CHATBOT_LIMITS.relatedResources,
    CHATBOT_LIMITS.relatedResource,
    problems,
  );
  const related = metadata['relatedResources'];
  if (Array.isArray(related)) {
    related.forEach((item, index) => {
      if (typeof item === 'string' && !isRelatedResourceArn(item))
        problems.push(`$.metadata.relatedResources[${index}] is not an ARN`);
    });
  }
  const context = metadata['additionalContext'];
  if (context !== undefined) {
    if (!isRecord(context)) {
      problems.push('$.metadata.additionalContext must be an object of strings');
    } else {
      const entries = Object.entries(context);
      if (entries.length > CHATBOT_LIMITS.additionalContext) {
        problems.push(
          `$.metadata.additionalContext has ${entries.length} keys, over ${CHATBOT_LIMITS.additionalContext}`,
        );
      }
      for (const [key, item] of entries) {
        if (key.length > CHATBOT_LIMITS.contextKey)
          problems.push(`$.metadata.additionalContext key ${key.slice(0, 20)}… is too long`);
        checkString(item, `$.metadata.additionalContext.${key}`, CHATBOT_LIMITS.contextValue, problems);
      }
    }
  }
  return problems;
}
