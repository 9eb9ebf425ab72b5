/**
 * The documents in one file's text, in each form people have CloudTrail records in: a record, an
 * EventBridge event or a log file {"Records": [...]} (read by core/denial), a JSON array of those, JSON
 * lines (one per line, as log pipelines export them) and `aws cloudtrail lookup-events` output, whose
 * records are JSON strings in Events[].CloudTrailEvent.
 */
import { InvalidInputError } from '../../../core/errors';
import { describeJsonError } from '../../../core/json-error';

/** One document for the denial reader, or why a part of the file is not one. */
export type InputDocument =
  { kind: 'document'; value: unknown; where: string } | { kind: 'invalid'; reason: string; where: string };

export interface ParsedFile {
  documents: InputDocument[];
  /** The file holds a collection (log file, array, lines, lookup-events), not one record. */
  collection: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `aws cloudtrail lookup-events` output: {"Events": [...]} where no record is expected. */
function isLookupEvents(value: Record<string, unknown>): boolean {
  return Array.isArray(value['Events']) && !('Records' in value) && !('detail-type' in value);
}

function lookupEventDocuments(events: unknown[], where: string): InputDocument[] {
  return events.map((event, index) => {
    const at = `${where}: Events[${index}]`;
    const recordText = isObject(event) ? event['CloudTrailEvent'] : undefined;
    if (typeof recordText !== 'string') {
      return {
        kind: 'invalid',
        where: at,
        reason: "no CloudTrailEvent string, as 'aws cloudtrail lookup-events' writes",
      };
    }
    const parsed = tryParse(recordText);
    return parsed.ok
      ? { kind: 'document', value: parsed.value, where: at }
      : {
          kind: 'invalid',
          where: at,
          reason: `CloudTrailEvent is not JSON (${describeJsonError(recordText)})`,
        };
  });
}

function documentsOf(value: unknown, where: string): ParsedFile {
  if (Array.isArray(value)) {
    return {
      collection: true,
      documents: value.map((item, index) => ({
        kind: 'document',
        value: item,
        where: `${where}: [${index}]`,
      })),
    };
  }
  if (isObject(value) && isLookupEvents(value)) {
    return { collection: true, documents: lookupEventDocuments(value['Events'] as unknown[], where) };
  }
  return {
    collection: isObject(value) && 'Records' in value,
    documents: [{ kind: 'document', value, where }],
  };
}

/** JSON lines, when the first non-blank line is JSON by itself and another line follows. */
function jsonLines(text: string, where: string): ParsedFile | null {
  const lines = text.split('\n');
  const filled = lines.map((line, index) => ({ line: line.trim(), number: index + 1 })).filter((l) => l.line);
  const first = filled[0];
  if (filled.length < 2 || first === undefined || !tryParse(first.line).ok) return null;
  return {
    collection: true,
    documents: filled.map(({ line, number }): InputDocument => {
      const at = `${where}: line ${number}`;
      const parsed = tryParse(line);
      return parsed.ok
        ? { kind: 'document', value: parsed.value, where: at }
        : { kind: 'invalid', where: at, reason: `not JSON (${describeJsonError(line, true)})` };
    }),
  };
}

/** The documents in a file's text; InvalidInputError when it is neither JSON nor JSON lines. */
export function parseDocuments(text: string, where: string): ParsedFile {
  const whole = tryParse(text);
  if (whole.ok) return documentsOf(whole.value, where);
  const lines = jsonLines(text, where);
  if (lines !== null) return lines;
  throw new InvalidInputError(`not JSON (${describeJsonError(text)})`, where);
}
