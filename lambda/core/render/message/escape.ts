/**
 * Every string that comes from an event (ARNs, names, error messages, request parameters) is escaped
 * for the place it lands in. A CloudTrail record is attacker-influenced text: a role path may hold
 * any printable character, an error message anything at all.
 */

/** C0/C1 controls, DEL, line/paragraph separators and bidi overrides (which reorder what a reader sees). */
const INVISIBLE_CONTROLS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\n\t]/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * What makes a word markup in Slack mrkdwn (`*bold*`, `_italic_`, `~strike~`, `` `code` ``, `:emoji:`)
 * or in Teams markdown (the same, `[link](url)`, a backslash escape). Neither channel has one escape
 * both read: Slack shows a backslash as it is. So a word holding one is shown as inline code, where
 * neither channel formats anything; & < > become entities everywhere (Slack requires it).
 */
const MARKUP_IN_WORD = /[\\*_~`[\]]|:[A-Za-z0-9_+'-]+:/;
/** Punctuation kept outside a word's code span, so the sentence around it reads as prose. */
const LEADING = /^[("']+/;
const TRAILING = /[.,;:!?)"']+$/;
/** Broadcast mentions; Slack's <!here> form cannot survive '<' being escaped, these plain forms can. */
const BROADCAST_MENTIONS = /@(here|channel|everyone|group|all)(?![A-Za-z0-9])/gi;
const ZERO_WIDTH_SPACE = '\u200b';
/** A look-alike of the backtick that no markdown reads as code delimiter. */
const MODIFIER_GRAVE = '\u02cb';
const ELLIPSIS = '…';

/** Cuts `text` to at most `max` UTF-16 units, never inside a surrogate pair, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ELLIPSIS;
}

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\ufffd');
}

/**
 * Cleans the start of `text` and cuts it to `max`. Only a window of the text is cleaned (cleaning only
 * ever shortens it), so a 256 KB field costs no more than a short one; text past the window is marked cut.
 */
function cleanPrefix(text: string, max: number, clean: (text: string) => string): string {
  const window = max * 2 + 64;
  if (text.length <= window) return truncate(clean(text), max);
  const cleaned = clean(text.slice(0, window));
  return cleaned.length < max ? cleaned + ELLIPSIS : truncate(cleaned + ELLIPSIS, max);
}

/** One line of plain text: line breaks and tabs become spaces, other control characters go. */
export function plainText(text: string, max: number): string {
  return cleanPrefix(text, max, (part) =>
    wellFormed(part).replace(LINE_BREAKS, ' ').replace(INVISIBLE_CONTROLS, ''),
  );
}

/** Plain text that keeps its line breaks (a JSON document, a list); other control characters go. */
export function plainBlock(text: string, max: number): string {
  return cleanPrefix(text, max, (part) =>
    wellFormed(part).replace(/\r\n?/g, '\n').replace(INVISIBLE_CONTROLS, ''),
  );
}

function neutralizeForChat(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(BROADCAST_MENTIONS, `@${ZERO_WIDTH_SPACE}$1`);
}

/**
 * Escapes the longest prefix of `text` whose escaped form fits in `max` characters: the raw text is
 * cut before escaping, so an escape sequence is never cut in half.
 */
function escapedWithin(text: string, max: number, escape: (raw: string, rawMax: number) => string): string {
  let rawMax = max;
  let escaped = escape(text, rawMax);
  while (escaped.length > max && rawMax > 1) {
    rawMax = Math.max(1, Math.min(rawMax - 1, Math.floor((rawMax * max) / escaped.length)));
    escaped = escape(text, rawMax);
  }
  return escaped;
}

/** One whitespace-delimited word of prose: as it is, or, when it would be markup, as inline code. */
function chatWord(word: string): string {
  if (!MARKUP_IN_WORD.test(word)) return word;
  const lead = LEADING.exec(word)?.[0] ?? '';
  const rest = word.slice(lead.length);
  const trail = TRAILING.exec(rest)?.[0] ?? '';
  const core = rest.slice(0, rest.length - trail.length);
  if (core === '') return `${lead}\`${trail.replace(/`/g, MODIFIER_GRAVE)}\``;
  return `${lead}\`${core.replace(/`/g, MODIFIER_GRAVE)}\`${trail}`;
}

/**
 * Text inside client-markdown prose, at most `max` characters: every word that would be markup
 * (`role_a_b`, `arn:aws:iam::*:role/x`) as inline code, so both channels show it exactly; no
 * backslash escapes (Slack shows them as they are); & < > as entities (Slack requires it, and it
 * defuses <!here>, <@U…> and links); broadcast mentions broken; one line.
 */
export function chatText(text: string, max: number): string {
  return escapedWithin(text, max, (raw, rawMax) =>
    neutralizeForChat(plainText(raw, rawMax).split(' ').map(chatWord).join(' ')),
  );
}

/** An identifier (ARN, name, command) as inline code of at most `max` characters: nothing inside is markdown. */
export function chatCode(text: string, max: number): string {
  return escapedWithin(text, max, (raw, rawMax) => {
    const inner = neutralizeForChat(plainText(raw, Math.max(1, rawMax - 2)).replace(/`/g, MODIFIER_GRAVE));
    return `\`${inner === '' ? ' ' : inner}\``;
  });
}

/** A multi-line code block (the policy document) of at most `max` characters: no backtick inside can close it. */
export function chatCodeBlock(text: string, max: number): string {
  return escapedWithin(
    text,
    max,
    (raw, rawMax) =>
      `\`\`\`\n${neutralizeForChat(plainBlock(raw, Math.max(1, rawMax - 8)).replace(/`/g, MODIFIER_GRAVE))}\n\`\`\``,
  );
}

/**
 * An SNS Subject: ASCII only, no line breaks or control characters, under 100 characters, starting
 * with a letter, digit or punctuation (SNS's rules).
 */
export function subjectLine(text: string): string {
  const ascii = plainText(text, 10_000)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  const line = ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
  return /^[A-Za-z0-9\p{P}]/u.test(line) ? line : `[${line.slice(0, 97)}]`;
}
