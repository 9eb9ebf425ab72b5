/**
 * The harness itself: globalSetup's environment reaches the tests, and startMoto fails loudly and
 * cleans up after itself. Fake moto_server scripts on PATH stand in for the broken cases.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMotoClients, MOTO_ACCOUNT_ID, motoEndpoint } from './support/aws-clients';
import { MOTO_NOT_FOUND_MESSAGE, resetMoto, startMoto } from './support/moto';

/** Alive means it exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) state ..."; comm may contain spaces, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * SIGKILL is sent before startMoto rejects, but on a loaded machine the kernel may not have torn
 * the process down by the time the next line runs.
 */
async function stopsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('globalSetup environment', () => {
  test('reaches the test with the endpoint and test-only credentials', () => {
    expect(motoEndpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
    expect(process.env.AWS_SECRET_ACCESS_KEY).toBe('testing');
    expect(process.env.AWS_REGION).toBe('us-east-1');
    expect(process.env.AWS_PROFILE).toBeUndefined();
    expect(process.env.AWS_SESSION_TOKEN).toBeUndefined();
  });

  test('points clients at a moto that emulates the fixed test account', async () => {
    const clients = createMotoClients();
    try {
      const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(MOTO_ACCOUNT_ID);
    } finally {
      clients.destroy();
    }
  });
});

describe('startMoto', () => {
  let fakeBin: string;
  let savedPath: string | undefined;

  beforeEach(() => {
    fakeBin = mkdtempSync(join(tmpdir(), 'fake-moto-'));
    savedPath = process.env.PATH;
  });

  afterEach(() => {
    process.env.PATH = savedPath;
    rmSync(fakeBin, { recursive: true, force: true });
  });

  /** Puts a moto_server shell script first (and alone) on PATH. */
  function installFakeMoto(script: string): void {
    const file = join(fakeBin, 'moto_server');
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
    process.env.PATH = `${fakeBin}:/usr/bin:/bin`;
  }

  test('without moto_server on PATH, fails with the install hint', async () => {
    process.env.PATH = fakeBin;
    await expect(startMoto()).rejects.toThrow(MOTO_NOT_FOUND_MESSAGE);
  });

  test('a version-manager shim without moto behind it (exit 127) gets the install hint too', async () => {
    installFakeMoto('echo "pyenv: moto_server: command not found" >&2\nexit 127');
    await expect(startMoto()).rejects.toThrow(MOTO_NOT_FOUND_MESSAGE);
  });

  test('a moto that dies at start reports how it died and what it said', async () => {
    installFakeMoto('echo "OSError: [Errno 98] Address already in use" >&2\nexit 3');
    const failure = startMoto();
    await expect(failure).rejects.toThrow(/died before answering \(exit code 3\)/);
    await expect(failure).rejects.toThrow(/Address already in use/);
  });

  test('a moto that never answers is stopped, with its children, after the deadline', async () => {
    const childPidFile = join(fakeBin, 'child.pid');
    installFakeMoto(`echo "starting" >&2\nsleep 30 &\necho $! > "${childPidFile}"\nwait`);
    await expect(startMoto({ readyTimeoutMs: 500 })).rejects.toThrow(
      /did not answer .* within 500 ms[^]*starting/,
    );
    const childPid = Number(readFileSync(childPidFile, 'utf8'));
    expect(await stopsWithin(childPid, 5_000)).toBe(true);
  });

  test('stop() ends a real moto, and a second stop() is harmless', async () => {
    const moto = await startMoto();
    await resetMoto(moto.endpoint);
    expect(isRunning(moto.pid)).toBe(true);

    await moto.stop();
    await moto.stop();

    expect(isRunning(moto.pid)).toBe(false);
    await expect(fetch(`${moto.endpoint}/moto-api/`)).rejects.toThrow();
  });
});
