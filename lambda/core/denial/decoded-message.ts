/**
 * The JSON that sts:DecodeAuthorizationMessage returns for EC2's encoded authorization failure message:
 * {"allowed":false,"explicitDeny":false,"matchedStatements":{"items":[]},"failures":{"items":[]},
 *  "context":{"principal":{"id":"...","arn":"..."},"action":"iam:PassRole","resource":"arn:aws:iam::...:role/x",
 *  "conditions":{"items":[{"key":"iam:PassedToService","values":{"items":[{"value":"ec2.amazonaws.com"}]}}]}}}
 */
import { isJsonObject, objectField, stringField } from './json';

export interface DecodedAuthorization {
  allowed: boolean | null;
  explicitDeny: boolean | null;
  action: string | null;
  resource: string | null;
  principalArn: string | null;
  /** Condition key, lower-cased (AWS writes some keys in lower case) -> its values. */
  conditions: ReadonlyMap<string, string[]>;
}

function itemsOf(container: unknown): unknown[] {
  if (!isJsonObject(container)) return [];
  const items = container['items'];
  return Array.isArray(items) ? items : [];
}

function optionalBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the caller says so in its reason; there is nothing else to keep from the error.
    return undefined;
  }
}

/** The decoded message, or null when the text is not JSON of that shape. */
export function parseDecodedAuthorization(text: string): DecodedAuthorization | null {
  let parsed = parseJson(text);
  // Some tools keep DecodeAuthorizationMessage's whole response: {"DecodedMessage": "<json>"}.
  if (isJsonObject(parsed) && typeof parsed['DecodedMessage'] === 'string') {
    parsed = parseJson(parsed['DecodedMessage']);
  }
  if (!isJsonObject(parsed)) return null;
  const context = objectField(parsed, 'context');
  if (context === null) return null;
  const conditions = new Map<string, string[]>();
  for (const item of itemsOf(context['conditions'])) {
    if (!isJsonObject(item)) continue;
    const key = stringField(item, 'key');
    if (key === null) continue;
    const values = itemsOf(item['values'])
      .map((value) => (isJsonObject(value) ? stringField(value, 'value') : null))
      .filter((value): value is string => value !== null);
    conditions.set(key.toLowerCase(), [...(conditions.get(key.toLowerCase()) ?? []), ...values]);
  }
  return {
    allowed: optionalBoolean(parsed['allowed']),
    explicitDeny: optionalBoolean(parsed['explicitDeny']),
    action: stringField(context, 'action'),
    resource: stringField(context, 'resource'),
    principalArn: stringField(objectField(context, 'principal'), 'arn'),
    conditions,
  };
}
