/**
 * What `--event` names, read: a file in any form parse-documents.ts takes (gzip or not, UTF-8 or
 * UTF-16), or a directory of them, walked in name order as CloudTrail lays out its S3 prefix
 * (AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/).
 */
import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../../../core/errors';
import { decodeBytes } from './decode-bytes';
import { parseDocuments, type InputDocument, type ParsedFile } from './parse-documents';

/** The files a directory's walk reads; CloudTrail's digest files hold hashes, not records. */
const LOG_FILE = /\.(json|jsonl|json\.gz|gz)$/i;
const DIGEST = /CloudTrail-Digest/;

/** 'no such file' and the like: the one wording of an unreadable file for every file option. */
export function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? 'unreadable';
  }
}

/** The one error for a file that cannot be read, whichever option named it. */
export function cannotRead(path: string, error: unknown): InvalidInputError {
  return new InvalidInputError(`cannot read the file (${unreadableReason(error)})`, path, { cause: error });
}

async function parseFile(path: string): Promise<ParsedFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  return parseDocuments(decodeBytes(bytes, path), path);
}

async function logFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && LOG_FILE.test(entry.name) && !DIGEST.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** One file of a directory: its documents, or its one problem as an invalid document (the walk goes on). */
async function directoryFile(path: string): Promise<InputDocument[]> {
  try {
    return (await parseFile(path)).documents;
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const reason = error.message.startsWith(error.where)
      ? error.message.slice(error.where.length + 2)
      : error.message;
    return [{ kind: 'invalid', where: path, reason }];
  }
}

/** `--event PATH` opened: a file read whole, or a directory whose files are read one at a time. */
export interface EventInput {
  /** A collection (log file, array, lines, lookup-events, directory), not one record. */
  collection: boolean;
  /** How many files the parts come from. */
  files: number;
  /** The documents, file by file: a directory is never held in memory whole. */
  parts(): AsyncGenerator<InputDocument[]>;
}

/** `--event -` reads standard input, named so in messages. */
const STDIN = '-';
const STDIN_NAME = '(stdin)';

function single(parsed: ParsedFile): EventInput {
  return {
    collection: parsed.collection,
    files: 1,
    parts: async function* () {
      yield parsed.documents;
    },
  };
}

/** Opens `--event PATH`; InvalidInputError (one line) when there is nothing to read. */
export async function openEventInput(
  path: string,
  stdin: AsyncIterable<Uint8Array> = process.stdin,
): Promise<EventInput> {
  if (path === STDIN) {
    // `aws cloudtrail lookup-events ... | passrole-doctor diagnose --event -`
    const chunks: Uint8Array[] = [];
    for await (const chunk of stdin) chunks.push(chunk);
    const parsed = parseDocuments(decodeBytes(Buffer.concat(chunks), STDIN_NAME), STDIN_NAME);
    return single(parsed);
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw cannotRead(path, error);
  }
  if (!isDirectory) return single(await parseFile(path));
  let files: string[];
  try {
    files = await logFilesUnder(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  if (files.length === 0) {
    throw new InvalidInputError('a directory with no .json, .jsonl or .json.gz files', path);
  }
  return {
    collection: true,
    files: files.length,
    parts: async function* () {
      for (const file of files) yield await directoryFile(file);
    },
  };
}

/** Every document `--event PATH` holds, at once (serve reviews a few; diagnose reads file by file). */
export async function readEventInput(path: string): Promise<ParsedFile> {
  const input = await openEventInput(path);
  const documents: InputDocument[] = [];
  for await (const part of input.parts()) documents.push(...part);
  return { collection: input.collection, documents };
}

/**
 * Each file an option names (--snapshot, --scp), checked before any is read, so that a missing file
 * is reported as --event's is, whichever option named it.
 */
export async function assertReadableFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) throw Object.assign(new Error(path), { code: 'EISDIR' });
      await access(path, constants.R_OK);
    } catch (error) {
      throw cannotRead(path, error);
    }
  }
}
