/**
 * The HTTP settings of every AWS SDK client the functions (and the CLI's live commands) build.
 * Without a request timeout, a connection that hangs holds the call until the function itself times
 * out; with one, the SDK abandons that attempt with a TimeoutError, which it retries as transient.
 */

/** Connecting to a regional endpoint takes milliseconds: after 3 s the connection is lost, not slow. */
export const CONNECTION_TIMEOUT_MS = 3_000;

/**
 * Until the answer's headers arrive. DynamoDB, SNS, STS, EventBridge, Lambda and KMS
 * answer within a second or two even when slow; 5 s leaves the approval function (15 s) time to retry
 * a hung call.
 */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * IAM sends a list page (ListRoles for the escalation analysis, GetAccountAuthorizationDetails for the
 * CLI's snapshot) only once it has built it, which takes seconds in a large account; a hung call still
 * leaves the diagnose function (2 minutes) time to retry.
 */
export const IAM_REQUEST_TIMEOUT_MS = 15_000;

/** The options of the SDK's Node.js request handler (@smithy/node-http-handler) that we set. */
export interface RequestHandlerSettings {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  /** Without it the SDK only logs a warning once the request timeout has passed, and keeps waiting. */
  readonly throwOnRequestTimeout: true;
}

/** Request handler settings that give up on a call after `requestTimeoutMs` without an answer. */
export function requestHandlerSettings(requestTimeoutMs: number): RequestHandlerSettings {
  return Object.freeze({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: requestTimeoutMs,
    throwOnRequestTimeout: true,
  });
}

/** For every client but IAM's: `new DynamoDBClient({ requestHandler: REQUEST_HANDLER })`. */
export const REQUEST_HANDLER = requestHandlerSettings(REQUEST_TIMEOUT_MS);

/** For IAM clients. */
export const IAM_REQUEST_HANDLER = requestHandlerSettings(IAM_REQUEST_TIMEOUT_MS);
