/**
 * EC2's encoded authorization failure messages in a CloudTrail input, decoded through the port (best
 * effort: a message that cannot be decoded leaves the denial to be read from the rest of the record).
 * The result goes to readDenials as ReadOptions.decodedMessages.
 */
import type { AuthorizationMessageDecoder } from '../../ports/authorization-message-decoder';
import { parseErrorMessage } from './error-message';
import { encodedAuthorizationMessages } from './read-denials';

export interface DecodedAuthorizationMessages {
  /** The decoded JSON, keyed by the encoded blob. */
  decoded: Map<string, string>;
  /** Complete messages the decoder gave nothing back for (expired, malformed or not permitted). */
  undecodable: number;
  /** Messages CloudTrail cut at 1 KB: they can never be decoded. */
  cut: number;
}

/** The errorMessage fields of the records in a body (envelope, raw record or log file). */
function errorMessagesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const object = body as Record<string, unknown>;
  const records = Array.isArray(object['Records']) ? object['Records'] : [object['detail'] ?? object];
  return records.flatMap((record) => {
    if (typeof record !== 'object' || record === null) return [];
    const message = (record as Record<string, unknown>)['errorMessage'];
    return typeof message === 'string' ? [message] : [];
  });
}

/** Decodes each complete encoded message of `body` once, in order; counts the ones that cannot be. */
export async function decodeAuthorizationMessages(
  body: unknown,
  decoder: AuthorizationMessageDecoder,
): Promise<DecodedAuthorizationMessages> {
  const decoded = new Map<string, string>();
  let undecodable = 0;
  for (const blob of encodedAuthorizationMessages(body)) {
    const message = await decoder.decode(blob);
    if (message === null) undecodable++;
    else decoded.set(blob, message);
  }
  const cut = errorMessagesOf(body).filter(
    (message) => parseErrorMessage(message).encoded?.complete === false,
  ).length;
  return { decoded, undecodable, cut };
}
