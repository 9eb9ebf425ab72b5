import type { Logger, LogAttributes } from '../../ports/observability';

/** The approval function's logger, for a person at a terminal: warnings, errors and decisions. */
export class TerminalLogger implements Logger {
  private keys: LogAttributes = {};
  constructor(private readonly log: (line: string) => void) {}

  private line(prefix: string, message: string, attributes: LogAttributes[]): void {
    const all: LogAttributes = Object.assign({}, this.keys, ...attributes);
    const id = typeof all['proposalId'] === 'string' ? ` (proposal ${all['proposalId']})` : '';
    const reason = typeof all['reason'] === 'string' ? `: ${all['reason']}` : '';
    this.log(`${prefix}${message}${id}${reason}`);
  }
  debug(): void {}
  info(message: string, ...attributes: LogAttributes[]): void {
    if (message === 'proposal approved' || message === 'proposal rejected')
      this.line('', message, attributes);
  }
  warn(message: string, ...attributes: LogAttributes[]): void {
    this.line('warning: ', message, attributes);
  }
  error(message: string, ...attributes: LogAttributes[]): void {
    this.line('error: ', message, attributes);
  }
  appendKeys(attributes: LogAttributes): void {
    this.keys = { ...this.keys, ...attributes };
  }
  resetKeys(): void {
    this.keys = {};
  }
  addContext(): void {}
}
