import { readFile } from 'node:fs/promises';
import { describeInvalidInputLines, InvalidInputError, PassRoleDoctorError } from '../../core/errors';
import { decodeBytes } from './input/decode-bytes';
import { describeJsonError } from '../../core/json-error';
import { cannotRead } from './input/read-input';

/** What the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /**
   * A transient status line while slow work runs (null clears it). Only where stderr is a terminal:
   * absent otherwise, so logs and pipes never hold it.
   */
  progress?(text: string | null): void;
}

/** Exit codes: 0 every input diagnosed, 1 AWS or internal failure, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** stdout closed early (`| head -1`): what a shell reports for a program ended by SIGPIPE (128 + 13). */
export const EXIT_PIPE_CLOSED = 141;

/** A command's failure as one line on stderr; returns the exit code it ends with. */
export function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof InvalidInputError) {
    for (const line of describeInvalidInputLines(error)) io.err(`passrole-doctor: ${line}`);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof PassRoleDoctorError) {
    io.err(`passrole-doctor: ${error.message}`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`passrole-doctor: unexpected failure: ${message.split('\n')[0]}`);
  return EXIT_FAILURE;
}

/** Reads and parses one JSON file (gzip, UTF-8 or UTF-16), every failure one clear InvalidInputError. */
export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  const text = decodeBytes(bytes, path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError(`not JSON (${describeJsonError(text)})`, path, { cause: error });
  }
}
