/** The request's IAM condition context, as far as the CloudTrail record tells it. */
import { isIP } from 'node:net';
import type { RequestContext } from '../model';
import { type JsonObject, objectField, stringField } from './json';

/**
 * CloudTrail writes '2026-06-17T02:04:37Z'; exports from log tools write '2024-12-11 21:49:07.000000000'.
 * Both become the ISO form the simulator takes; anything else is left out.
 */
export function isoTime(eventTime: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]00:?00)?$/.exec(
    eventTime.trim(),
  );
  if (match === null) return null;
  const iso = `${match[1] ?? ''}T${match[2] ?? ''}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

function mfaFlag(value: unknown): string | null {
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  const lower = value.trim().toLowerCase();
  return lower === 'true' || lower === 'false' ? lower : null;
}

export interface ContextInput {
  record: JsonObject;
  identity: JsonObject;
  region: string;
  /** aws:PrincipalArn as IAM sets it for the caller; null leaves the key out. */
  principalArn: string | null;
}

/** The context keys and the notes on what the record could not tell. */
export function buildRequestContext({ record, identity, region, principalArn }: ContextInput): {
  context: RequestContext;
  notes: string[];
} {
  const context: RequestContext = {};
  const notes: string[] = [];

  const attributes = objectField(objectField(identity, 'sessionContext'), 'attributes');
  const mfa = attributes === null ? null : mfaFlag(attributes['mfaAuthenticated']);
  if (mfa !== null) context['aws:MultiFactorAuthPresent'] = mfa;

  const sourceIp = stringField(record, 'sourceIPAddress');
  if (sourceIp !== null && isIP(sourceIp) !== 0) {
    context['aws:SourceIp'] = sourceIp;
  } else if (sourceIp !== null) {
    notes.push(`sourceIPAddress '${sourceIp.slice(0, 100)}' is not an IP address: aws:SourceIp left out`);
  }

  context['aws:RequestedRegion'] = region;

  const eventTime = stringField(record, 'eventTime');
  const time = eventTime === null ? null : isoTime(eventTime);
  if (time !== null) context['aws:CurrentTime'] = time;
  else if (eventTime !== null)
    notes.push(`eventTime '${eventTime.slice(0, 100)}' is not a time: aws:CurrentTime left out`);

  if (principalArn !== null) context['aws:PrincipalArn'] = principalArn;

  const invokedBy = stringField(identity, 'invokedBy');
  if (invokedBy !== null) {
    notes.push(
      `the call was made on the caller's behalf by ${invokedBy.slice(0, 200)} (userIdentity.invokedBy)`,
    );
  }
  return { context, notes };
}
