/**
 * What reading one CloudTrail record comes to: a denial, not applicable (a CloudTrail record, but not an
 * iam:PassRole denial), or invalid (not CloudTrail input at all). Each not-applicable outcome carries a
 * machine-readable code beside its human reason, so metrics and tests need not match the prose.
 */
import type { Denial } from '../model';

/** Why a record is not an iam:PassRole denial, one code per kind of reason. */
export const NOT_APPLICABLE_CODES = [
  /** An EventBridge event whose detail-type is not 'AWS API Call via CloudTrail'. */
  'not-an-api-call-event',
  /** An EventBridge event whose source is not aws.*: only AWS services put CloudTrail's events. */
  'not-from-aws',
  /** A CloudTrail Insights event. */
  'insights-event',
  /** The call succeeded: the record has no errorCode. */
  'not-an-error',
  /** The errorCode is not an authorization failure, and errorMessage names no iam:PassRole. */
  'not-authorization-failure',
  /**
   * errorCode VpceAccessDenied (a network activity event): a VPC endpoint policy denied the call, and
   * the record does not name the denied action.
   */
  'vpc-endpoint-policy',
  /** Denied, but the record has no errorMessage. */
  'no-error-message',
  /** The denied action (from errorMessage or the decoded message) is another than iam:PassRole. */
  'not-passrole',
  /** errorMessage is cut at 1 KB before naming the denied action. */
  'error-message-cut',
  /** errorMessage does not name the denied action. */
  'action-not-named',
  /** EC2's encoded authorization message is cut at 1 KB: it cannot be decoded. */
  'encoded-message-cut',
  /** EC2's encoded authorization message was not decoded. */
  'encoded-message-not-decoded',
  /** The decoded authorization message is not sts:DecodeAuthorizationMessage's JSON. */
  'decoded-message-unreadable',
  /** The decoded authorization message names no action. */
  'decoded-message-names-no-action',
] as const;

export type NotApplicableCode = (typeof NOT_APPLICABLE_CODES)[number];

export type ReadOutcome =
  | { kind: 'denial'; denial: Denial; where: string }
  | {
      kind: 'not-applicable';
      /** What kind of reason, for metrics and tests; `reason` says it to a person. */
      code: NotApplicableCode;
      eventId: string | null;
      reason: string;
      where: string;
    }
  | { kind: 'invalid'; reason: string; where: string };

export type NotApplicable = Extract<ReadOutcome, { kind: 'not-applicable' }>;

export interface ReadOptions {
  /** Decoded EC2 authorization messages (sts:DecodeAuthorizationMessage output JSON), keyed by the encoded blob. */
  decodedMessages?: ReadonlyMap<string, string>;
}

/** A value and the notes its reading made: how the reader's steps return, instead of pushing into a parameter. */
export interface Noted<T> {
  value: T;
  notes: string[];
}

export function invalid(where: string, reason: string): ReadOutcome {
  return { kind: 'invalid', reason, where };
}

export function notApplicable(
  code: NotApplicableCode,
  reason: string,
  eventId: string | null,
  where: string,
): NotApplicable {
  return { kind: 'not-applicable', code, eventId, reason, where };
}
