import { startLocalServer, type LocalServer } from '../local/local-server';
import { EXIT_OK, reportFailure, type CliIo } from './io';
import { assertReadableFiles } from './input/read-input';
import { renderSummary } from '../../core/render/diagnosis-summary';

export interface ServeOptions {
  event: string;
  snapshot: string;
  scp: string[];
  port: number;
}

function banner(server: LocalServer, options: ServeOptions): string[] {
  const count = server.proposals.length;
  const lines = [
    `passrole-doctor serve: ${count} proposal${count === 1 ? '' : 's'} from ${options.event}, against ${options.snapshot} (offline)`,
  ];
  for (const { record, reviewUrl } of server.proposals) {
    lines.push('', renderSummary(record.diagnosis));
    if (record.proposal !== null) {
      const { policyName, target } = record.proposal;
      lines.push(`  Proposed: inline policy ${policyName} on ${target.type} ${target.name}`);
    }
    lines.push(`  Review: ${reviewUrl}`);
  }
  for (const line of server.skipped) lines.push('', `Skipped ${line}`);
  lines.push(
    '',
    'Approving applies the policy to the in-memory snapshot and re-simulates; nothing reaches AWS.',
    `Listening on ${server.url} (Ctrl-C to stop)`,
  );
  return lines;
}

/** Resolves on SIGINT or SIGTERM, or when `signal` aborts (tests). */
function stopRequested(signal: AbortSignal | undefined): { stopped: Promise<string>; release(): void } {
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const onSignal = (name: NodeJS.Signals) => stop(name);
  const onAbort = () => stop('abort');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    stopped,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * `passrole-doctor serve`: the review page and approvals on 127.0.0.1 until Ctrl-C. Bad input (the
 * diagnose command's kinds, a port in use) is one line and exit 2, before anything listens.
 */
export async function runServe(options: ServeOptions, io: CliIo, signal?: AbortSignal): Promise<number> {
  let server: LocalServer;
  try {
    await assertReadableFiles([options.snapshot, ...options.scp]);
    server = await startLocalServer({ ...options, log: (line) => io.out(line) });
  } catch (error) {
    return reportFailure(error, io);
  }
  const stop = stopRequested(signal);
  for (const line of banner(server, options)) io.out(line);
  try {
    await stop.stopped;
  } finally {
    stop.release();
    await server.close();
  }
  io.out('Stopped; the snapshot file on disk is unchanged.');
  return EXIT_OK;
}
