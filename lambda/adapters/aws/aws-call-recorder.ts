/** Counting the AWS calls a client makes, and their order (tests and the benchmark). */
import type { IAMClient } from '@aws-sdk/client-iam';

export interface AwsCallRecord {
  /** e.g. 'GetRoleCommand'. */
  command: string;
  /** Logical ticks from one counter (not a clock): a call that starts after another finished follows it. */
  startTick: number;
  finishTick: number;
}

export interface AwsCallSummary {
  calls: number;
  byCommand: Record<string, number>;
  /** The longest chain of calls each started after the previous one finished. */
  sequentialRoundTrips: number;
}

/** Counts every call made through `client` (and its order) until the client is discarded. */
export function recordAwsCalls(client: Pick<IAMClient, 'middlewareStack'>): AwsCallRecord[] {
  const records: AwsCallRecord[] = [];
  let tick = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const record: AwsCallRecord = {
        command: context.commandName ?? 'unknown',
        startTick: ++tick,
        finishTick: 0,
      };
      records.push(record);
      try {
        return await next(args);
      } finally {
        record.finishTick = ++tick;
      }
    },
    { step: 'initialize', name: 'passRoleDoctorCallRecorder' },
  );
  return records;
}

export function summarizeAwsCalls(records: readonly AwsCallRecord[]): AwsCallSummary {
  const byCommand: Record<string, number> = {};
  for (const record of records) byCommand[record.command] = (byCommand[record.command] ?? 0) + 1;
  const ordered = [...records].sort((a, b) => a.startTick - b.startTick);
  const chainLength: number[] = [];
  ordered.forEach((record, index) => {
    const before = ordered
      .slice(0, index)
      .flatMap((earlier, earlierIndex) =>
        earlier.finishTick < record.startTick ? [chainLength[earlierIndex] ?? 0] : [],
      );
    chainLength.push(1 + Math.max(0, ...before));
  });
  return { calls: records.length, byCommand, sequentialRoundTrips: Math.max(0, ...chainLength) };
}
