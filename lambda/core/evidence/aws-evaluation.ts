/**
 * AWS's own record of how it evaluated a denied request (IAM Toolbox GetRequestAuthorizationDetails),
 * as domain data: no SDK or wire shapes. The adapter maps the service's output onto these types; the
 * diagnosis takes a record as evidence only after checking it belongs to the denial.
 */
import type { DenyingPolicyType } from '../model';

/** A request-context value as AWS recorded it: strings as written, numbers/booleans as their text. */
export type AwsContextValue = string | string[];
export type AwsRequestContext = Record<string, AwsContextValue>;

export type AwsEvaluatedEffect = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface AwsMatchedStatement {
  /** The statement's Sid; AWS generates one when the statement has none. null when absent. */
  sid: string | null;
  effect: 'allow' | 'deny' | null;
}

export interface AwsMatchedPolicy {
  /** A managed policy's ARN, or an opaque identifier for an inline policy (see AwsEvaluatedPolicy). */
  uri: string;
  statements: AwsMatchedStatement[];
}

export interface AwsEvaluation {
  action: string;
  /** An ARN, a wildcard ARN, or '' for actions without a resource. */
  resource: string;
  /** Keys specific to this evaluation, applied on top of the record's requestContext. */
  context: AwsRequestContext;
  effect: AwsEvaluatedEffect | null;
  matchedPolicies: AwsMatchedPolicy[];
}

export interface AwsEvaluatedPolicy {
  /** The policy types of the product's vocabulary; null for a type this release does not know. */
  type: DenyingPolicyType | null;
  /** The type as AWS wrote it (e.g. SERVICE_CONTROL_POLICY), kept for a type mapped to null. */
  awsType: string | null;
  inline: boolean | null;
  uri: string;
  /** Principal ARN (identity, session, boundary), resource ARN, or the Organizations ARN (SCP, RCP). */
  attachedTo: string[];
}

export interface AwsAuthorizationRecord {
  authorizationId: string;
  /** The region whose endpoint answered. */
  region: string;
  requestContext: AwsRequestContext;
  /** All pages, in order. */
  evaluations: AwsEvaluation[];
  policies: AwsEvaluatedPolicy[];
}

/** Why no record could be used. Each is counted; none fails the incident. */
export type AwsRecordUnavailableReason =
  /** ResourceNotFoundException: expired (kept at least 24 h), another region, or another organization. */
  | 'not-found'
  /** AccessDeniedException: the reader lacks iam:GetRequestAuthorizationDetails. */
  | 'access-denied'
  /** 429 after the retries. */
  | 'throttled'
  /** 5xx (InternalServerException) after the retries. */
  | 'server-error'
  /** ValidationException (e.g. an ID that is not the service's shape). */
  | 'invalid-request'
  /** A response that does not follow the service model. */
  | 'invalid-response'
  /** The call did not complete (DNS, connection, timeout). */
  | 'network'
  /** This diagnosis reads no records: offline (a snapshot), or no reader is configured. */
  | 'not-consulted';

export type AwsRecordLookup =
  | { kind: 'found'; record: AwsAuthorizationRecord }
  | { kind: 'unavailable'; reason: AwsRecordUnavailableReason; detail: string };
