import {
  chatCode,
  chatCodeBlock,
  chatText,
  plainBlock,
  plainText,
  subjectLine,
  truncate,
} from '../../../../lambda/core/render/message';

const HUGE = 'A'.repeat(256 * 1024);

describe('chatText (client-markdown prose)', () => {
  it('shows every word Slack or Teams markdown would format as inline code, with no backslash escape', () => {
    expect(chatText('*bold* _it_ ~s~ `c` [l](u) #h a|b :smile: \\', 200)).toBe(
      '`*bold*` `_it_` `~s~` `\u02cbc\u02cb` `[l](u`) #h a|b `:smile`: `\\`',
    );
  });

  it('turns < > & into entities, so no tag, link or <!here> survives', () => {
    expect(chatText('<script>alert(1)</script> & <!here> <@U123> <https://x|y>', 200)).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!here&gt; &lt;@U123&gt; &lt;https://x|y&gt;',
    );
  });

  it('breaks broadcast mentions with a zero-width space', () => {
    const text = chatText('ping @here @channel @Everyone and mei@example.com', 200);
    expect(text).not.toMatch(/@(here|channel|everyone)/i);
    expect(text).toContain('@\u200bhere');
    expect(text).toContain('mei@example.com');
  });

  it('keeps to one line and drops control characters (ANSI escapes, bidi overrides)', () => {
    expect(chatText('a\nb\r\nc\td\u001b[31me\u202ef\u0000', 200)).toBe('a b c `d[31mef`');
  });

  it('never exceeds its length, even when escaping multiplies the text', () => {
    expect(chatText(HUGE, 300)).toHaveLength(300);
    const escaped = chatText('&'.repeat(1000), 50);
    expect(escaped.length).toBeLessThanOrEqual(50);
    expect(escaped).toMatch(/^(&amp;)+…$/);
  });
});

describe('chatCode and chatCodeBlock', () => {
  it('wraps an identifier in code a backtick inside cannot close', () => {
    expect(chatCode('arn:aws:iam::123456789012:role/a`b/c_d', 100)).toBe(
      '`arn:aws:iam::123456789012:role/a\u02cbb/c_d`',
    );
    expect(chatCode('<b>@here', 100)).toBe('`&lt;b&gt;@\u200bhere`');
  });

  it('keeps a code block closed and within its length', () => {
    const block = chatCodeBlock('{\n  "x": "```\\n@channel"\n}', 100);
    expect(block.startsWith('```\n')).toBe(true);
    expect(block.endsWith('\n```')).toBe(true);
    expect(block.slice(4, -4)).not.toContain('`');
    expect(chatCodeBlock(HUGE, 500).length).toBeLessThanOrEqual(500);
  });
});

describe('plain text', () => {
  it('strips control characters, keeping line breaks only in blocks', () => {
    expect(plainText('a\nb\u0007c\u009b', 100)).toBe('a bc');
    expect(plainBlock('a\r\nb\u0007\nc', 100)).toBe('a\nb\nc');
  });

  it('cuts long text with a mark and never inside a surrogate pair', () => {
    expect(plainText(HUGE, 10)).toBe('AAAAAAAAA…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(plainText('x\uD800y', 10)).toBe('x\uFFFDy');
  });
});

describe('subjectLine (SNS Subject)', () => {
  it('is ASCII, one line, under 100 characters', () => {
    const subject = subjectLine(`[passrole-doctor] Café\n\u0007 ${'é'.repeat(300)} 日本`);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^\[passrole-doctor\] Cafe eeee/);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subjectLine(`[x] ${'日本'.repeat(10)}`)).toBe(`[x] ${'??'.repeat(10)}`);
  });

  it('starts with a letter, digit or punctuation mark', () => {
    expect(subjectLine('$ denied')).toBe('[$ denied]');
    expect(subjectLine('denied')).toBe('denied');
  });
});
