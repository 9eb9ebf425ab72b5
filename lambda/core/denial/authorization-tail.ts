/**
 * The tail AWS appends to many AccessDenied messages (IAM Access Troubleshooter, preview):
 *
 *   <message>. Go to https://<region>.console.aws.amazon.com/iam/home?region=<region>#/authorization-details/<ID>
 *     for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: <ID>
 *
 * It is split off before the message's own grammar is read, so that its words ('with the following')
 * are never taken for a cause clause, and a cut inside it never marks the part before it as cut.
 * An ID is taken only when written in full: CloudTrail's 1 KB cut may end the message inside it.
 */
import { partitionForRegion } from '../iam/arn';
import { quote } from './quote';

export type AuthorizationTailState =
  /** The message has no tail. */
  | 'absent'
  /** The ID at the end, written in full (and the console URL's, when it names one, is the same). */
  | 'complete'
  /** The ID at the end was cut or is missing; the console URL's, written in full, is taken. */
  | 'from-url'
  /** The message was cut before any ID was written in full. */
  | 'cut'
  /** The console URL and the end name different IDs: neither is trusted. */
  | 'conflict'
  /** A tail that names no ID in a form this release reads. */
  | 'unreadable';

export interface AuthorizationTail {
  state: AuthorizationTailState;
  /** The authorization ID, written in full; null unless the state is 'complete' or 'from-url'. */
  id: string | null;
  /** The region of the console URL, when the URL is written in full and names one region. */
  consoleRegion: string | null;
  /** The console URL names two different regions (its host and its region= parameter). */
  regionConflict: boolean;
}

export const NO_AUTHORIZATION_TAIL: AuthorizationTail = {
  state: 'absent',
  id: null,
  consoleRegion: null,
  regionConflict: false,
};

const LEAD = 'Go to https://';
const ID_LABEL = 'authorization id:';
/** The service's ID pattern is lowercase ([0-9a-z]+); the User Guide's own example has capitals. */
const ID_PATTERN = /^[A-Za-z0-9]+$/;
/** An AWS region's shape (us-east-1, us-gov-west-1, eu-isoe-west-1): it becomes part of a hostname. */
const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
/** How much of a cut message's end is examined for a cut lead: keeps the search linear. */
const CUT_LEAD_WINDOW = LEAD.length + 2;

/** Whether `value` has a region's shape: what may become part of an endpoint's hostname. */
export function isRegionName(value: string | null | undefined): value is string {
  return typeof value === 'string' && REGION_PATTERN.test(value);
}

/** Where the tail starts: its lead in full, or (in a cut message) a cut lead at the very end. */
function leadAt(body: string, truncated: boolean): number {
  const full = body.lastIndexOf(LEAD);
  if (full !== -1 && (full === 0 || /\s/.test(body.charAt(full - 1)))) return full;
  if (!truncated) return -1;
  const end = body.slice(-CUT_LEAD_WINDOW);
  for (let length = Math.min(LEAD.length - 1, end.length - 1); length >= 1; length -= 1) {
    const start = body.length - length;
    // The tail follows a sentence: '. G', never a word that happens to start with G.
    if (LEAD.startsWith(body.slice(start)) && /[.]\s+$/.test(body.slice(start - 2, start))) return start;
  }
  return -1;
}

/** The console URL's ID and region; only from a URL written in full (followed by a space). */
function readConsoleUrl(url: string): { id: string | null; region: string | null; regionConflict: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { id: null, region: null, regionConflict: false };
  }
  const hostRegion = /^([a-z0-9-]+)\.console\./.exec(parsed.hostname)?.[1];
  const queryRegion = parsed.searchParams.get('region');
  const regions = [hostRegion, queryRegion].filter(isRegionName);
  const regionConflict = regions.length === 2 && regions[0] !== regions[1];
  const id = /^#\/authorization-details\/([^/?#]+)$/.exec(parsed.hash)?.[1] ?? null;
  return {
    id: id !== null && ID_PATTERN.test(id) ? id : null,
    region: regionConflict ? null : (regions[0] ?? null),
    regionConflict,
  };
}

/** The ID after 'authorization id:', when written in full (a cut message's last word may be cut). */
function readTrailingId(tail: string, truncated: boolean): string | null {
  const at = Math.max(tail.lastIndexOf(ID_LABEL), tail.lastIndexOf(ID_LABEL.replace('id', 'ID')));
  if (at === -1) return null;
  const match = /^\s*([A-Za-z0-9]+)(\.?)\s*$/.exec(tail.slice(at + ID_LABEL.length));
  if (match === null) return null;
  // Cut right after its last character, the ID may have gone on: a prefix is never taken for an ID.
  const reachesCut = truncated && match[2] === '' && /[A-Za-z0-9]$/.test(tail);
  return reachesCut ? null : (match[1] ?? null);
}

/**
 * Splits the tail off a message body (the message without CloudTrail's '...'): `head` is read by the
 * message grammar as if complete whenever a tail, whole or cut, follows it.
 */
export function splitAuthorizationTail(
  body: string,
  truncated: boolean,
): { head: string; tail: AuthorizationTail } {
  const at = leadAt(body, truncated);
  if (at === -1) return { head: body, tail: NO_AUTHORIZATION_TAIL };
  const head = body.slice(0, at).trimEnd();
  const text = body.slice(at);
  const urlMatch = /^Go to (https:\/\/\S+)(\s|$)/.exec(text);
  const urlComplete = urlMatch !== null && (urlMatch[2] !== '' || !truncated);
  const url = urlComplete
    ? readConsoleUrl(urlMatch[1] ?? '')
    : { id: null, region: null, regionConflict: false };
  const trailing = readTrailingId(text, truncated);
  const common = { consoleRegion: url.region, regionConflict: url.regionConflict };

  if (trailing !== null && url.id !== null && trailing !== url.id) {
    return { head, tail: { state: 'conflict', id: null, ...common } };
  }
  if (trailing !== null) return { head, tail: { state: 'complete', id: trailing, ...common } };
  if (url.id !== null) return { head, tail: { state: 'from-url', id: url.id, ...common } };
  return { head, tail: { state: truncated ? 'cut' : 'unreadable', id: null, ...common } };
}

/**
 * The region whose IAM Toolbox endpoint keeps the record: the console URL's when it is in the event's
 * partition, else the event's own; null when there is no ID to look up.
 */
export function authorizationRegion(
  tail: AuthorizationTail,
  eventRegion: string,
  partition: string,
): { region: string | null; notes: string[] } {
  if (tail.id === null) return { region: null, notes: [] };
  const consoleRegion = tail.consoleRegion;
  if (consoleRegion !== null && partitionForRegion(consoleRegion) !== partition) {
    return {
      region: eventRegion,
      notes: [
        `the console URL in errorMessage names region ${consoleRegion}, outside the event's partition ${partition}: AWS's record is looked up in ${eventRegion}`,
      ],
    };
  }
  const notes = tail.regionConflict
    ? [`the console URL in errorMessage names two regions: AWS's record is looked up in ${eventRegion}`]
    : [];
  return { region: consoleRegion ?? eventRegion, notes };
}

/** What the reader of the denial should know about the tail. */
export function authorizationTailNotes(tail: AuthorizationTail): string[] {
  switch (tail.state) {
    case 'absent':
    case 'complete':
      return [];
    case 'from-url':
      return [
        `authorization ID '${quote(tail.id ?? '')}' taken from the console URL in errorMessage: the ID at its end is cut or missing`,
      ];
    case 'cut':
      return [
        "errorMessage cut inside AWS's authorization details: the authorization ID is lost, so AWS's record of the evaluation cannot be looked up",
      ];
    case 'conflict':
      return [
        "errorMessage names two different authorization IDs (its console URL's and the one at its end): neither is used",
      ];
    case 'unreadable':
      return [
        "errorMessage points to AWS's authorization details but names no authorization ID in a form this release reads",
      ];
  }
}
