/** The CLI's real streams: colour, the progress line and a closed pipe, over recording streams. */
import { EventEmitter } from 'node:events';
import { colorsFor, exitQuietlyOnClosedPipe, terminalIo } from '../../../lambda/handlers/cli/terminal';

function stream(
  isTTY: boolean,
  columns = 80,
): { isTTY: boolean; columns: number; text: string; write(t: string): boolean } {
  return {
    isTTY,
    columns,
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  };
}

describe('colorsFor', () => {
  it.each([
    ['a terminal', true, {}, true],
    ['a pipe', false, {}, false],
    ['a terminal with NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['a terminal with NO_COLOR empty (not set, per no-color.org)', true, { NO_COLOR: '' }, true],
    ['a dumb terminal', true, { TERM: 'dumb' }, false],
    ['a pipe with FORCE_COLOR', false, { FORCE_COLOR: '1' }, true],
    ['a pipe with FORCE_COLOR=0', false, { FORCE_COLOR: '0' }, false],
    ['a pipe in CI (picocolors would colour it)', false, { CI: 'true' }, false],
    ['FORCE_COLOR and NO_COLOR', false, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('%s', (_label, isTTY, env, coloured) => {
    expect(colorsFor({ isTTY }, env).isColorSupported).toBe(coloured);
  });
});

describe('terminalIo', () => {
  it('a pipe: plain text, no progress line at all', () => {
    const out = stream(false);
    const err = stream(false);
    const io = terminalIo(out, err, {});
    expect(io.progress).toBeUndefined();
    io.out('Verdict: EXPLICIT DENY');
    io.err('passrole-doctor: x: no such file');
    expect(out.text).toBe('Verdict: EXPLICIT DENY\n');
    expect(err.text).toBe('passrole-doctor: x: no such file\n');
  });

  it('a terminal: the progress line is replaced in place and cleared before any output', () => {
    const out = stream(true);
    const err = stream(true, 30);
    const io = terminalIo(out, err, { NO_COLOR: '1' });
    io.progress?.('passrole-doctor: diagnosing denial 1 of 2 (reading the account)...');
    // Cut to the terminal's width less one column, so it never wraps.
    expect(err.text).toBe('\r\u001b[2Kpassrole-doctor: diagnosin...');
    io.out('report');
    expect(err.text.endsWith('\r\u001b[2K')).toBe(true);
    io.progress?.(null);
    // Nothing shown: nothing to clear.
    expect(err.text.split('\r\u001b[2K')).toHaveLength(3);
    expect(out.text).toBe('report\n');
  });

  it('error lines reach the terminal without the control characters an input put in them', () => {
    const err = stream(false);
    terminalIo(stream(false), err, {}).err('passrole-doctor: logs/\u001b[2Jx.json: not JSON');
    expect(err.text).toBe('passrole-doctor: logs/\\u001b[2Jx.json: not JSON\n');
  });

  it('a terminal that reports 0 columns gets the usual 80', () => {
    const err = stream(true, 0);
    const io = terminalIo(stream(true), err, { NO_COLOR: '1' });
    io.progress?.('passrole-doctor: diagnosing denial 1 of 2 (reading the account)...');
    expect(err.text).toBe('\r\u001b[2Kpassrole-doctor: diagnosing denial 1 of 2 (reading the account)...');
  });

  it('colours the landmarks of a report on a terminal, and JSON never', () => {
    const out = stream(true);
    const io = terminalIo(out, stream(true), {});
    io.out('Verdict: ALLOWED now\n  detail');
    io.out('{"verdict":"allowed"}');
    expect(out.text).toBe(
      '\u001b[1mVerdict:\u001b[22m \u001b[32m\u001b[1mALLOWED now\u001b[22m\u001b[39m\n  detail\n{"verdict":"allowed"}\n',
    );
  });
});

describe('exitQuietlyOnClosedPipe', () => {
  it('EPIPE ends the program with 141 and nothing written', () => {
    const emitter = new EventEmitter() as NodeJS.WriteStream;
    const exits: number[] = [];
    exitQuietlyOnClosedPipe(emitter, (code) => exits.push(code));
    emitter.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([141]);
  });

  it('any other stream error is not swallowed', () => {
    const emitter = new EventEmitter() as NodeJS.WriteStream;
    exitQuietlyOnClosedPipe(emitter, () => undefined);
    expect(() => emitter.emit('error', Object.assign(new Error('EIO'), { code: 'EIO' }))).toThrow('EIO');
  });
});
