/**
 * The logging and metrics ports every function's handler takes. Powertools' Logger and Metrics fit
 * them; tests and the local server pass their own recorders.
 */
import type { Context } from 'aws-lambda';

export type LogAttributes = Record<string, unknown>;

/** The Powertools Logger methods the handlers use, with its persistent keys. */
export interface Logger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
  appendKeys(attributes: LogAttributes): void;
  resetKeys(): void;
  addContext(context: Context): void;
}

/** A Logger that also drops single keys and carries a correlation id (one per SQS record). */
export interface CorrelatedLogger extends Logger {
  removeKeys(keys: string[]): void;
  setCorrelationId(value: unknown): void;
}

export type MetricUnit = 'Count' | 'Milliseconds';

/** The Powertools Metrics methods the handlers use (EMF, flushed once per invocation). */
export interface Metrics {
  addMetric(name: string, unit: MetricUnit, value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** One metric with dimensions of its own, published apart from the invocation's (Powertools singleMetric). */
export interface SingleMetric {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: MetricUnit, value: number): unknown;
}

/** Metrics that can also publish a metric per dimension value (the hub's counts by account). */
export interface DimensionedMetrics extends Metrics {
  singleMetric(): SingleMetric;
}
