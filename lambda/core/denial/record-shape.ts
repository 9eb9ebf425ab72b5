/** Whether an object is a CloudTrail record the reader can trust the fields of, and its event ID. */
import { describeType, isJsonObject, type JsonObject, stringField } from './json';

/**
 * CloudTrail's event IDs are UUIDs. The ID keys idempotency, is stored with the proposal and logged:
 * one longer, or with other characters, is forged, and refused rather than carried along.
 */
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
export const MAX_EVENT_ID_CHARS = 128;

export function isPlausibleEventId(eventId: string): boolean {
  return eventId.length <= MAX_EVENT_ID_CHARS && EVENT_ID_PATTERN.test(eventId);
}

/** The eventID, for outcomes that only mention it: null when absent or not plausibly CloudTrail's. */
export function mentionedEventId(object: JsonObject): string | null {
  const eventId = stringField(object, 'eventID');
  return eventId !== null && isPlausibleEventId(eventId) ? eventId : null;
}

const OPTIONAL_STRING_FIELDS = [
  'eventID',
  'errorCode',
  'errorMessage',
  'awsRegion',
  'eventTime',
  'recipientAccountId',
  'sourceIPAddress',
];
const OPTIONAL_IDENTITY_STRING_FIELDS = ['type', 'arn', 'accountId', 'principalId', 'invokedBy'];

/** What makes the object not a CloudTrail record, or null when it is one. */
export function recordShapeProblem(record: JsonObject): string | null {
  const required = ['eventSource', 'eventName', 'userIdentity'];
  if (required.every((key) => record[key] === undefined)) {
    return 'it has none of eventSource, eventName and userIdentity';
  }
  for (const key of ['eventSource', 'eventName']) {
    const value = record[key];
    if (value === undefined) return `${key} is missing`;
    if (typeof value !== 'string') return `${key} is ${describeType(value)}, expected a string`;
    if (value.trim() === '') return `${key} is empty`;
  }
  const identity = record['userIdentity'];
  if (identity === undefined) return 'userIdentity is missing';
  if (!isJsonObject(identity)) return `userIdentity is ${describeType(identity)}, expected an object`;
  for (const key of OPTIONAL_STRING_FIELDS) {
    const value = record[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return `${key} is ${describeType(value)}, expected a string`;
    }
  }
  for (const key of OPTIONAL_IDENTITY_STRING_FIELDS) {
    const value = identity[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return `userIdentity.${key} is ${describeType(value)}, expected a string`;
    }
  }
  const parameters = record['requestParameters'];
  if (parameters !== undefined && parameters !== null && !isJsonObject(parameters)) {
    return `requestParameters is ${describeType(parameters)}, expected an object or null`;
  }
  const eventId = stringField(record, 'eventID');
  if (eventId !== null && !isPlausibleEventId(eventId)) {
    const shown = eventId.length > 40 ? `${JSON.stringify(eventId.slice(0, 40))}…` : JSON.stringify(eventId);
    return `eventID ${shown} (${eventId.length} characters) is not a CloudTrail event ID: at most ${MAX_EVENT_ID_CHARS} letters, digits and - _ : .`;
  }
  return null;
}
