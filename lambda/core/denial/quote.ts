/** A value from the input, fit for a one-line reason or note: whitespace collapsed, long values cut. */
export function quote(value: string, limit = 120): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}
