import { readFile } from 'node:fs/promises';
import { describeInvalidInputLines, InvalidInputError, PassRoleDoctorError } from '../../core/errors';

/** What the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Exit codes: 0 every input diagnosed, 1 AWS or internal failure, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

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

/** JSON.parse quotes the input in its message; keep the message to one short line. */
function parseProblem(error: unknown): string {
  const message =
    error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? String((error as { message: unknown }).message)
      : String(error);
  // eslint-disable-next-line no-control-regex
  const oneLine = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine;
}

/** Reads and parses a JSON file, turning every failure into one clear InvalidInputError. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new InvalidInputError(`cannot read the file (${why})`, path, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError(`not JSON (${parseProblem(error)})`, path, { cause: error });
  }
}
