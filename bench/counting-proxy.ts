/**
 * A counting reverse proxy in front of moto, for the account-size bench: it forwards every request
 * unchanged and counts the bytes of each response body, summed by the value of the request's
 * `x-bench-phase` header (the diagnosis child tags its calls `scope` or `escalation`). It runs in the
 * bench's parent process, so its buffers never count towards the child's memory.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export const PHASE_HEADER = 'x-bench-phase';

export interface CountingProxy {
  endpoint: string;
  /** Response bytes by phase since the last reset. */
  bytes(): Record<string, number>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let counts: Record<string, number> = {};
  const server: Server = createServer((incoming, outgoing) => {
    const phase = String(incoming.headers[PHASE_HEADER] ?? 'untagged');
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer: IncomingMessage) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => {
          counts[phase] = (counts[phase] ?? 0) + chunk.length;
        });
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the counting proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bytes: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
