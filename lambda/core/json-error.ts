/**
 * Where JSON text goes wrong, as a line and column. Hand-written because V8's messages on Node 20
 * name no position for most errors (they quote the input instead, binary bytes and all), and the
 * packages that do this are not dependencies of the tool. Only run after JSON.parse has failed.
 */

type State = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after-value';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /[0-9a-fA-F]{4}/y;

/** The end of the string starting at `start` (a quote), or the offset of its first error, negated - 1. */
function scanString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '"') return index + 1;
    if (char.charCodeAt(0) < 0x20) return -index - 1;
    if (char === '\\') {
      const next = text.charAt(index + 1);
      if (next === 'u') {
        HEX4.lastIndex = index + 2;
        if (!HEX4.test(text)) return -index - 1;
        index += 6;
        continue;
      }
      if (!ESCAPES.has(next)) return -index - 1;
      index += 2;
      continue;
    }
    index++;
  }
  return -text.length - 1;
}

/** The end of the scalar value at `index`, or -1 when none starts there. */
function scanScalar(text: string, index: number): number {
  NUMBER.lastIndex = index;
  if (NUMBER.test(text)) return NUMBER.lastIndex;
  const literal = LITERALS.find((word) => text.startsWith(word, index));
  return literal === undefined ? -1 : index + literal.length;
}

/** The offset of the first error in `text`; text.length when it ends too soon; -1 when it is JSON. */
export function jsonErrorOffset(text: string): number {
  const stack: string[] = [];
  let state: State = 'value';
  let index = 0;
  for (;;) {
    while (index < text.length && WHITESPACE.has(text.charAt(index))) index++;
    if (index >= text.length) return state === 'after-value' && stack.length === 0 ? -1 : text.length;
    const char = text.charAt(index);
    const closer = stack.at(-1) === '{' ? '}' : ']';
    if ((state === 'value-or-close' && char === ']') || (state === 'key-or-close' && char === '}')) {
      stack.pop();
      index++;
      state = 'after-value';
    } else if (state === 'value' || state === 'value-or-close') {
      if (char === '{' || char === '[') {
        stack.push(char);
        index++;
        state = char === '{' ? 'key-or-close' : 'value-or-close';
        continue;
      }
      const end = char === '"' ? scanString(text, index) : scanScalar(text, index);
      if (end < 0) return char === '"' ? -end - 1 : index;
      index = end;
      state = 'after-value';
    } else if (state === 'key' || state === 'key-or-close') {
      if (char !== '"') return index;
      const end = scanString(text, index);
      if (end < 0) return -end - 1;
      index = end;
      state = 'colon';
    } else if (state === 'colon') {
      if (char !== ':') return index;
      index++;
      state = 'value';
    } else {
      if (stack.length === 0) return index;
      if (char === ',') state = stack.at(-1) === '{' ? 'key' : 'value';
      else if (char === closer) stack.pop();
      else return index;
      index++;
    }
  }
}

/** 'line 3, column 7' (both from 1; columns count UTF-16 code units, as editors mostly do). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  ) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** A character as a message shows it: printable ASCII as itself, anything else as U+XXXX. */
function shown(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f ? `'${char}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` is not JSON, in one line: what was found where, or that it ends too soon. `oneLine`: the
 * text is one line of a file (JSON lines), whose number the caller names: the column alone is given.
 */
export function describeJsonError(text: string, oneLine = false): string {
  const offset = jsonErrorOffset(text);
  if (offset === -1) return 'it cannot be parsed';
  if (offset >= text.length) {
    return text.trim() === '' ? 'the file is empty' : 'it ends too soon (cut short?)';
  }
  const { line, column } = lineAndColumn(text, offset);
  const at = oneLine ? `column ${column}` : `line ${line}, column ${column}`;
  return `${at}: unexpected ${shown(String.fromCodePoint(text.codePointAt(offset) ?? 0))}`;
}
