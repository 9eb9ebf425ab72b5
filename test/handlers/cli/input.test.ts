/** The pieces under `--event`: where JSON goes wrong, how bytes become text, which documents a file holds. */
import { gzipSync } from 'node:zlib';
import { decodeBytes, MAX_DECOMPRESSED_BYTES } from '../../../lambda/handlers/cli/input/decode-bytes';
import { describeJsonError, jsonErrorOffset } from '../../../lambda/core/json-error';
import { parseDocuments } from '../../../lambda/handlers/cli/input/parse-documents';
import { InvalidInputError } from '../../../lambda/core/errors';

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": 1}', -1],
    ['[1, 2, {"b": [true, false, null, -1.5e3, "x\\u00e9\\n"]}]', -1],
    ['  "just a string"  ', -1],
    ['{"a": 1,}', 8],
    ['[1, 2,]', 6],
    ['{"a" 1}', 5],
    ['{a: 1}', 1],
    ['{"a": 01}', 7],
    ['{"a": "tab\there"}', 10],
    ['{"a": "\\x"}', 7],
    ['{"a": 1} {"b": 2}', 9],
    ['{"a": [1, 2}', 11],
    ['{"a": tru}', 6],
    ['{"a": ', 6],
    ['{"a": "unterminated', 19],
    ['', 0],
  ])('%j -> %d', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    // It agrees with JSON.parse on whether the text is JSON at all.
    if (offset === -1) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow();
  });

  it('is not recursive: deep nesting ends in an answer, not a stack overflow', () => {
    const deep = `${'['.repeat(200_000)}x`;
    expect(jsonErrorOffset(deep)).toBe(200_000);
  });

  it('names a line and a column, and non-ASCII characters by code point', () => {
    expect(describeJsonError('{\n  "a": 1,\n  "b": \u0007\n}')).toBe('line 3, column 8: unexpected U+0007');
    expect(describeJsonError('{"a": x}', true)).toBe("column 7: unexpected 'x'");
    expect(describeJsonError('{"a": ')).toBe('it ends too soon (cut short?)');
    expect(describeJsonError('  \n ')).toBe('the file is empty');
  });
});

describe('decodeBytes', () => {
  const text = '{"Records": ["é"]}';
  it.each([
    ['UTF-8', Buffer.from(text)],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ['UTF-16 LE with a BOM', Buffer.from(`\ufeff${text}`, 'utf16le')],
    ['UTF-16 LE', Buffer.from(text, 'utf16le')],
    ['UTF-16 BE with a BOM', Buffer.from(Buffer.from(`\ufeff${text}`, 'utf16le').swap16())],
    ['UTF-16 BE', Buffer.from(Buffer.from(text, 'utf16le').swap16())],
    ['gzip', gzipSync(Buffer.from(text))],
    ['gzip of UTF-16 with a BOM', gzipSync(Buffer.from(`\ufeff${text}`, 'utf16le'))],
  ])('%s', (_label, bytes) => {
    expect(decodeBytes(bytes, 'f')).toBe(text);
  });

  it('refuses a gzip file that inflates past the limit, before holding it all', () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    expect(() => decodeBytes(bomb, 'bomb.json.gz', 1024 * 1024)).toThrow(
      new InvalidInputError(
        'a gzip file that cannot be decompressed: it holds more than 1 MiB',
        'bomb.json.gz',
      ),
    );
    expect(MAX_DECOMPRESSED_BYTES).toBe(256 * 1024 * 1024);
  });

  it('refuses invalid UTF-8 as not text, naming the file', () => {
    expect(() => decodeBytes(Buffer.from([0x7b, 0xc3, 0x28]), 'f.json')).toThrow(
      new InvalidInputError('not text (neither UTF-8 nor UTF-16, and not gzip)', 'f.json'),
    );
  });
});

describe('parseDocuments', () => {
  const record = { eventName: 'UpdateJob' };

  it('a record or an EventBridge event: one document, not a collection', () => {
    expect(parseDocuments(JSON.stringify(record), 'f')).toEqual({
      collection: false,
      documents: [{ kind: 'document', value: record, where: 'f' }],
    });
  });

  it('a log file: one document (the reader places each record), a collection', () => {
    expect(parseDocuments(JSON.stringify({ Records: [record] }), 'f')).toMatchObject({
      collection: true,
      documents: [{ kind: 'document', where: 'f' }],
    });
  });

  it('an array: each element where it is', () => {
    expect(parseDocuments(JSON.stringify([record, record]), 'f').documents.map((d) => d.where)).toEqual([
      'f: [0]',
      'f: [1]',
    ]);
  });

  it('lookup-events: each CloudTrailEvent parsed, the broken one named', () => {
    const parsed = parseDocuments(
      JSON.stringify({
        Events: [{ CloudTrailEvent: JSON.stringify(record) }, { CloudTrailEvent: '{' }, { EventId: 'x' }],
        NextToken: 'abc',
      }),
      'f',
    );
    expect(parsed).toEqual({
      collection: true,
      documents: [
        { kind: 'document', value: record, where: 'f: Events[0]' },
        {
          kind: 'invalid',
          where: 'f: Events[1]',
          reason: 'CloudTrailEvent is not JSON (it ends too soon (cut short?))',
        },
        {
          kind: 'invalid',
          where: 'f: Events[2]',
          reason: "no CloudTrailEvent string, as 'aws cloudtrail lookup-events' writes",
        },
      ],
    });
  });

  it('JSON lines: each line by its number, blank lines skipped', () => {
    const parsed = parseDocuments(`${JSON.stringify(record)}\n\n${JSON.stringify(record)}\n`, 'f');
    expect(parsed.documents.map((d) => d.where)).toEqual(['f: line 1', 'f: line 3']);
    expect(parsed.collection).toBe(true);
  });

  it('pretty-printed JSON with an error is not mistaken for JSON lines', () => {
    expect(() => parseDocuments('{\n  "Records": [\n    x\n  ]\n}', 'f')).toThrow(
      new InvalidInputError("not JSON (line 3, column 5: unexpected 'x')", 'f'),
    );
  });
});
