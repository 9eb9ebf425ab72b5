/**
 * The grammar of AWS authorization failure messages as CloudTrail records them in errorMessage:
 *
 *   User: <arn> is not authorized to perform: <action> [on resource: <resource>]
 *     [because no <policy type> allows the <action> action | with an explicit deny in a(n) <policy type>[: <policy arn>]]
 *
 * EC2 prefixes 'You are not authorized to perform this operation.' and appends
 * 'Encoded authorization failure message: <blob>', or writes only the prefix and the blob. Many
 * messages now end with AWS's authorization-details tail (authorization-tail.ts). CloudTrail
 * cuts errorMessage at about 1 KB and ends it with '...'.
 */
import type { DenyingPolicyType, MessageCause } from '../model';
import { type AuthorizationTail, splitAuthorizationTail } from './authorization-tail';

export interface EncodedAuthorizationMessage {
  blob: string;
  /** false when CloudTrail cut the message inside the blob: it cannot be decoded. */
  complete: boolean;
}

export interface ParsedErrorMessage {
  /** The ARN after 'User: ', when the message names the caller. */
  principal: string | null;
  /** The denied action, when the message names it in full. */
  action: string | null;
  /** The message was cut inside the action's name. */
  actionCut: boolean;
  /** The resource as written: a full ARN, 'role/x', 'role x', '*'; null when the message names none. */
  resource: string | null;
  /** The message was cut inside the resource: `resource` is its beginning only. */
  resourceCut: boolean;
  cause: MessageCause;
  /** The cause clause was cut before naming the policy type or its ARN in full. */
  causeCut: boolean;
  /** The message ends with '...': CloudTrail cut it at its 1 KB limit. */
  truncated: boolean;
  encoded: EncodedAuthorizationMessage | null;
  /** The message says that AWS refuses to pass a role of another account. */
  crossAccountPassRole: boolean;
  /** The authorization-details tail (authorization-tail.ts), read apart from the grammar above. */
  authorization: AuthorizationTail;
}

const TRUNCATION_MARK = '...';
const ENCODED_MARKER = 'Encoded authorization failure message:';

/** The policy types as messages spell them, longest first so that a prefix never shadows a longer name. */
const POLICY_TYPE_PHRASES: readonly (readonly [string, DenyingPolicyType])[] = [
  ['identity-based policy', 'identity'],
  ['service control policy', 'scp'],
  ['resource control policy', 'rcp'],
  ['permissions boundary policy', 'boundary'],
  ['permissions boundary', 'boundary'],
  ['session policy', 'session'],
  ['resource-based policy', 'resource'],
  ['vpc endpoint policy', 'vpc-endpoint'],
];

const PRINCIPAL_PATTERN = /\bUser: (\S+) is not authorized/;
const ACTION_PATTERN = /\bnot authorized to perform:? ([A-Za-z0-9-]+:[A-Za-z0-9*]+)/;
const ACTION_CUT_PATTERN = /\bnot authorized to perform:? ?[A-Za-z0-9:-]*$/;
const RESOURCE_PATTERN = /^ on resource: (?:(role|user) (\S+)|(\S+))/;
const BLOB_PATTERN = /^\s*([A-Za-z0-9_-]*)/;

function policyTypeAt(text: string): { type: DenyingPolicyType; length: number } | null {
  const lower = text.toLowerCase();
  for (const [phrase, type] of POLICY_TYPE_PHRASES) {
    if (lower.startsWith(phrase)) return { type, length: phrase.length };
  }
  return null;
}

/** Trailing '.', ',' or ';' removed (a loop: a regex anchored at the end is quadratic on long input). */
function stripTrailingPunctuation(value: string): string {
  let end = value.length;
  while (end > 0 && '.,;'.includes(value.charAt(end - 1))) end -= 1;
  return value.slice(0, end);
}

/** Only the end of a cut message is examined for a cut word: keeps patterns linear on long input. */
function tail(text: string): string {
  return text.slice(-80);
}

/** The cause clause: 'because no X allows ...' or 'with an explicit deny in a(n) X[: arn]'. */
function parseCause(clause: string, cutAtEnd: boolean): { cause: MessageCause; causeCut: boolean } {
  const unknown: MessageCause = { policyType: null, explicit: null, policyArn: null };
  const implicit = /\bbecause no /i.exec(clause);
  if (implicit !== null) {
    const rest = clause.slice(implicit.index + implicit[0].length);
    const policy = policyTypeAt(rest);
    return {
      cause: { policyType: policy?.type ?? null, explicit: false, policyArn: null },
      causeCut: policy === null && cutAtEnd,
    };
  }
  const explicit = /\bwith an? explicit deny\b/i.exec(clause);
  if (explicit === null) {
    // Cut inside the clause's first words ('bec', 'with an expl'): the cause is unknown, and we say why.
    const cutInClause = cutAtEnd && /\s(?:b|be|bec\w*|w|wi|wit|with(?: \S*)*)$/i.test(tail(clause));
    return { cause: unknown, causeCut: cutInClause };
  }
  const rest = clause.slice(explicit.index + explicit[0].length);
  const inPolicy = /^ in an? /i.exec(rest);
  if (inPolicy === null) {
    return { cause: { ...unknown, explicit: true }, causeCut: cutAtEnd };
  }
  const afterArticle = rest.slice(inPolicy[0].length);
  const policy = policyTypeAt(afterArticle);
  if (policy === null) return { cause: { ...unknown, explicit: true }, causeCut: cutAtEnd };
  const afterType = afterArticle.slice(policy.length);
  const arnMatch = /^:\s*(arn:\S+)/.exec(afterType);
  if (arnMatch === null) {
    // Cut right after the type: an ARN may have followed.
    const cutBeforeArn = cutAtEnd && (afterType.trim() === '' || afterType.trim() === ':');
    return { cause: { policyType: policy.type, explicit: true, policyArn: null }, causeCut: cutBeforeArn };
  }
  const arnReachesEnd = arnMatch[0].length === afterType.length;
  if (cutAtEnd && arnReachesEnd) {
    return { cause: { policyType: policy.type, explicit: true, policyArn: null }, causeCut: true };
  }
  return {
    cause: {
      policyType: policy.type,
      explicit: true,
      policyArn: stripTrailingPunctuation(arnMatch[1] ?? ''),
    },
    causeCut: false,
  };
}

function parseEncoded(
  text: string,
  truncated: boolean,
): { plain: string; encoded: EncodedAuthorizationMessage | null } {
  const at = text.indexOf(ENCODED_MARKER);
  if (at === -1) {
    // Cut inside the marker itself ('Encoded authoriz'): the blob is lost entirely.
    const end = tail(text);
    const partialMarker = truncated ? /\bEnc[a-z ]*$/.exec(end) : null;
    if (partialMarker !== null && ENCODED_MARKER.startsWith(partialMarker[0])) {
      const plainLength = text.length - end.length + partialMarker.index;
      return { plain: text.slice(0, plainLength), encoded: { blob: '', complete: false } };
    }
    return { plain: text, encoded: null };
  }
  const after = text.slice(at + ENCODED_MARKER.length);
  const blobMatch = BLOB_PATTERN.exec(after);
  const blob = blobMatch?.[1] ?? '';
  const reachesEnd = (blobMatch?.[0].length ?? 0) === after.length;
  return {
    plain: text.slice(0, at),
    encoded: { blob, complete: blob.length > 0 && !(truncated && reachesEnd) },
  };
}

export function parseErrorMessage(message: string): ParsedErrorMessage {
  const trimmed = message.trim();
  const truncated = trimmed.endsWith(TRUNCATION_MARK);
  const body = truncated ? trimmed.slice(0, -TRUNCATION_MARK.length) : trimmed;
  // A tail, whole or cut, follows a complete message: only a cut inside the tail is a cut.
  const { head, tail: authorization } = splitAuthorizationTail(body, truncated);
  const headCut = truncated && authorization.state === 'absent';
  const { plain, encoded } = parseEncoded(head, headCut);
  // The plain part reaches the end of the message only when no encoded part follows it.
  const plainCutAtEnd = headCut && encoded === null;

  const principal = PRINCIPAL_PATTERN.exec(plain)?.[1] ?? null;
  const actionMatch = ACTION_PATTERN.exec(plain);
  const actionReachesEnd = actionMatch !== null && actionMatch.index + actionMatch[0].length === plain.length;
  const actionCut =
    plainCutAtEnd && (actionMatch === null ? ACTION_CUT_PATTERN.test(tail(plain)) : actionReachesEnd);
  const action = actionMatch === null || actionCut ? null : (actionMatch[1] ?? null);

  let resource: string | null = null;
  let resourceCut = false;
  let clause = '';
  if (actionMatch !== null && !actionCut) {
    const afterAction = plain.slice(actionMatch.index + actionMatch[0].length);
    const resourceMatch = RESOURCE_PATTERN.exec(afterAction);
    if (resourceMatch !== null) {
      const kind = resourceMatch[1];
      const written = kind !== undefined ? `${kind}/${resourceMatch[2] ?? ''}` : (resourceMatch[3] ?? '');
      // Some services quote the resource: on resource: "arn:...".
      const raw = written.replace(/^"/, '').replace(/"([.,;]?)$/, '$1');
      resourceCut = plainCutAtEnd && resourceMatch[0].length === afterAction.length;
      resource = resourceCut ? raw : stripTrailingPunctuation(raw);
      clause = afterAction.slice(resourceMatch[0].length);
    } else {
      clause = afterAction;
    }
  }
  const parsedCause = parseCause(clause, plainCutAtEnd && !resourceCut);
  // A message cut inside the resource has lost its cause clause too.
  const causeCut = parsedCause.causeCut || resourceCut;
  const cause = parsedCause.cause;

  return {
    principal,
    action,
    actionCut,
    resource,
    resourceCut,
    cause,
    causeCut,
    truncated,
    encoded,
    crossAccountPassRole: /cross-account pass role is not allowed/i.test(plain),
    authorization,
  };
}
