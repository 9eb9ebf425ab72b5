/**
 * Runs moto_server (Python moto's AWS emulator) on a free loopback port for the integration tests.
 * One server serves the whole run; tests isolate themselves with resetMoto().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  /** Base URL to hand to SDK clients, e.g. http://127.0.0.1:45123 */
  endpoint: string;
  /** The server's process id; also its process group's id. */
  pid: number;
  /** Stops the server and everything it started; safe to call more than once. */
  stop(): Promise<void>;
}

export const MOTO_NOT_FOUND_MESSAGE = "moto_server not found: install it with pip install 'moto[server]'";

const HOST = '127.0.0.1';
const READY_DEADLINE_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_CHARS = 4_000;
/** pyenv/asdf shims exit 127 when the active Python has no moto_server. */
const COMMAND_NOT_FOUND_EXIT_CODE = 127;

/** The account moto emulates. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** Environment moto needs for the tests: a fixed account id and AWS managed policies with their real documents. */
const MOTO_ENV = {
  MOTO_ACCOUNT_ID,
  MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
};

export interface StartMotoOptions {
  /** How long moto may take to answer its first request. */
  readyTimeoutMs?: number;
  /**
   * Let each request choose its account (the `x-moto-account-id` header, else the account of the
   * credentials AssumeRole returned, else MOTO_ACCOUNT_ID's value: moto's default) instead of fixing
   * every request to MOTO_ACCOUNT_ID, which moto ranks above both. For several accounts in one server.
   */
  accountPerRequest?: boolean;
}

export async function startMoto({
  readyTimeoutMs = READY_DEADLINE_MS,
  accountPerRequest = false,
}: StartMotoOptions = {}): Promise<MotoServer> {
  const port = await findFreePort();
  const endpoint = `http://${HOST}:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...MOTO_ENV };
  if (accountPerRequest) delete env.MOTO_ACCOUNT_ID;
  // detached: moto gets its own process group, so stop() can end it together with anything it spawned.
  const child = spawn('moto_server', ['-H', HOST, '-p', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const output = new StderrTail(child);
  const exited = waitForExit(child);
  if (child.pid === undefined) throw startFailure(await exited, output);
  const pid = child.pid;
  const releaseParentHooks = killGroupWhenParentDies(pid);

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await killGroup(pid, exited);
      releaseParentHooks();
    })();
    return stopped;
  };

  try {
    await waitUntilAnswering(endpoint, readyTimeoutMs, exited, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid, stop };
}

/** Drops every resource in every emulated service: POST /moto-api/reset. */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) {
    throw new Error(`moto reset at ${endpoint} failed: HTTP ${response.status} ${await response.text()}`);
  }
}

// ---------------------------------------------------------------- internals

type ExitOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawn-failed'; error: NodeJS.ErrnoException };

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port of a probe socket: ${String(address)}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<ExitOutcome> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'spawn-failed', error }));
    child.once('exit', (code, signal) => resolve({ kind: 'exited', code, signal }));
  });
}

/** Keeps the last few KB of moto's stderr for error messages (moto logs every request there). */
class StderrTail {
  private text = '';
  constructor(child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.text = (this.text + chunk).slice(-STDERR_TAIL_CHARS);
    });
  }
  toString(): string {
    return this.text.trim() === '' ? '(moto wrote nothing to stderr)' : this.text.trimEnd();
  }
}

async function waitUntilAnswering(
  endpoint: string,
  readyTimeoutMs: number,
  exited: Promise<ExitOutcome>,
  stderr: StderrTail,
): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const probe = answers(endpoint).then((ok) => (ok ? 'ready' : 'not-yet'));
    const outcome = await Promise.race([exited, probe]);
    if (outcome === 'ready') return;
    if (outcome !== 'not-yet') throw startFailure(outcome, stderr);
    if (Date.now() > deadline) {
      throw new Error(
        `moto_server did not answer at ${endpoint} within ${readyTimeoutMs} ms; stderr tail:\n${stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.arrayBuffer();
    return true;
  } catch {
    // Connection refused until moto has bound its port.
    return false;
  }
}

function startFailure(outcome: ExitOutcome, stderr: StderrTail): Error {
  if (outcome.kind === 'spawn-failed') {
    return outcome.error.code === 'ENOENT'
      ? new Error(MOTO_NOT_FOUND_MESSAGE, { cause: outcome.error })
      : new Error(`moto_server could not be started: ${outcome.error.message}`, { cause: outcome.error });
  }
  if (outcome.code === COMMAND_NOT_FOUND_EXIT_CODE) {
    return new Error(`${MOTO_NOT_FOUND_MESSAGE}\n${stderr}`);
  }
  const how = outcome.signal === null ? `exit code ${outcome.code}` : `signal ${outcome.signal}`;
  return new Error(`moto_server died before answering (${how}); stderr tail:\n${stderr}`);
}

async function killGroup(pid: number, exited: Promise<ExitOutcome>): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const graceOver = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), STOP_GRACE_MS).unref(),
  );
  if ((await Promise.race([exited, graceOver])) === 'timeout') {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
  // The leader may be gone while something it started lingers in the group.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(leaderPid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-leaderPid, signal);
  } catch (error) {
    // ESRCH: the group is already empty, which is what we want. (Not `instanceof Error`: under Jest,
    // errors from Node's own APIs come from another realm.)
    const alreadyGone =
      typeof error === 'object' && error !== null && 'code' in error && error.code === 'ESRCH';
    if (!alreadyGone) throw error;
  }
}

/**
 * A detached child outlives its parent, so if Jest exits or is interrupted before globalTeardown
 * runs, take moto down with it. Returns a function that removes these hooks.
 */
function killGroupWhenParentDies(pid: number): () => void {
  const killNow = (): void => signalGroup(pid, 'SIGKILL');
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals): void => {
    killNow();
    release();
    // Re-raise so the parent ends the way it would have without our hook.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const release = (): void => {
    process.removeListener('exit', killNow);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  process.once('exit', killNow);
  for (const signal of signals) process.once(signal, onSignal);
  return release;
}
