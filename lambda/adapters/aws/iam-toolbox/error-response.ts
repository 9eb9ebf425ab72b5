/**
 * An IAM Toolbox error response as an unavailable reason: the model's four error shapes first (by the
 * restJson error type: the x-amzn-errortype header, else the body's code or __type), then AWS's
 * service-wide answers (throttling, 5xx) by their type or HTTP status.
 */
import type { AwsRecordUnavailableReason } from '../../../core/evidence/aws-evaluation';
import { quote } from '../../../core/denial/quote';

export interface ErrorVerdict {
  reason: AwsRecordUnavailableReason;
  /** Worth another attempt: throttling and server faults. */
  retryable: boolean;
  detail: string;
}

const BY_TYPE: Readonly<Record<string, AwsRecordUnavailableReason>> = {
  AccessDeniedException: 'access-denied',
  ResourceNotFoundException: 'not-found',
  ValidationException: 'invalid-request',
  InternalServerException: 'server-error',
  ThrottlingException: 'throttled',
  TooManyRequestsException: 'throttled',
  Throttling: 'throttled',
  ServiceUnavailableException: 'server-error',
};

/** 'ns#Name:http://...' or 'Name:http://...' -> 'Name', as AWS's restJson clients read it. */
function bareType(value: string): string {
  const withoutUrl = value.split(':')[0] ?? '';
  return withoutUrl.slice(withoutUrl.lastIndexOf('#') + 1).trim();
}

function errorType(headers: Headers, body: unknown): string | null {
  const header = headers.get('x-amzn-errortype');
  if (header !== null && header.trim() !== '') return bareType(header);
  if (typeof body === 'object' && body !== null) {
    for (const key of ['code', '__type']) {
      const value = (body as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.trim() !== '') return bareType(value);
    }
  }
  return null;
}

function messageOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  const value = record['message'] ?? record['Message'];
  return typeof value === 'string' && value !== '' ? value : null;
}

function reasonOfStatus(status: number): AwsRecordUnavailableReason {
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server-error';
  if (status === 403) return 'access-denied';
  if (status === 404) return 'not-found';
  if (status >= 400) return 'invalid-request';
  return 'invalid-response';
}

/** The verdict on a response whose status is not the operation's 200. */
export function errorVerdict(status: number, headers: Headers, body: unknown): ErrorVerdict {
  const type = errorType(headers, body);
  const known = type !== null && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type] : undefined;
  const reason = known ?? reasonOfStatus(status);
  const message = messageOf(body);
  const detail = `HTTP ${status}${type === null ? '' : ` ${quote(type, 80)}`}${message === null ? '' : `: ${quote(message, 200)}`}`;
  return { reason, retryable: reason === 'throttled' || reason === 'server-error', detail };
}
