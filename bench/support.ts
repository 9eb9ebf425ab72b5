/**
 * What the benches share: the figures they take from their samples, the Lambda context they call the
 * diagnose handler with, and how each runs on its own.
 */
import type { Context } from 'aws-lambda';

export function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** The context Lambda would hand the diagnose function in `region`. */
export function diagnoseContext(region: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'diagnose',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:diagnose`,
    memoryLimitInMB: '512',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/diagnose',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A bench run on its own (`npx tsx bench/<name>.ts`): its lines to stdout, a failure to the exit code. */
export function printBenchLines(runBench: () => Promise<string[]>): void {
  runBench()
    .then((lines) => {
      for (const line of lines) console.log(line);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
