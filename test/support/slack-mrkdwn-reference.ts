/**
 * A REFERENCE RENDERER for Slack mrkdwn, written for the tests (no npm package renders Slack's dialect,
 * and none that renders markdown is installed). It follows Slack's published rules ("Formatting text
 * for app surfaces", api.slack.com/reference/surfaces/formatting):
 *  - only `&amp;` `&lt;` `&gt;` are decoded; a raw `<` starts a link, mention or `<!here>`;
 *  - ``` fences a code block and `...` an inline code span: nothing inside is formatted;
 *  - `*bold*`, `_italic_`, `~strike~` where the opening mark starts a word (line start, whitespace or
 *    punctuation before it, not whitespace after it) and the closing mark ends one;
 *  - `:name:` is an emoji shortcode; `>` at a line's start is a quote;
 *  - there is no backslash escape: a backslash is shown as it is.
 * It reports what a reader sees (`text`) and every piece of formatting it applied (`spans`), so a test
 * can say a hostile name is shown exactly and only as code.
 */

export type SlackSpanKind = 'bold' | 'italic' | 'strike' | 'code' | 'code-block' | 'emoji' | 'link' | 'quote';

export interface SlackRendering {
  /** What a reader sees: marks removed, entities decoded, emoji and links as [emoji:x] / [link:x]. */
  text: string;
  spans: { kind: SlackSpanKind; text: string }[];
}

const EMPHASIS: Record<string, SlackSpanKind> = { '*': 'bold', _: 'italic', '~': 'strike' };
/** What may stand before an opening mark or after a closing one (Slack's word boundaries). */
const BOUNDARY = /[\s.,;:!?()[\]{}'"-]/;

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The nearest mark closing the one at `open`: it ends a word, with no line break in between; else -1. */
function closingMark(source: string, open: number, mark: string): number {
  for (let j = open + 2; j < source.length; j += 1) {
    if (source[j] === '\n') return -1;
    const closeAfter = source[j + 1] ?? ' ';
    if (source[j] === mark && !/\s/.test(source[j - 1] ?? ' ') && BOUNDARY.test(closeAfter)) return j;
  }
  return -1;
}

/** Formats prose (no code in it): links and mentions, emoji, emphasis. */
function renderProse(source: string, spans: SlackRendering['spans']): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? '';
    if (char === '<') {
      const end = source.indexOf('>', i + 1);
      if (end > i) {
        const inner = source.slice(i + 1, end);
        spans.push({ kind: 'link', text: inner });
        out += `[link:${inner}]`;
        i = end + 1;
        continue;
      }
    }
    if (char === ':') {
      const emoji = /^:([A-Za-z0-9_+'-]+):/.exec(source.slice(i));
      if (emoji) {
        spans.push({ kind: 'emoji', text: emoji[1] ?? '' });
        out += `[emoji:${emoji[1]}]`;
        i += emoji[0].length;
        continue;
      }
    }
    const kind = EMPHASIS[char];
    const before = i === 0 ? ' ' : (source[i - 1] ?? ' ');
    const after = source[i + 1] ?? '';
    if (kind !== undefined && BOUNDARY.test(before) && after !== '' && !/\s/.test(after)) {
      const close = closingMark(source, i, char);
      if (close !== -1) {
        const inner = renderProse(source.slice(i + 1, close), spans);
        spans.push({ kind, text: inner });
        out += inner;
        i = close + 1;
        continue;
      }
    }
    const entity = /^&(amp|lt|gt);/.exec(source.slice(i));
    if (entity) {
      out += decode(entity[0]);
      i += entity[0].length;
      continue;
    }
    out += char;
    i += 1;
  }
  return out;
}

/** Renders one mrkdwn text as Slack shows it. */
export function renderSlackMrkdwn(source: string): SlackRendering {
  const spans: SlackRendering['spans'] = [];
  let text = '';
  // A raw `>` opening a line quotes it (an escaped &gt; does not).
  const unquoted = source.replace(/(^|\n)>\s?/g, (_match, start: string) => {
    spans.push({ kind: 'quote', text: '' });
    return start;
  });
  // Code blocks, then inline code: what they hold is shown as it is (entities decoded).
  const parts = unquoted.split(/(```[\s\S]*?```|`[^`\n]+`)/);
  for (const part of parts) {
    if (part.startsWith('```') && part.endsWith('```') && part.length >= 6) {
      const inner = decode(part.slice(3, -3));
      spans.push({ kind: 'code-block', text: inner });
      text += inner;
    } else if (part.length >= 2 && part.startsWith('`') && part.endsWith('`')) {
      const inner = decode(part.slice(1, -1));
      spans.push({ kind: 'code', text: inner });
      text += inner;
    } else {
      text += renderProse(part, spans);
    }
  }
  return { text, spans };
}
