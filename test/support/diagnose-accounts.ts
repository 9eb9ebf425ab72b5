/**
 * The diagnose handler's account dependencies for tests that bring their own diagnoser: single-account
 * mode for the given account (the one lambdaContext's function ARN names), every admitted denial
 * diagnosed by `diagnoser`. The access's readers are never called: the diagnoser has its own.
 */
import { SingleAccountAccess } from '../../lambda/adapters/single-account-access';
import type { Diagnoser } from '../../lambda/core/diagnose';
import type { DiagnoseHandlerDependencies } from '../../lambda/handlers/diagnose/handler';
import type { AccountReadAccess } from '../../lambda/ports/account-access';
import type { DimensionedMetrics, MetricUnit, SingleMetric } from '../../lambda/ports/observability';

const unused = (): never => {
  throw new Error('the test diagnoser reads the account itself');
};

/** An access whose readers a test's own diagnoser stands in for. */
export function unusedReadAccess(accountId: string): AccountReadAccess {
  return {
    accountId,
    accountReader: { loadScope: unused },
    escalationReader: { readEscalationInputs: unused },
    instanceProfiles: { instanceProfileRole: unused },
    rolePaths: { rolePath: unused },
    simulator: { simulate: unused },
  };
}

export function ownAccountOnly(
  diagnoser: Diagnoser,
): Pick<DiagnoseHandlerDependencies, 'accounts' | 'diagnoserFor'> {
  return {
    accounts: {
      mode: 'single-account',
      access: (accountId) => new SingleAccountAccess(unusedReadAccess(accountId)),
    },
    diagnoserFor: () => diagnoser,
  };
}

/** One metric published with its own dimensions (Powertools singleMetric), as a test sees it. */
export interface DimensionedCount {
  name: string;
  unit: MetricUnit;
  value: number;
  dimensions: Record<string, string>;
}

/** Records the metrics published per dimension value (the hub's counts by account). */
export class DimensionedRecorder {
  readonly published: DimensionedCount[] = [];
  singleMetric(): SingleMetric {
    const dimensions: Record<string, string> = {};
    return {
      addDimension: (name, value) => {
        dimensions[name] = value;
      },
      addMetric: (name, unit, value) => {
        this.published.push({ name, unit, value, dimensions: { ...dimensions } });
      },
    };
  }
  /** The count of `name` under `dimension` = `value`. */
  countFor(name: string, dimension: string, value: string): number {
    return this.published
      .filter((metric) => metric.name === name && metric.dimensions[dimension] === value)
      .reduce((sum, metric) => sum + metric.value, 0);
  }
}

/** What a recorder lacks to be DimensionedMetrics, borrowed from a DimensionedRecorder. */
export type WithSingleMetric = Pick<DimensionedMetrics, 'singleMetric'>;
