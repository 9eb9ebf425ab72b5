/**
 * The CLI's real streams: colour only where a person reads it, a progress line only on a terminal,
 * and a reader that stops early (`| head -1`) ends the program quietly.
 */
import { createColors } from 'picocolors';
import { terminalSafe } from '../../core/render/text-report';
import { EXIT_PIPE_CLOSED, type CliIo } from './io';

type Colors = ReturnType<typeof createColors>;

interface Stream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * Colour when the stream is a terminal (not 'dumb') or FORCE_COLOR asks, never with NO_COLOR set
 * (no-color.org). Decided per stream: picocolors' own default looks at stdout alone and turns colour
 * on whenever CI is set, even into a pipe or a file.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  if (env['NO_COLOR']) return createColors(false);
  const forced = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0';
  return createColors(forced || (stream.isTTY === true && env['TERM'] !== 'dumb'));
}

const VERDICT = /^Verdict: (.*)$/;

/** The text report's landmarks picked out; every other line as rendered (already terminal-safe). */
export function styleReportLine(line: string, colors: Colors): string {
  const verdict = VERDICT.exec(line);
  if (verdict !== null) {
    const words = verdict[1] ?? '';
    const tone = words.startsWith('ALLOWED')
      ? colors.green
      : words.startsWith('NOT APPLICABLE')
        ? colors.dim
        : colors.red;
    return `${colors.bold('Verdict:')} ${tone(colors.bold(words))}`;
  }
  if (/^(Denial |Findings:|Proposed fix:|Not shown: )/.test(line)) return colors.bold(line);
  if (/^\s+Verified by simulation: /.test(line)) return colors.green(line);
  if (/^\s+! /.test(line)) return colors.yellow(line);
  return line;
}

/** Errors keep their one line; the program's name in red marks them. */
export function styleErrorLine(line: string, colors: Colors): string {
  const prefix = 'passrole-doctor:';
  return line.startsWith(prefix) ? `${colors.red(colors.bold(prefix))}${line.slice(prefix.length)}` : line;
}

const CLEAR_LINE = '\r\u001b[2K';

/** CliIo over two streams; the progress line exists only when stderr is a terminal. */
export function terminalIo(stdout: Stream, stderr: Stream, env: NodeJS.ProcessEnv = process.env): CliIo {
  const outColors = colorsFor(stdout, env);
  const errColors = colorsFor(stderr, env);
  let showing = false;
  const clear = () => {
    if (showing) stderr.write(CLEAR_LINE);
    showing = false;
  };
  const io: CliIo = {
    out: (text) => {
      clear();
      stdout.write(
        `${text
          .split('\n')
          .map((line) => styleReportLine(line, outColors))
          .join('\n')}\n`,
      );
    },
    err: (text) => {
      clear();
      // Error lines carry paths and values from the input: no terminal control reaches the terminal.
      stderr.write(`${styleErrorLine(terminalSafe(text), errColors)}\n`);
    },
  };
  if (stderr.isTTY === true) {
    io.progress = (text) => {
      if (text === null) return clear();
      // A pseudo-terminal may report 0 columns: then the usual 80.
      const width = Math.max((stderr.columns || 80) - 1, 20);
      stderr.write(
        `${CLEAR_LINE}${errColors.dim(text.length > width ? `${text.slice(0, width - 3)}...` : text)}`,
      );
      showing = true;
    };
  }
  return io;
}

/**
 * When the reader of stdout goes away (`| head -1`), end at once with no trace: Node ignores
 * SIGPIPE and reports EPIPE as a stream error, which would otherwise end in a stack trace.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(EXIT_PIPE_CLOSED);
    else throw error;
  });
}
