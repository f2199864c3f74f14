// Azurite's blob service as a child process on an ephemeral port, in memory, never phoning
// home (--disableTelemetry). The child exits when its IPC channel to us closes, so it cannot
// outlive the test process even when that process is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** e.g. http://127.0.0.1:41234/devstoreaccount1 */
  blobEndpoint: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

// Runs Azurite's own entry point after arranging for the child to die with its parent.
const BOOTSTRAP = `process.on('disconnect', () => process.exit(0)); require(process.env.REPRISE_AZURITE_MAIN);`;

export async function startAzurite(): Promise<Azurite> {
  const require = createRequire(import.meta.url);
  const main = join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'blob', 'main.js');
  const cwd = mkdtempSync(join(tmpdir(), 'reprise-azurite-'));
  const args = [
    '-e',
    BOOTSTRAP,
    'azurite-blob', // argv[1]: Azurite's argument parser skips it
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    '--inMemoryPersistence',
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    '--silent',
  ];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, REPRISE_AZURITE_MAIN: main, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  installExitHook();

  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite did not start in 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /successfully listens on https?:\/\/[^\s:]+:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited early (code ${code}, signal ${signal}):\n${output}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    // Keep draining the pipes so Azurite never blocks on a full buffer.
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      blobEndpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
      stop: () => stopChild(child, exited, cwd),
    };
  } catch (err) {
    await stopChild(child, exited, cwd);
    throw err;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, cwd: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
  rmSync(cwd, { recursive: true, force: true });
}
