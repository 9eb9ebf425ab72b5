/** The handlers' loggers in memory, for tests that check what a handler logs. */
import type { CorrelatedLogger, LogAttributes } from '../../lambda/ports/observability';

export type { LogAttributes } from '../../lambda/ports/observability';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: LogAttributes;
}

/**
 * The Powertools Logger surface the handlers use, with its persistent keys: each line goes to
 * `record` with the keys in force when it was written, like Powertools would print it.
 */
export abstract class KeyedLogger implements CorrelatedLogger {
  private keys: LogAttributes = {};

  protected abstract record(level: LogLine['level'], message: string, attributes: LogAttributes): void;

  private write(level: LogLine['level'], message: string, attributes: LogAttributes[]): void {
    this.record(level, message, Object.assign({}, this.keys, ...attributes));
  }
  debug(message: string, ...attributes: LogAttributes[]): void {
    this.write('debug', message, attributes);
  }
  info(message: string, ...attributes: LogAttributes[]): void {
    this.write('info', message, attributes);
  }
  warn(message: string, ...attributes: LogAttributes[]): void {
    this.write('warn', message, attributes);
  }
  error(message: string, ...attributes: LogAttributes[]): void {
    this.write('error', message, attributes);
  }
  appendKeys(attributes: LogAttributes): void {
    this.keys = { ...this.keys, ...attributes };
  }
  removeKeys(keys: string[]): void {
    this.keys = Object.fromEntries(Object.entries(this.keys).filter(([key]) => !keys.includes(key)));
  }
  resetKeys(): void {
    this.keys = {};
  }
  addContext(): void {}
  setCorrelationId(value: unknown): void {
    this.appendKeys({ correlation_id: value });
  }
}

/** Records every line with the keys in force when it was written. */
export class RecordingLogger extends KeyedLogger {
  readonly lines: LogLine[] = [];

  protected record(level: LogLine['level'], message: string, attributes: LogAttributes): void {
    this.lines.push({ level, message, attributes });
  }
  /** Lines at INFO and above: what production logs. */
  productionLines(): LogLine[] {
    return this.lines.filter((line) => line.level !== 'debug');
  }
}
