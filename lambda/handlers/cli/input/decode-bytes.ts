/**
 * A file's bytes as text, whatever the tool that wrote it: CloudTrail's gzip log files (told by their
 * magic bytes, not their name), a UTF-8 byte order mark, and UTF-16 (PowerShell's `>` writes UTF-16 LE
 * with a BOM) in either byte order.
 */
import { gunzipSync } from 'node:zlib';
import { InvalidInputError } from '../../../core/errors';

/**
 * Past this a gzip file is refused rather than exhausting memory: CloudTrail's own files are far
 * smaller (it delivers every few minutes), and a small file can inflate a thousandfold.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** UTF-16 BE as LE: Buffer decodes LE only (no ICU needed). */
function swapPairs(bytes: Uint8Array): Buffer {
  const swapped = Buffer.alloc(bytes.length - (bytes.length % 2));
  for (let index = 0; index + 1 < bytes.length; index += 2) {
    swapped[index] = bytes[index + 1] ?? 0;
    swapped[index + 1] = bytes[index] ?? 0;
  }
  return swapped;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NOT_TEXT = 'not text (neither UTF-8 nor UTF-16, and not gzip)';

function text(bytes: Uint8Array, where: string): string {
  const [first, second] = [bytes[0], bytes[1]];
  if (first === 0xef && second === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), where);
  if (first === 0xff && second === 0xfe) return Buffer.from(bytes.subarray(2)).toString('utf16le');
  if (first === 0xfe && second === 0xff) return swapPairs(bytes.subarray(2)).toString('utf16le');
  // Without a BOM, JSON's first character is ASCII: a zero byte beside it tells UTF-16 and its order.
  if (first !== undefined && second !== undefined) {
    if (first !== 0 && second === 0) return Buffer.from(bytes).toString('utf16le');
    if (first === 0 && second !== 0) return swapPairs(bytes).toString('utf16le');
  }
  return utf8(bytes, where);
}

function utf8(bytes: Uint8Array, where: string): string {
  let decoded: string;
  try {
    decoded = UTF8.decode(bytes);
  } catch (error) {
    throw new InvalidInputError(NOT_TEXT, where, { cause: error });
  }
  if (decoded.includes('\u0000')) throw new InvalidInputError(NOT_TEXT, where);
  return decoded;
}

/** The text of a file's bytes; InvalidInputError (one line) when it is neither. */
export function decodeBytes(bytes: Uint8Array, where: string, limit = MAX_DECOMPRESSED_BYTES): string {
  if (!isGzip(bytes)) return text(bytes, where);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `it holds more than ${limit / 1024 / 1024} MiB`
        : 'it is damaged or cut short';
    throw new InvalidInputError(`a gzip file that cannot be decompressed: ${why}`, where, { cause: error });
  }
  return text(inflated, where);
}
